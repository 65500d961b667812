package dev.lbaas.amphora.proxy.http.codec;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class ChunkedBodyScannerTest {

    private static final String NEXT_REQUEST = "GET / HTTP/1.1\r\n\r\n";

    private static int scan(String bytes, ChunkedBodyScanner scanner, boolean byteAtATime) {
        return ScannerFeed.feed(bytes, scanner::scan, byteAtATime);
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "0\r\n\r\n",
        "5\r\nhello\r\n0\r\n\r\n",
        "A\r\n0123456789\r\na\r\n0123456789\r\n000\r\n\r\n",
        "5;a\r\nhello\r\n0;last=\"yes\"\r\n\r\n",
        "5 ;a = b\t;c=\"q \\\" \\\\ \"\r\nhello\r\n0\r\n\r\n",
        "4\r\n\r\n\r\n\r\n0\r\nX-T: 1\r\nX-U: a\tb\r\n\r\n",
    })
    void aWellFormedBodyEndsAtItsLastLineWhicheverWayItsBytesCome(String body) {
        assertThat(scan(body + NEXT_REQUEST, new ChunkedBodyScanner(), false)).isEqualTo(body.length());
        assertThat(scan(body + NEXT_REQUEST, new ChunkedBodyScanner(), true)).isEqualTo(body.length());
    }

    static Stream<Arguments> refusedBodies() {
        return Stream.of(
                Arguments.of("-5\r\nhello\r\n0\r\n\r\n", "a chunk line must start with its size in hex digits"),
                Arguments.of(" 5\r\nhello\r\n0\r\n\r\n", "a chunk line must start with its size in hex digits"),
                Arguments.of("0x5\r\nhello\r\n0\r\n\r\n", "a chunk size is hex digits, then extensions or CRLF"),
                Arguments.of("ffffffffffffffffff\r\n", "a chunk size of more than 15 digits"),
                Arguments.of("5 5\r\nhello\r\n0\r\n\r\n", "whitespace after a chunk size must come before ;"),
                Arguments.of("5 \r\nhello\r\n0\r\n\r\n", "whitespace after a chunk size must come before ;"),
                Arguments.of("5;\r\nhello\r\n0\r\n\r\n", "a chunk extension must have a name"),
                Arguments.of("5;=b\r\nhello\r\n0\r\n\r\n", "a chunk extension must have a name"),
                Arguments.of("5;a@\r\nhello\r\n0\r\n\r\n", "a chunk extension's name is a token"),
                Arguments.of("5;a \r\nhello\r\n0\r\n\r\n", "whitespace in a chunk extension must come before = or ;"),
                Arguments.of("5;a=\r\nhello\r\n0\r\n\r\n", "a chunk extension's value is a token or a quoted string"),
                Arguments.of("5;a=b c\r\nhello\r\n0\r\n\r\n", "whitespace after a chunk extension must come before ;"),
                Arguments.of("5;a=\"b\u0001\"\r\nhello\r\n0\r\n\r\n",
                        "a quoted chunk extension value holds no control characters"),
                Arguments.of("5;a=\"b\"c\r\nhello\r\n0\r\n\r\n", "a quoted chunk extension value ends the extension"),
                Arguments.of("5\nhello\r\n0\r\n\r\n", "a chunk size is hex digits, then extensions or CRLF"),
                Arguments.of("5\rhello\r\n0\r\n\r\n", "a chunk line must end with CRLF"),
                Arguments.of("5\r\nhelloXX0\r\n\r\n", "a chunk's data must end with CRLF"),
                Arguments.of("5\r\nhello\n0\r\n\r\n", "a chunk's data must end with CRLF"),
                Arguments.of("5\r\nhello\r0\r\n\r\n", "a chunk's data must end with CRLF"),
                Arguments.of("0\r\n X-T: 1\r\n\r\n", "a trailer line must not start with whitespace"),
                Arguments.of("0\r\nX-T: 1\n\r\n", "a trailer line must end with CRLF"),
                Arguments.of("0\r\nX-T: 1\r\r\n", "a trailer line must end with CRLF"),
                Arguments.of("0\r\n\rX", "a chunked body must end with CRLF"),
                Arguments.of("0\r\nContent-Length: 3\r\n\r\n", "a trailer may not carry Content-Length or Transfer-Encoding"),
                Arguments.of("0\r\nX: 1\r\ntransfer-ENCODING:chunked\r\n\r\n",
                        "a trailer may not carry Content-Length or Transfer-Encoding"));
    }

    @ParameterizedTest
    @MethodSource("refusedBodies")
    void aBodyThatBreaksTheSyntaxIsRefusedWithTheRuleWhicheverWayItsBytesCome(String body, String rule) {
        ChunkedBodyScanner whole = new ChunkedBodyScanner();
        assertThat(scan(body, whole, false)).isEqualTo(-1);
        assertThat(whole.violation()).isEqualTo(rule);
        ChunkedBodyScanner bytes = new ChunkedBodyScanner();
        assertThat(scan(body, bytes, true)).isEqualTo(-1);
        assertThat(bytes.violation()).isEqualTo(rule);
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 7})
    void chunkDataIsSkippedWhateverItHoldsAndHoweverItIsCut(int cut) {
        String body = "8\r\n\r\n0\r\n\r\n;\r\n0\r\n\r\n";
        ChunkedBodyScanner scanner = new ChunkedBodyScanner();
        ByteBuf buffer = Unpooled.copiedBuffer(body + NEXT_REQUEST, StandardCharsets.ISO_8859_1);
        try {
            int first = scanner.scan(buffer, 0, cut);
            int rest = scanner.scan(buffer, cut, buffer.writerIndex());
            assertThat(first + rest).isEqualTo(body.length());
        } finally {
            buffer.release();
        }
    }
}
