package dev.lbaas.amphora.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lbaas.amphora.testing.RawHttp;
import dev.lbaas.amphora.testing.RecordedHttpListener;
import dev.lbaas.amphora.testing.RecordingHttpBackend;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Requests that would make the amphora and a member read different requests from the same bytes,
 * sent as raw bytes. Each test says what the client gets and, from a member that records every
 * byte it receives, exactly what reached the member, including what the next client's request
 * looked like on the member connection the attacker's request would have left behind.
 */
class RequestSmugglingIT {

    private static final String VIP = "127.1.18.1";
    private static final String WARM_UP = "GET /warm-up HTTP/1.1\r\nHost: t.example\r\n\r\n";
    private static final String VICTIM = "GET /victim HTTP/1.1\r\nHost: t.example\r\nCookie: session=victim-secret\r\n\r\n";
    /** What an attacker wants the member to take as the start of the next client's request. */
    private static final String SMUGGLED = "GET /smuggled-prefix HTTP/1.1\r\nX-Junk: ";

    private RecordedHttpListener listener;
    private RecordingHttpBackend member;
    private int port;

    @BeforeEach
    void start() throws Exception {
        listener = new RecordedHttpListener(VIP);
        member = listener.member;
        port = listener.port;
    }

    @AfterEach
    void stop() throws Exception {
        listener.close();
    }

    /**
     * The attacker's request leaves a member connection behind in the pool; whatever of it reached
     * the member, the victim's request, sent next on a connection of its own, must reach the
     * member exactly as sent and be answered with its own answer.
     */
    private void assertVictimUnaffected(String... forwardedBefore) throws Exception {
        try (RawHttp victim = new RawHttp(VIP, port)) {
            victim.send(VICTIM);
            assertThat(victim.readResponse()).startsWith("HTTP/1.1 200 OK\n").endsWith(": GET /victim HTTP/1.1");
        }
        assertThat(String.join("", member.received())).isEqualTo(String.join("", forwardedBefore) + VICTIM);
        assertThat(member.requests()).extracting(RecordingHttpBackend.Request::requestLine)
                .last().isEqualTo("GET /victim HTTP/1.1");
    }

    static Stream<Arguments> connectionNamingFramingOrHost() {
        String lengthBody = SMUGGLED;
        String chunkedBody = Integer.toHexString(SMUGGLED.length()) + "\r\n" + SMUGGLED + "\r\n0\r\n\r\n";
        return Stream.of(
                Arguments.of("Content-Length", "Content-Length: " + lengthBody.length(), lengthBody),
                Arguments.of("content-length", "Content-Length: " + lengthBody.length(), lengthBody),
                Arguments.of("close, content-length", "Content-Length: " + lengthBody.length(), lengthBody),
                Arguments.of("Transfer-Encoding", "Transfer-Encoding: chunked", chunkedBody),
                Arguments.of("keep-alive,Host", "Content-Length: " + lengthBody.length(), lengthBody));
    }

    @ParameterizedTest(name = "Connection: {0}")
    @MethodSource("connectionNamingFramingOrHost")
    void aConnectionHeaderNamingFramingOrHostIsRefusedAndNothingOfItReachesTheMember(String connection,
            String framing, String body) throws Exception {
        try (RawHttp attacker = new RawHttp(VIP, port)) {
            attacker.send(WARM_UP);
            assertThat(attacker.readResponse()).isEqualTo("HTTP/1.1 200 OK\nconnection 1 request 1: GET /warm-up HTTP/1.1");
            attacker.send("POST /attack HTTP/1.1\r\nHost: t.example\r\n" + framing + "\r\nConnection: " + connection
                    + "\r\n\r\n" + body);
            assertThat(attacker.readResponse()).startsWith("HTTP/1.1 400 Bad Request\n")
                    .contains("the Connection header names");
            assertThat(attacker.closedByServer()).isTrue();
        }
        assertVictimUnaffected(WARM_UP);
    }

