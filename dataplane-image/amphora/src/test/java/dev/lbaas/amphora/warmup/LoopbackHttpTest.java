package dev.lbaas.amphora.warmup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class LoopbackHttpTest {

    /** A stream that hands out at most {@code step} bytes a read, as a socket may. */
    private static InputStream trickle(String text, int step) {
        return new ByteArrayInputStream(text.getBytes(StandardCharsets.US_ASCII)) {
            private boolean skipNothing;

            @Override
            public synchronized int read(byte[] b, int off, int len) {
                return super.read(b, off, Math.min(len, step));
            }

            /** At most a step, and every other call nothing, as a socket's stream may. */
            @Override
            public synchronized long skip(long n) {
                skipNothing = !skipNothing;
                return skipNothing ? 0 : super.skip(Math.min(n, step));
            }
        };
    }

    private static final String EXCHANGES = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nServer: x\r\n\r\nhello"
            + "HTTP/1.1 204 No Content\r\nContent-Length: 600\r\n\r\n" + "x".repeat(600)
            + "HTTP/1.1 200 OK\r\nTRANSFER-ENCODING: chunked\r\n\r\n3\r\nabc\r\n2;ext=1\r\nde\r\n0\r\nTrailer: t\r\n\r\n"
            + "HTTP/1.1 503 Service Unavailable\r\ncontent-length:  2 \r\nConnection: close\r\n\r\nno";

    @Test
    void readsHeadsAndSkipsBodiesWhateverTheReadsReturn() throws IOException {
        for (int step : new int[] {1, 2, 7, 64, 4096}) {
            LoopbackHttp in = new LoopbackHttp(trickle(EXCHANGES, step));

            LoopbackHttp.Head first = in.readHead();
            assertThat(first).isEqualTo(new LoopbackHttp.Head(200, 5, false, false));
            in.skipBody(first);
            LoopbackHttp.Head longer = in.readHead();
            assertThat(longer).isEqualTo(new LoopbackHttp.Head(204, 600, false, false));
            in.skipBody(longer);
            LoopbackHttp.Head second = in.readHead();
            assertThat(second).isEqualTo(new LoopbackHttp.Head(200, 0, true, false));
            in.skipBody(second);
            LoopbackHttp.Head third = in.readHead();
            assertThat(third).isEqualTo(new LoopbackHttp.Head(503, 2, false, true));
            in.skipBody(third);

            assertThat(in.readHead()).as("a clean end after the last message, reads of %d", step).isNull();
        }
    }

    @Test
    void aStreamThatEndsWithinAMessageIsAnError() {
        assertThatThrownBy(() -> new LoopbackHttp(trickle("HTTP/1.1 200 OK\r\nContent-Le", 3)).readHead())
                .isInstanceOf(EOFException.class);
        assertThatThrownBy(() -> {
            LoopbackHttp in = new LoopbackHttp(trickle("HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\nabc", 3));
            in.skipBody(in.readHead());
        }).isInstanceOf(EOFException.class);
    }

    @Test
    void aRequestHasNoStatusAndANegativeLengthIsAnError() throws IOException {
        assertThat(new LoopbackHttp(trickle("GET /a HTTP/1.1\r\nHost: b\r\n\r\n", 5)).readHead())
                .isEqualTo(new LoopbackHttp.Head(0, 0, false, false));
        assertThatThrownBy(() -> new LoopbackHttp(trickle("HTTP/1.1 200 OK\r\nContent-Length: -3\r\n\r\n", 5))
                .readHead()).hasMessageContaining("negative Content-Length");
    }

    @Test
    void chunksABodyInTwo() {
        assertThat(new String(LoopbackHttp.chunked("abcdef"), StandardCharsets.US_ASCII))
                .isEqualTo("3\r\nabc\r\n3\r\ndef\r\n0\r\n\r\n");
        assertThat(new String(LoopbackHttp.concat(new byte[] {'a'}, new byte[] {'b', 'c'}), StandardCharsets.US_ASCII))
                .isEqualTo("abc");
    }
}
