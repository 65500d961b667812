package dev.lbaas.amphora.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lbaas.amphora.config.ListenerTimeouts;
import dev.lbaas.amphora.testing.RawHttp;
import dev.lbaas.amphora.testing.RecordedHttpListener;
import dev.lbaas.amphora.testing.RecordingHttpBackend;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The deadline for a request's headers (the listener's httpRequest timeout) against clients that
 * trickle them a byte at a time, each byte resetting the client data timeout; and a body that
 * stops arriving half-way.
 */
class RequestDeadlinesIT {

    private static final String VIP = "127.1.18.2";
    private static final long HTTP_REQUEST_MILLIS = 400;
    private static final long CLIENT_DATA_MILLIS = 2_000;
    private static final String HEAD_LATE = "HTTP/1.1 408 Request Timeout\n"
            + "the request's headers did not arrive within the listener's httpRequest timeout\n";

    private final ExecutorService trickler = Executors.newSingleThreadExecutor();
    private RecordedHttpListener listener;
    private RecordingHttpBackend member;
    private int port;

    @BeforeEach
    void start() throws Exception {
        listener = new RecordedHttpListener(VIP,
                new ListenerTimeouts(CLIENT_DATA_MILLIS, 1_000, 5_000, 0, HTTP_REQUEST_MILLIS));
        member = listener.member;
        port = listener.port;
    }

    @AfterEach
    void stop() throws Exception {
        trickler.shutdownNow();
        listener.close();
    }

    /** Sends {@code text} a byte every 50 ms, for far longer than the deadline, until the amphora closes. */
    private Future<?> trickle(RawHttp client, String text) {
        return trickler.submit(() -> {
            try {
                for (int i = 0; i < 200; i++) {
                    client.send(String.valueOf(text.charAt(i % text.length())));
                    Thread.sleep(50);
                }
            } catch (IOException | InterruptedException e) {
                // the amphora closed the connection, or the test ended
            }
        });
    }

    private static long millisSince(long startNanos) {
        return (System.nanoTime() - startNanos) / 1_000_000;
    }

    @Test
    void aHeadTrickledAByteAtATimeIsAnswered408AtTheDeadline() throws Exception {
        long start = System.nanoTime();
        try (RawHttp client = new RawHttp(VIP, port)) {
            client.send("GET / HTTP/1.1\r\nHost: t.example\r\nX-Slow: ");
            trickle(client, "abcdefgh");
            assertThat(client.readResponse()).isEqualTo(HEAD_LATE);
            assertThat(client.closedByServer()).isTrue();
            // the trickle would have gone on for 10 s, and never let the 2 s clientData timeout pass
            assertThat(millisSince(start)).isBetween(HTTP_REQUEST_MILLIS - 50, CLIENT_DATA_MILLIS - 100);
        }
        assertThat(member.connections()).isEmpty();
    }

    @Test
    void aConnectionThatSendsNothingIsClosedWithoutAnswerAtTheDeadline() throws Exception {
        long start = System.nanoTime();
        try (RawHttp client = new RawHttp(VIP, port)) {
            assertThat(client.readUntilClosed()).isEmpty();
            assertThat(millisSince(start)).isBetween(HTTP_REQUEST_MILLIS - 50, CLIENT_DATA_MILLIS - 100);
        }
    }

    @Test
    void anIdleKeptConnectionOutlivesTheDeadlineUntilClientData() throws Exception {
        try (RawHttp client = new RawHttp(VIP, port)) {
            client.send("GET /first HTTP/1.1\r\nHost: t.example\r\n\r\n");
            assertThat(client.readResponse()).endsWith(": GET /first HTTP/1.1");
            Thread.sleep(3 * HTTP_REQUEST_MILLIS);
            client.send("GET /second HTTP/1.1\r\nHost: t.example\r\n\r\n");
            assertThat(client.readResponse()).endsWith(": GET /second HTTP/1.1");
        }
    }

    @Test
    void aLaterHeadTrickledOnAKeptConnectionIsAnswered408() throws Exception {
        try (RawHttp client = new RawHttp(VIP, port)) {
            client.send("GET /first HTTP/1.1\r\nHost: t.example\r\n\r\n");
            assertThat(client.readResponse()).endsWith(": GET /first HTTP/1.1");
            Thread.sleep(3 * HTTP_REQUEST_MILLIS);
            long start = System.nanoTime();
            trickle(client, "GET /second HTTP/1.1\r\nHost: t.example\r\nX-Slow: abcdefghijklmnopqrstuvwxyz");
            assertThat(client.readResponse()).isEqualTo(HEAD_LATE);
            assertThat(millisSince(start)).isBetween(HTTP_REQUEST_MILLIS - 50, CLIENT_DATA_MILLIS - 100);
        }
        assertThat(member.requests()).extracting(RecordingHttpBackend.Request::requestLine)
                .containsExactly("GET /first HTTP/1.1");
    }

    @Test
    void aPipelinedRequestIsAnsweredBeforeTheLateHeadBehindIt() throws Exception {
        try (RawHttp client = new RawHttp(VIP, port)) {
            client.send("GET /first HTTP/1.1\r\nHost: t.example\r\n\r\nGET /second HTTP/1.1\r\nHost: t.ex");
            assertThat(client.readResponse()).endsWith(": GET /first HTTP/1.1");
            assertThat(client.readResponse()).isEqualTo(HEAD_LATE);
            assertThat(client.closedByServer()).isTrue();
        }
    }

    @Test
    void aBodyThatStopsArrivingIsAnswered408AndItsMemberConnectionClosed() throws Exception {
        String head = "POST /upload HTTP/1.1\r\nHost: t.example\r\nContent-Length: 10\r\n\r\n";
        long start = System.nanoTime();
        try (RawHttp client = new RawHttp(VIP, port)) {
            client.send(head + "hello");
            assertThat(client.readResponse()).isEqualTo(
                    "HTTP/1.1 408 Request Timeout\nthe request's body stopped arriving before it was complete\n");
            assertThat(client.closedByServer()).isTrue();
            // the client data timeout, not the deadline for headers, which the head met
            assertThat(millisSince(start)).isGreaterThan(CLIENT_DATA_MILLIS - 100);
        }
        RecordingHttpBackend.Connection connection = member.connections().get(0);
        assertThat(connection.awaitClosed(Duration.ofSeconds(5))).isTrue();
        assertThat(connection.received()).isEqualTo(head + "hello");
        assertThat(member.requests()).isEmpty();
    }
}
