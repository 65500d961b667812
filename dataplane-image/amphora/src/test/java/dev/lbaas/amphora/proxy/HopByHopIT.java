package dev.lbaas.amphora.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lbaas.amphora.testing.RawHttp;
import dev.lbaas.amphora.testing.RecordedHttpListener;
import dev.lbaas.amphora.testing.RecordingHttpBackend;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Hop-by-hop headers stay on their hop (RFC 9110, 7.6.1), proven on the wire both ways: what the
 * client sends for its connection to the amphora never reaches the member, and what the member
 * sends for its connection never reaches the client.
 */
class HopByHopIT {

    private static final String VIP = "127.1.18.3";
    /** A member naming a field of its own as hop-by-hop, and keep-alive settings for its hop. */
    private static final String MEMBER_ANSWER = "HTTP/1.1 200 OK\r\nConnection: X-Internal\r\nX-Internal: secret\r\n"
            + "Keep-Alive: timeout=5\r\nX-Public: kept\r\nContent-Length: 2\r\n\r\nok";

    private RecordedHttpListener listener;
    private RecordingHttpBackend member;
    private int port;

    @BeforeEach
    void start() throws Exception {
        listener = new RecordedHttpListener(VIP);
        member = listener.member;
        member.responder = request -> MEMBER_ANSWER;
        port = listener.port;
    }

    @AfterEach
    void stop() throws Exception {
        listener.close();
    }

    @Test
    void noHopByHopFieldCrossesTheAmphoraEitherWay() throws Exception {
        try (RawHttp client = new RawHttp(VIP, port)) {
            client.send("GET /hop HTTP/1.1\r\nHost: t.example\r\nConnection: close, X-Hop\r\nX-Hop: secret\r\n"
                    + "Keep-Alive: timeout=5\r\nTE: trailers\r\nUpgrade: websocket\r\nProxy-Connection: keep-alive\r\n"
                    + "X-End-To-End: kept\r\n\r\n");
            // The client asked to close: the amphora says so for its own hop, and nothing of the member's.
            assertThat(client.readMessage()).isEqualTo(
                    "HTTP/1.1 200 OK\r\nX-Public: kept\r\nContent-Length: 2\r\nconnection: close\r\n\r\nok");
            assertThat(client.closedByServer()).isTrue();
        }
        assertThat(member.received()).containsExactly("GET /hop HTTP/1.1\r\nHost: t.example\r\nX-End-To-End: kept\r\n\r\n");
    }

    @Test
    void fieldsNamedByConnectionStayOnTheirHopOnAKeptConnectionToo() throws Exception {
        try (RawHttp client = new RawHttp(VIP, port)) {
            for (int i = 0; i < 2; i++) {
                client.send("GET /kept HTTP/1.1\r\nHost: t.example\r\nConnection: X-Hop, keep-alive\r\nX-Hop: 1\r\n\r\n");
                assertThat(client.readMessage()).isEqualTo("HTTP/1.1 200 OK\r\nX-Public: kept\r\nContent-Length: 2\r\n\r\nok");
            }
        }
        // both requests on one member connection, which the member's Connection header did not end
        assertThat(member.received()).containsExactly("GET /kept HTTP/1.1\r\nHost: t.example\r\n\r\n".repeat(2));
    }

    @Test
    void anHttp10ClientAskingForKeepAliveIsToldOnItsOwnHop() throws Exception {
        try (RawHttp client = new RawHttp(VIP, port)) {
            client.send("GET /old HTTP/1.0\r\nHost: t.example\r\nConnection: keep-alive\r\n\r\n");
            assertThat(client.readMessage()).isEqualTo(
                    "HTTP/1.1 200 OK\r\nX-Public: kept\r\nContent-Length: 2\r\nconnection: keep-alive\r\n\r\nok");
        }
        assertThat(member.received()).containsExactly("GET /old HTTP/1.0\r\nHost: t.example\r\n\r\n");
    }
}
