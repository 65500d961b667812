package dev.lbaas.amphora.proxy;

import static dev.lbaas.amphora.testing.Configs.config;
import static dev.lbaas.amphora.testing.Configs.freePort;
import static dev.lbaas.amphora.testing.Configs.listener;
import static dev.lbaas.amphora.testing.Configs.member;
import static dev.lbaas.amphora.testing.Configs.pool;
import static org.assertj.core.api.Assertions.assertThat;

import dev.lbaas.amphora.config.ListenerProtocol;
import dev.lbaas.amphora.config.MemberHealth;
import dev.lbaas.amphora.config.PoolProtocol;
import dev.lbaas.amphora.testing.NamedHttpBackend;
import dev.lbaas.amphora.testing.RawHttp;
import dev.lbaas.amphora.testing.RunningDataplane;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class HttpProxyIT {

    private static final String VIP = "127.1.1.1";

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private RunningDataplane amphora;
    private NamedHttpBackend web1;
    private NamedHttpBackend web2;
    private int port;

    @BeforeEach
    void start() throws Exception {
        amphora = new RunningDataplane();
        web1 = new NamedHttpBackend("web1");
        web2 = new NamedHttpBackend("web2");
        port = freePort(VIP);
    }

    @AfterEach
    void stop() {
        amphora.close();
        web1.close();
        web2.close();
    }

    private void serve(int weight1, int weight2, String... insertHeaders) {
        amphora.apply(config(1, VIP, List.of(listener("l", ListenerProtocol.HTTP, port, "p", insertHeaders)),
                pool("p", PoolProtocol.HTTP, null, member("m1", web1.port(), weight1),
                        member("m2", web2.port(), weight2))));
    }

    private List<String> get(int times) throws Exception {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < times; i++) {
            HttpResponse<String> response = http.send(
                    HttpRequest.newBuilder(URI.create("http://" + VIP + ":" + port + "/")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).isEqualTo(200);
            names.add(response.body());
        }
        return names;
    }

    @Test
    void equalWeightsAlternateStrictlyEvenOnOneKeepAliveConnection() throws Exception {
        serve(1, 1);
        assertThat(get(6)).containsExactly("web1", "web2", "web1", "web2", "web1", "web2");
    }

    @Test
    void weightsThreeToOneGiveThreeToOne() throws Exception {
        serve(3, 1);
        assertThat(get(8)).filteredOn("web1"::equals).hasSize(6);
    }

    @Test
    void rawKeepAliveConnectionServesSequentialRequestsAndHonoursConnectionClose() throws Exception {
        serve(1, 1);
        try (RawHttp client = new RawHttp(VIP, port)) {
            client.send("GET / HTTP/1.1\r\nHost: lb\r\n\r\n");
            String first = client.readResponse();
            client.send("GET / HTTP/1.1\r\nHost: lb\r\n\r\n");
            String second = client.readResponse();
            assertThat(List.of(first, second)).containsExactlyInAnyOrder("HTTP/1.1 200 OK\nweb1", "HTTP/1.1 200 OK\nweb2");
            client.send("GET / HTTP/1.1\r\nHost: lb\r\nConnection: close\r\n\r\n");
            assertThat(client.readResponse()).startsWith("HTTP/1.1 200 OK");
            assertThat(client.closedByServer()).isTrue();
        }
    }

    @Test
    void pipelinedRequestsAreAnsweredInOrder() throws Exception {
        serve(1, 0);
        try (RawHttp client = new RawHttp(VIP, port)) {
            client.send("GET / HTTP/1.1\r\nHost: lb\r\n\r\nGET / HTTP/1.1\r\nHost: lb\r\n\r\nHEAD / HTTP/1.1\r\nHost: lb\r\n\r\n");
            assertThat(client.readResponse()).isEqualTo("HTTP/1.1 200 OK\nweb1");
            assertThat(client.readResponse()).isEqualTo("HTTP/1.1 200 OK\nweb1");
            assertThat(client.readHead()).startsWith("HTTP/1.1 200 OK");
        }
    }

    @Test
    void aResponseToHeadEndsAtItsHeadWhateverItsContentLengthSays() throws Exception {
        // Servers answer HEAD with the Content-Length a GET would have and no body; a proxy that
        // waited for that body would take the next response's bytes for it.
        try (ServerSocket member = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Thread server = new Thread(() -> answerHeadLikeGet(member), "head-member");
            server.setDaemon(true);
            server.start();
            amphora.apply(config(1, VIP, List.of(listener("l", ListenerProtocol.HTTP, port, "p")),
                    pool("p", PoolProtocol.HTTP, null, member("m1", member.getLocalPort(), 1))));
            try (RawHttp client = new RawHttp(VIP, port)) {
                for (int i = 0; i < 3; i++) {
                    client.send("HEAD / HTTP/1.1\r\nHost: lb\r\n\r\n");
                    assertThat(client.readHead()).startsWith("HTTP/1.1 200 OK").contains("Content-Length: 5");
                    client.send("GET / HTTP/1.1\r\nHost: lb\r\n\r\n");
                    assertThat(client.readResponse()).isEqualTo("HTTP/1.1 200 OK\nhello");
                }
            }
        }
    }

    /** A member answering every request on each of its connections, HEAD with a GET's head. */
    private static void answerHeadLikeGet(ServerSocket member) {
        while (!member.isClosed()) {
            try (Socket connection = member.accept()) {
                InputStream in = connection.getInputStream();
                OutputStream out = connection.getOutputStream();
                while (true) {
                    String head = RawHttp.readHead(in);
                    String answer = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n";
                    out.write((head.startsWith("HEAD ") ? answer : answer + "hello").getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                }
            } catch (IOException e) {
                // the connection or the member closed
            }
        }
    }

    @Test
    void trailerFieldsOfChunkedMessagesPassBothWays() throws Exception {
        // The amphora makes a trailer section only for a message that has one (LazyTrailers).
        try (ServerSocket member = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            BlockingQueue<String> received = new LinkedBlockingQueue<>();
            Thread server = new Thread(() -> answerWithTrailers(member, received), "trailer-member");
            server.setDaemon(true);
            server.start();
            amphora.apply(config(1, VIP, List.of(listener("l", ListenerProtocol.HTTP, port, "p")),
                    pool("p", PoolProtocol.HTTP, null, member("m1", member.getLocalPort(), 1))));
            try (RawHttp client = new RawHttp(VIP, port)) {
                client.send("POST / HTTP/1.1\r\nHost: lb\r\nTransfer-Encoding: chunked\r\n\r\n"
                        + "4\r\nwiki\r\n0\r\nX-Checksum: abc\r\n\r\n");
                assertThat(client.readHead()).startsWith("HTTP/1.1 200 OK").containsIgnoringCase("transfer-encoding: chunked");
                // A chunked body ends with its trailer section and an empty line, as a head does.
                assertThat(client.readHead()).isEqualTo("5\r\nhello\r\n0\r\nX-Digest: 42\r\n\r\n");
                assertThat(received.poll(5, TimeUnit.SECONDS)).isEqualTo("4\r\nwiki\r\n0\r\nX-Checksum: abc\r\n\r\n");

                // The next request carries no trailer field, and none reaches the member: each message has its own.
                client.send("POST / HTTP/1.1\r\nHost: lb\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nwiki\r\n0\r\n\r\n");
                assertThat(client.readHead()).startsWith("HTTP/1.1 200 OK");
                assertThat(client.readHead()).isEqualTo("5\r\nhello\r\n0\r\nX-Digest: 42\r\n\r\n");
                assertThat(received.poll(5, TimeUnit.SECONDS)).isEqualTo("4\r\nwiki\r\n0\r\n\r\n");
            }
        }
    }

    /**
     * A member reading chunked requests whole, trailer included, and answering each with a
     * chunked body and a trailer field; what it read of each body goes to {@code received}.
     */
    private static void answerWithTrailers(ServerSocket member, BlockingQueue<String> received) {
        while (!member.isClosed()) {
            try (Socket connection = member.accept()) {
                InputStream in = connection.getInputStream();
                OutputStream out = connection.getOutputStream();
                while (true) {
                    RawHttp.readHead(in);
                    received.add(RawHttp.readHead(in));
                    out.write(("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                            + "5\r\nhello\r\n0\r\nX-Digest: 42\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                }
            } catch (IOException e) {
                // the connection or the member closed
            }
        }
    }

    @Test
    void chunkedBodiesStreamThroughIntactBothWays() throws Exception {
        serve(1, 1);
        byte[] body = new byte[1024 * 1024 + 17];
        new Random(7).nextBytes(body);
        HttpResponse<byte[]> response = http.send(
                HttpRequest.newBuilder(URI.create("http://" + VIP + ":" + port + "/echo"))
                        .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(body)))
                        .build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo(body);
    }

    @Test
    void requestSmugglingIsRefused() throws Exception {
        serve(1, 1);
        try (RawHttp client = new RawHttp(VIP, port)) {
            client.send("POST / HTTP/1.1\r\nHost: lb\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + "0\r\n\r\nGET /admin HTTP/1.1\r\nHost: lb\r\n\r\n");
            assertThat(client.readResponse()).startsWith("HTTP/1.1 400");
            assertThat(client.closedByServer()).isTrue();
        }
        try (RawHttp client = new RawHttp(VIP, port)) {
            client.send("POST / HTTP/1.1\r\nHost: lb\r\nContent-Length: 4\r\nContent-Length: 5\r\n\r\nabcde");
            assertThat(client.readResponse()).startsWith("HTTP/1.1 400");
        }
    }

    @Test
    void oversizedHeadersAreRefused() throws Exception {
        serve(1, 1);
        try (RawHttp client = new RawHttp(VIP, port)) {
            client.send("GET / HTTP/1.1\r\nHost: lb\r\nX-Big: " + "a".repeat(40 * 1024) + "\r\n\r\n");
            assertThat(client.readResponse()).startsWith("HTTP/1.1 431");
        }
        // Within the size limit, yet more fields than a message may carry (HAProxy refuses them too).
        StringBuilder many = new StringBuilder("GET / HTTP/1.1\r\nHost: lb\r\n");
        for (int i = 0; i < 128; i++) {
            many.append("X-Field-").append(i).append(": ").append(i).append("\r\n");
        }
        try (RawHttp client = new RawHttp(VIP, port)) {
            client.send(many + "\r\n");
            assertThat(client.readResponse()).startsWith("HTTP/1.1 431");
        }
        // One field fewer is served.
        try (RawHttp client = new RawHttp(VIP, port)) {
            client.send(many.substring(0, many.lastIndexOf("X-Field-127")) + "\r\n");
            assertThat(client.readResponse()).startsWith("HTTP/1.1 200");
        }
    }

    @Test
    void insertsForwardingHeaders() throws Exception {
        serve(1, 0, "X-Forwarded-For", "X-Forwarded-Port", "X-Forwarded-Proto", "X-Real-IP");
        get(1);
        var headers = web1.seenHeaders.get(0);
        assertThat(headers.getFirst("X-Forwarded-For")).isEqualTo("127.0.0.1");
        assertThat(headers.getFirst("X-Real-IP")).isEqualTo("127.0.0.1");
        assertThat(headers.getFirst("X-Forwarded-Port")).isEqualTo(Integer.toString(port));
        assertThat(headers.getFirst("X-Forwarded-Proto")).isEqualTo("http");
    }

    @Test
    void answers503WhenNoMemberCanServe() throws Exception {
        serve(0, 0);
        HttpResponse<String> response = http.send(
                HttpRequest.newBuilder(URI.create("http://" + VIP + ":" + port + "/")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(503);
        web2.stop();
        serveWithDeadSecondMember();
        // the dead member is skipped on connect failure, so every request still succeeds
        long before = amphora.dataplane.status().listeners().get(0).stats().totalConnections();
        for (int i = 0; i < 4; i++) {
            try (RawHttp client = new RawHttp(VIP, port)) {
                client.send("GET / HTTP/1.1\r\nHost: lb\r\nConnection: close\r\n\r\n");
                assertThat(client.readResponse()).isEqualTo("HTTP/1.1 200 OK\nweb1");
            }
        }
        assertThat(amphora.health("m2")).as("taken out when it refused").isEqualTo(MemberHealth.DOWN);
        assertThat(amphora.dataplane.status().listeners().get(0).stats().totalConnections()).isEqualTo(before + 4);
    }

    private void serveWithDeadSecondMember() {
        amphora.apply(config(2, VIP, List.of(listener("l", ListenerProtocol.HTTP, port, "p")),
                pool("p", PoolProtocol.HTTP, null, member("m1", web1.port(), 1), member("m2", web2.port(), 1))));
    }

    @Test
    void http10ClientGetsACloseDelimitedAnswer() throws Exception {
        serve(1, 0);
        try (RawHttp client = new RawHttp(VIP, port)) {
            client.send("GET / HTTP/1.0\r\n\r\n");
            assertThat(client.readResponse()).isEqualTo("HTTP/1.1 200 OK\nweb1");
            assertThat(client.closedByServer()).isTrue();
        }
    }
}