    static Stream<Arguments> malformedChunkedBodies() {
        return Stream.of(
                Arguments.of("negative size", "-5\r\nhello\r\n0\r\n\r\n"),
                Arguments.of("size of 18 hex digits", "ffffffffffffffffff\r\nhello\r\n0\r\n\r\n"),
                Arguments.of("size over 2^64", "10000000000000000\r\nhello\r\n0\r\n\r\n"),
                Arguments.of("0x prefix", "0x5\r\nhello\r\n0\r\n\r\n"),
                Arguments.of("100 KB chunk extension", "5;" + "x".repeat(100 * 1024) + "\r\nhello\r\n0\r\n\r\n"),
                Arguments.of("5000 extension parameters", "5" + ";a".repeat(5000) + "\r\nhello\r\n0\r\n\r\n"),
                Arguments.of("bad chunk terminator", "5\r\nhelloXX0\r\n\r\n"),
                Arguments.of("bare LF after chunk data", "5\r\nhello\n0\r\n\r\n"),
                Arguments.of("bare LF after chunk size", "5\nhello\r\n0\r\n\r\n"),
                Arguments.of("space inside chunk size", "5 5\r\nhello\r\n0\r\n\r\n"),
                Arguments.of("chunk extension without a name", "5;\r\nhello\r\n0\r\n\r\n"),
                Arguments.of("chunk extension value cut by a space", "5;a=b c\r\nhello\r\n0\r\n\r\n"),
                Arguments.of("folded trailer field", "5\r\nhello\r\n0\r\nX-T: 1\r\n 2\r\n\r\n"),
                Arguments.of("Content-Length in the trailer", "5\r\nhello\r\n0\r\nContent-Length: 3\r\n\r\n"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformedChunkedBodies")
    void aMalformedChunkedBodyIsRefusedAndItsMemberConnectionClosed(String name, String body) throws Exception {
        String head = "POST /upload HTTP/1.1\r\nHost: t.example\r\nTransfer-Encoding: chunked\r\n\r\n";
        try (RawHttp attacker = new RawHttp(VIP, port)) {
            attacker.send(head + body + SMUGGLED);
            assertThat(attacker.readResponse()).startsWith("HTTP/1.1 400 Bad Request\n")
                    .contains("malformed chunked body");
            assertThat(attacker.closedByServer()).isTrue();
        }
        // No member read a request from it; a member connection that got its head is closed, not pooled.
        assertThat(member.requests()).isEmpty();
        for (RecordingHttpBackend.Connection connection : member.connections()) {
            assertThat(connection.awaitClosed(Duration.ofSeconds(5))).isTrue();
            assertThat(head).startsWith(connection.received());
        }
        String partOfTheAttack = member.connections().isEmpty() ? "" : member.connections().get(0).received();
        assertVictimUnaffected(partOfTheAttack);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {
        "POST /upload HTTP/1.1\r\nHost: t.example\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n",
        "POST /upload HTTP/1.1\r\nHost: t.example\r\nContent-Length: 10\r\n\r\nhello",
    })
    void aBodyCutShortByTheClientIsAnsweredAndItsMemberConnectionClosed(String partOfARequest) throws Exception {
        try (RawHttp client = new RawHttp(VIP, port)) {
            client.send(partOfARequest);
            awaitMemberReceived(partOfARequest);
            client.shutdownOutput();
            assertThat(client.readResponse()).isEqualTo(
                    "HTTP/1.1 400 Bad Request\nthe connection ended inside the request's body\n");
            assertThat(client.closedByServer()).isTrue();
        }
        assertThat(member.connections().get(0).awaitClosed(Duration.ofSeconds(5))).isTrue();
        assertThat(member.requests()).isEmpty();
        assertVictimUnaffected(partOfARequest);
    }

    private void awaitMemberReceived(String expected) throws InterruptedException {
        for (int i = 0; i < 100 && (member.connections().isEmpty()
                || !member.connections().get(0).received().equals(expected)); i++) {
            Thread.sleep(20);
        }
        assertThat(member.connections()).isNotEmpty();
        assertThat(member.connections().get(0).received()).isEqualTo(expected);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {
        // two Host fields
        "GET / HTTP/1.1\r\nHost: t.example\r\nHost: other.example\r\n\r\n",
        // HTTP/1.1 without Host
        "GET / HTTP/1.1\r\nAccept: */*\r\n\r\n",
        // an absolute-form target naming another host than Host
        "GET http://internal.example/admin HTTP/1.1\r\nHost: t.example\r\n\r\n",
        // a Host that is no host[:port]
        "GET / HTTP/1.1\r\nHost: t.example/admin\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: user@t.example\r\n\r\n",
        // userinfo in an absolute-form target
        "GET http://user@t.example/ HTTP/1.1\r\nHost: t.example\r\n\r\n",
        // a control character in the target
        "GET /a\u0001b HTTP/1.1\r\nHost: t.example\r\n\r\n",
        // obsolete line folding, on any field
        "GET / HTTP/1.1\r\nHost: t.example\r\nX-Note: first\r\n second\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: t.example\r\nContent-Length: 0\r\n\t5\r\n\r\n",
        // Transfer-Encoding in HTTP/1.0 (RFC 9112, 6.1)
        "POST / HTTP/1.0\r\nHost: t.example\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
        // what Netty's decoder read leniently and llhttp does not (found by HttpDifferentialIT)
        "GET\t/ HTTP/1.1\r\nHost: t.example\r\n\r\n",
        "GET  / HTTP/1.1\r\nHost: t.example\r\n\r\n",
        "GET \u000b/ HTTP/1.1\r\nHost: t.example\r\n\r\n",
        "GET / http/1.1\r\nHost: t.example\r\n\r\n",
        "PRI /p HTTP/1.1\r\nHost: t.example\r\n\r\n",
        "POST / HTTP/1.0\r\nHost: t.example\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\nhello",
        "POST / HTTP/1.1\r\nHost: t.example\r\nContent-Length: 5\t\r\n\r\nhello",
        "POST / HTTP/1.1\r\nHost: t.example\r\nTransfer-Encoding: chunked,\r\n\r\n0\r\n\r\n",
        "POST / HTTP/1.1\r\nHost: t.example\r\nTransfer-Encoding: chunked\t\r\n\r\n0\r\n\r\n",
        "POST / HTTP/1.1\r\nHost: t.example\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: t.example\r\nX-Note: a\rb\r\n\r\n",
    })
    void aRequestOutsideTheRulesOfHostTargetAndFramingIsRefusedBeforeAnyMember(String request) throws Exception {
        try (RawHttp client = new RawHttp(VIP, port)) {
            client.send(request + WARM_UP);
            assertThat(client.readResponse()).startsWith("HTTP/1.1 400 Bad Request\n");
            assertThat(client.closedByServer()).isTrue();
        }
        assertThat(member.received()).isEmpty();
        assertVictimUnaffected();
    }

    @Test
    void aVersionOtherThanOneZeroOrOneOneIsNotServed() throws Exception {
        try (RawHttp client = new RawHttp(VIP, port)) {
            client.send("GET / HTTP/1.2\r\nHost: t.example\r\n\r\n");
            assertThat(client.readResponse()).isEqualTo(
                    "HTTP/1.1 505 HTTP Version Not Supported\nonly HTTP/1.0 and HTTP/1.1 are served\n");
        }
        try (RawHttp client = new RawHttp(VIP, port)) {
            client.send("CONNECT t.example:443 HTTP/1.1\r\nHost: t.example:443\r\n\r\n");
            assertThat(client.readResponse()).isEqualTo("HTTP/1.1 501 Not Implemented\nCONNECT is not served\n");
        }
        try (RawHttp client = new RawHttp(VIP, port)) {
            client.send("POST / HTTP/1.1\r\nHost: t.example\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n");
            assertThat(client.readResponse()).isEqualTo(
                    "HTTP/1.1 501 Not Implemented\nonly the chunked transfer coding is served\n");
        }
        assertThat(member.received()).isEmpty();
    }

    @Test
    void requestsWithinTheRulesReachTheMemberAsSent() throws Exception {
        List<String> requests = List.of(
                "GET http://t.example/p HTTP/1.1\r\nHost: t.example\r\n\r\n",
                "GET http://T.example:80/p HTTP/1.1\r\nHost: t.example\r\n\r\n",
                "OPTIONS * HTTP/1.1\r\nHost: t.example\r\n\r\n",
                "GET / HTTP/1.1\r\nHost: [::1]:8080\r\n\r\n",
                "GET / HTTP/1.1\r\nHost: \r\n\r\n",
                "POST /form HTTP/1.1\r\nHost: t.example\r\nContent-Length: 5\r\n\r\nhello",
                "POST /form HTTP/1.1\r\nHost: t.example\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n");
        try (RawHttp client = new RawHttp(VIP, port)) {
            for (String request : requests) {
                client.send(request);
                assertThat(client.readResponse()).startsWith("HTTP/1.1 200 OK\n");
            }
        }
        assertThat(member.received()).containsExactly(String.join("", requests));
        try (RawHttp client = new RawHttp(VIP, port)) {
            // HTTP/1.0 needs no Host
            client.send("GET /old HTTP/1.0\r\n\r\n");
            assertThat(client.readResponse()).startsWith("HTTP/1.1 200 OK\n").endsWith(": GET /old HTTP/1.0");
        }
    }
    @Test
    void aMemberResponseWithAMalformedChunkIsCutAndItsConnectionIsNotReused() throws Exception {
        member.responder = request -> request.requestLine().startsWith("GET /broken")
                ? "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhelloXX5\r\nworld\r\n0\r\n\r\n"
                : RecordingHttpBackend.NAME_THE_REQUEST.apply(request);
        try (RawHttp client = new RawHttp(VIP, port)) {
            client.send("GET /broken HTTP/1.1\r\nHost: t.example\r\n\r\n");
            // at most a head and part of a body, never a whole response the client could take for complete
            assertThat(client.readUntilClosed()).doesNotContain("world").doesNotEndWith("0\r\n\r\n");
        }
        assertThat(member.connections().get(0).awaitClosed(Duration.ofSeconds(5))).isTrue();
        try (RawHttp client = new RawHttp(VIP, port)) {
            client.send(VICTIM);
            assertThat(client.readResponse()).isEqualTo("HTTP/1.1 200 OK\nconnection 2 request 1: GET /victim HTTP/1.1");
        }
    }

    @Test
    void aMemberResponseWhoseConnectionHeaderNamesContentLengthKeepsItsFraming() throws Exception {
        member.responder = request -> "HTTP/1.1 200 OK\r\nConnection: Content-Length\r\nContent-Length: 5\r\n\r\nhello";
        try (RawHttp client = new RawHttp(VIP, port)) {
            for (int i = 0; i < 2; i++) {
                client.send(WARM_UP);
                assertThat(client.readMessage()).isEqualTo("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello");
            }
        }
    }

    @Test
    void aMemberThatSwitchesProtocolsUnaskedGetsBadGatewayAndLosesItsConnection() throws Exception {
        member.responder = request -> "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n";
        try (RawHttp client = new RawHttp(VIP, port)) {
            client.send("GET /chat HTTP/1.1\r\nHost: t.example\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n");
            assertThat(client.readResponse()).isEqualTo("HTTP/1.1 502 Bad Gateway\nthe server switched protocols unasked\n");
        }
        // Upgrade and Connection never reached the member, which switched on its own
        assertThat(member.received()).containsExactly("GET /chat HTTP/1.1\r\nHost: t.example\r\n\r\n");
        assertThat(member.connections().get(0).awaitClosed(Duration.ofSeconds(5))).isTrue();
    }

    @Test
    void chunkedFramingReachesTheMemberInOneSpellingWithoutExtensions() throws Exception {
        try (RawHttp client = new RawHttp(VIP, port)) {
            client.send("POST /form HTTP/1.1\r\nHost: t.example\r\nTransfer-Encoding:  Chunked \r\n\r\n"
                    + "5;name=value;q=\"a \\\"b\\\"\" ;flag\r\nhello\r\n0\r\nX-Checksum: 1\r\n\r\n");
            assertThat(client.readResponse()).startsWith("HTTP/1.1 200 OK\n");
        }
        assertThat(member.received()).containsExactly("POST /form HTTP/1.1\r\nHost: t.example\r\n"
                + "transfer-encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\nX-Checksum: 1\r\n\r\n");
    }
}
