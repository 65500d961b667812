package dev.lbaas.amphora.proxy;

import static dev.lbaas.amphora.testing.Configs.config;
import static dev.lbaas.amphora.testing.Configs.freePort;
import static dev.lbaas.amphora.testing.Configs.member;
import static dev.lbaas.amphora.testing.Configs.pool;
import static org.assertj.core.api.Assertions.assertThat;

import dev.lbaas.amphora.config.ListenerConfig;
import dev.lbaas.amphora.config.ListenerProtocol;
import dev.lbaas.amphora.config.ListenerTimeouts;
import dev.lbaas.amphora.config.ListenerTlsConfig;
import dev.lbaas.amphora.config.LbAlgorithm;
import dev.lbaas.amphora.config.MemberConfig;
import dev.lbaas.amphora.config.PoolConfig;
import dev.lbaas.amphora.config.PoolProtocol;
import dev.lbaas.amphora.config.PoolTlsConfig;
import dev.lbaas.amphora.testing.Http2Member;
import dev.lbaas.amphora.testing.NamedHttpBackend;
import dev.lbaas.amphora.testing.RawHttp;
import dev.lbaas.amphora.testing.RawHttp2;
import dev.lbaas.amphora.testing.RecordingHttpBackend;
import dev.lbaas.amphora.testing.RunningDataplane;
import dev.lbaas.amphora.testing.TlsIdentities;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Headers;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * HTTP/2 to clients with real clients (the JDK's HttpClient and curl over TLS with ALPN, curl and
 * a raw frame client over cleartext with prior knowledge), mapped to HTTP/1.1 member connections
 * or, for pools that say so, to HTTP/2 members (Netty's HTTP/2 server, over cleartext and TLS):
 * streams multiplexed on one connection, bodies larger than any flow-control window both ways,
 * trailers back from a gRPC-shaped member, requests that HTTP/2 can carry but HTTP/1.1 must never
 * receive refused before a member sees a byte of them, and connections that end when unused.
 */
class Http2IT {

    private static final String VIP = "127.0.0.1";

    @TempDir
    Path temp;

    private static ListenerConfig https(int port, ListenerTlsConfig tls) {
        return new ListenerConfig("l", null, ListenerProtocol.TERMINATED_HTTPS, port, -1, true, "web", null, null,
                List.of("X-Forwarded-Proto"), null, tls);
    }

    private static ListenerConfig http(int port, boolean h2cPriorKnowledge) {
        return new ListenerConfig("l", null, ListenerProtocol.HTTP, port, -1, true, "web", null, null, null, null,
                null, h2cPriorKnowledge);
    }

    private static ListenerTlsConfig tls(TlsIdentities pki, List<String> alpn) throws Exception {
        return new ListenerTlsConfig(pki.server("localhost", "localhost"), null, null, null, alpn, null, null, null,
                null);
    }

    @Test
    void tlsClientsChooseHttp2ByAlpnAndItsStreamsShareTheConnection() throws Exception {
        TlsIdentities pki = new TlsIdentities("h2");
        try (RunningDataplane amphora = new RunningDataplane(); NamedHttpBackend web = new NamedHttpBackend("web")) {
            int port = freePort(VIP);
            amphora.apply(config(1, VIP, List.of(https(port, tls(pki, null))),
                    pool("web", PoolProtocol.HTTP, null, member("w", web.port(), 1))));
            HttpClient client = HttpClient.newBuilder().sslContext(pki.clientContext(null))
                    .version(HttpClient.Version.HTTP_2).connectTimeout(Duration.ofSeconds(5)).build();
            URI root = URI.create("https://localhost:" + port + "/");

            HttpResponse<String> first = client.send(HttpRequest.newBuilder(root).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(first.version()).isEqualTo(HttpClient.Version.HTTP_2);
            assertThat(first.statusCode()).isEqualTo(200);
            assertThat(first.body()).isEqualTo("web");
            var seen = web.seenHeaders.get(web.seenHeaders.size() - 1);
            assertThat(seen.getFirst("X-Forwarded-Proto")).isEqualTo("https");
            assertThat(seen.getFirst("Host")).isEqualTo("localhost:" + port);
            assertThat(seen.keySet()).as("the conversion's own fields never reach a member")
                    .noneMatch(name -> name.toLowerCase().startsWith("x-http2"));

            // Concurrent streams on the one connection the client keeps.
            List<CompletableFuture<HttpResponse<String>>> concurrent = new ArrayList<>();
            for (int i = 0; i < 32; i++) {
                concurrent.add(client.sendAsync(HttpRequest.newBuilder(root).build(),
                        HttpResponse.BodyHandlers.ofString()));
            }
            for (CompletableFuture<HttpResponse<String>> response : concurrent) {
                assertThat(response.get(10, TimeUnit.SECONDS).body()).isEqualTo("web");
                assertThat(response.get().version()).isEqualTo(HttpClient.Version.HTTP_2);
            }
            assertThat(amphora.dataplane.status().listeners().get(0).stats().totalConnections())
                    .as("every stream went on the first connection").isEqualTo(1);

            // A body far larger than the stream and connection windows, both ways.
            byte[] upload = new byte[3 << 20];
            new Random(7).nextBytes(upload);
            HttpResponse<byte[]> echoed = client.send(HttpRequest.newBuilder(root.resolve("/echo"))
                    .POST(HttpRequest.BodyPublishers.ofByteArray(upload)).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            assertThat(echoed.version()).isEqualTo(HttpClient.Version.HTTP_2);
            assertThat(Arrays.equals(echoed.body(), upload)).as("the echoed body is the uploaded one").isTrue();

            // curl, with nghttp2
            Path ca = temp.resolve("ca.pem");
            Files.writeString(ca, pki.caPem());
            assertThat(curl("--http2", "--cacert", ca.toString(), root.toString()))
                    .isEqualTo("web 2");
        }
    }

    @Test
    void aListenerWithoutH2InItsAlpnServesHttp11Only() throws Exception {
        TlsIdentities pki = new TlsIdentities("h1");
        try (RunningDataplane amphora = new RunningDataplane(); NamedHttpBackend web = new NamedHttpBackend("web")) {
            int port = freePort(VIP);
            amphora.apply(config(1, VIP, List.of(https(port, tls(pki, List.of("http/1.1")))),
                    pool("web", PoolProtocol.HTTP, null, member("w", web.port(), 1))));
            Path ca = temp.resolve("ca.pem");
            Files.writeString(ca, pki.caPem());
            assertThat(curl("--http2", "--cacert", ca.toString(), "https://localhost:" + port + "/"))
                    .isEqualTo("web 1.1");
        }
    }

    @Test
    void cleartextHttp2WithPriorKnowledgeWhereTheListenerTakesIt() throws Exception {
        try (RunningDataplane amphora = new RunningDataplane(); NamedHttpBackend web = new NamedHttpBackend("web")) {
            int h2c = freePort(VIP);
            int plain = freePort(VIP);
            amphora.apply(config(1, VIP, List.of(http(h2c, true), withId(http(plain, false), "plain")),
                    pool("web", PoolProtocol.HTTP, null, member("w", web.port(), 1))));

            assertThat(curl("--http2-prior-knowledge", "http://localhost:" + h2c + "/")).isEqualTo("web 2");
            assertThat(get(h2c)).as("HTTP/1.1 clients on the same port").startsWith("HTTP/1.1 200").endsWith("web");

            // Elsewhere the preface is an HTTP/1.1 request line that is refused.
            try (Socket socket = new Socket(VIP, plain)) {
                socket.setSoTimeout(5_000);
                socket.getOutputStream().write("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                assertThat(RawHttp.readHead(socket.getInputStream())).startsWith("HTTP/1.1 505");
            }
        }
    }

    @Test
    void requestsHttp11CouldReadOtherwiseNeverReachAMember() throws Exception {
        try (RunningDataplane amphora = new RunningDataplane(); RecordingHttpBackend member = new RecordingHttpBackend()) {
            int port = freePort(VIP);
            amphora.apply(config(1, VIP, List.of(http(port, true)),
                    pool("web", PoolProtocol.HTTP, null, member("w", member.port(), 1))));
            String authority = "localhost:" + port;
            Http2Headers injected = RawHttp2.request("GET", "/", authority);
            injected.add("x-note", "a\r\nTransfer-Encoding: chunked");
            assertRefused(port, "CR LF in a field value", injected);

            Http2Headers nul = RawHttp2.request("GET", "/", authority);
            nul.add("x-note", "a\0b");
            assertRefused(port, "NUL in a field value", nul);

            Http2Headers control = RawHttp2.request("GET", "/", authority);
            control.add("x-note", "a\u0001b");
            assertRefused(port, "a control character in a field value", control);

            Http2Headers chunked = RawHttp2.request("POST", "/", authority);
            chunked.add("transfer-encoding", "chunked");
            assertRefused(port, "Transfer-Encoding", chunked, "5\r\nhello\r\n0\r\n\r\n");

            Http2Headers keepAlive = RawHttp2.request("GET", "/", authority);
            keepAlive.add("connection", "keep-alive");
            assertRefused(port, "a connection-specific field", keepAlive);

            Http2Headers upper = RawHttp2.request("GET", "/", authority);
            upper.add("X-Upper", "1");
            assertRefused(port, "an upper-case field name", upper);

            Http2Headers noPath = RawHttp2.request("GET", "/", authority);
            noPath.remove(":path");
            assertRefused(port, "a request without :path", noPath);

            Http2Headers huge = RawHttp2.request("GET", "/", authority);
            huge.add("x-big", "a".repeat(40 * 1024));
            assertRefused(port, "a header section over the limit", huge);

            try (RawHttp2 client = new RawHttp2(VIP, port)) {
                // what HTTP/2 does not check but an HTTP/1.1 request line cannot carry
                RawHttp2.Response badMethod = client.exchange(RawHttp2.request("GET / HTTP/1.1", "/", authority));
                assertThat(badMethod.status()).as("a method with spaces: %s", badMethod).isEqualTo("400");
                assertThat(badMethod.body()).isEqualTo("the method is not a token\n");
                RawHttp2.Response badPath = client.exchange(RawHttp2.request("GET", "/a b", authority));
                assertThat(badPath.status()).as("a path with a space: %s", badPath).isEqualTo("400");

                Http2Headers otherHost = RawHttp2.request("GET", "/", authority);
                otherHost.add("host", "elsewhere.example.com");
                RawHttp2.Response twoHosts = client.exchange(otherHost);
                assertThat(twoHosts.status()).as("a Host that differs from :authority: %s", twoHosts)
                        .isEqualTo("400");
                assertThat(twoHosts.body()).isEqualTo("malformed request: Conflicting ':authority' and 'host' "
                        + "headers found\n");
            }

            // Content-Length that the DATA frames contradict, either way: the member connection
            // that has the head is closed, never reused, and no body byte past the length is sent.
            Http2Headers longer = RawHttp2.request("POST", "/", authority);
            longer.add("content-length", "5");
            assertRefused(port, "more DATA than Content-Length", longer, "hello",
                    "GET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n");

            Http2Headers shorter = RawHttp2.request("POST", "/", authority);
            shorter.add("content-length", "50");
            assertRefused(port, "less DATA than Content-Length", shorter, "hello");
            Thread.sleep(300);
            assertThat(String.join("", member.received())).doesNotContain("smuggled", "Transfer-Encoding",
                    "elsewhere", "x-big", "x-note", "X-Upper");
            for (RecordingHttpBackend.Connection connection : member.connections()) {
                assertThat(connection.awaitClosed(Duration.ofSeconds(5)))
                        .as("a member connection that has part of a refused request is closed: %s",
                                connection.received()).isTrue();
            }

            // The same client sends a proper request, with a body, and it is served.
            try (RawHttp2 client = new RawHttp2(VIP, port)) {
                Http2Headers sameHost = RawHttp2.request("GET", "/", authority);
                sameHost.add("host", authority);
                assertThat(client.exchange(sameHost).status()).as("a Host that says what :authority says")
                        .isEqualTo("200");
                Http2Headers good = RawHttp2.request("POST", "/upload", authority);
                RawHttp2.Response served = client.exchange(good, "hello ", "world");
                assertThat(served.status()).isEqualTo("200");
                assertThat(served.body()).contains("POST /upload HTTP/1.1");
                RecordingHttpBackend.Request last = member.requests().get(member.requests().size() - 1);
                assertThat(last.head()).containsIgnoringCase("transfer-encoding: chunked")
                        .doesNotContainIgnoringCase("x-http2");
                assertThat(last.body()).isEqualTo("hello world");
            }
        }
    }

    @Test
    void streamsEndCleanlyAndConnectionsWithoutStreamsEnd() throws Exception {
        try (RunningDataplane amphora = new RunningDataplane(); RecordingHttpBackend member = new RecordingHttpBackend()) {
            int port = freePort(VIP);
            int poolless = freePort(VIP);
            ListenerTimeouts quick = new ListenerTimeouts(1_000, 5_000, 5_000, 0, 5_000);
            amphora.apply(config(1, VIP, List.of(
                    new ListenerConfig("l", null, ListenerProtocol.HTTP, port, -1, true, "web", quick, null, null,
                            null, null, true),
                    new ListenerConfig("none", null, ListenerProtocol.HTTP, poolless, -1, true, null, null, null, null,
                            null, null, true)),
                    pool("web", PoolProtocol.HTTP, null, member("w", member.port(), 1))));
            String authority = "localhost:" + port;
            try (RawHttp2 client = new RawHttp2(VIP, port)) {
                // a frame of a type HTTP/2 does not define is ignored, not an error of the stream
                RawHttp2.Response withUnknown = client.exchange(RawHttp2.request("POST", "/u", authority), null, true,
                        "body");
                assertThat(withUnknown.status()).as("%s", withUnknown).isEqualTo("200");
                assertThat(member.requests().get(member.requests().size() - 1).body()).isEqualTo("body");

                // trailers that name a framing field break the request, as on HTTP/1.1
                Http2Headers framing = new DefaultHttp2Headers(false).add("content-length", "99");
                RawHttp2.Response broken = client.exchange(RawHttp2.request("POST", "/t", authority), framing, false,
                        "hello");
                assertRefused(broken, "Content-Length in the trailers");
                assertThat(member.connections().get(member.connections().size() - 1)
                        .awaitClosed(Duration.ofSeconds(5))).as("the member connection with part of it").isTrue();

                // A HEAD is answered without a body, whoever answers.
                RawHttp2.Response badHead = client.exchange(RawHttp2.request("HEAD", "/a b", authority));
                assertThat(badHead.status()).isEqualTo("400");
                assertThat(badHead.body()).isEmpty();
                assertThat(badHead.reset()).isNull();
            }
            try (RawHttp2 client = new RawHttp2(VIP, poolless)) {
                RawHttp2.Response noPool = client.exchange(RawHttp2.request("HEAD", "/", "localhost:" + poolless));
                assertThat(noPool.status()).isEqualTo("503");
                assertThat(noPool.body()).isEmpty();
            }

            // A connection without a stream ends after clientData, PINGs or not.
            try (RawHttp2 client = new RawHttp2(VIP, port)) {
                assertThat(client.exchange(RawHttp2.request("GET", "/", authority)).status()).isEqualTo("200");
                long start = System.nanoTime();
                Long goAway = null;
                while (goAway == null && System.nanoTime() - start < TimeUnit.SECONDS.toNanos(5)) {
                    client.ping();
                    goAway = client.goAway(300);
                }
                assertThat(goAway).as("the GOAWAY's error code").isEqualTo(0L);
                assertThat(Duration.ofNanos(System.nanoTime() - start)).isBetween(Duration.ofMillis(700),
                        Duration.ofSeconds(4));
            }
        }
    }

    @Test
    void poolsSpeakHttp2ToTheirMembersOverCleartextAndTlsWithTrailers() throws Exception {
        TlsIdentities pki = new TlsIdentities("h2-members");
        // one event loop, so one member connection carries every exchange
        try (RunningDataplane amphora = new RunningDataplane(1); Http2Member cleartext = new Http2Member("h2c", null);
                Http2Member tls = new Http2Member("h2", pki.serverIdentity("members.example.com"))) {
            int port = freePort(VIP);
            int tlsPort = freePort(VIP);
            amphora.apply(config(1, VIP, List.of(http(port, true), new ListenerConfig("tls-members", null,
                    ListenerProtocol.HTTP, tlsPort, -1, true, "secure", null, null, null, null, null, true)),
                    http2Pool("web", null, member("c", cleartext.port(), 1)),
                    http2Pool("secure", new PoolTlsConfig("members.example.com", pki.caPem(), null, null, null, null,
                            null), member("t", tls.port(), 1))));

            // HTTP/1.1 clients, one member connection: every exchange a stream of it
            for (int i = 0; i < 5; i++) {
                assertThat(get(port)).startsWith("HTTP/1.1 200").endsWith("h2c");
            }
            assertThat(cleartext.connections.get()).as("member connections").isEqualTo(1);
            HttpHeaders seen = cleartext.seenHeaders.get(cleartext.seenHeaders.size() - 1);
            assertThat(seen.get("te")).isEqualTo("trailers");
            assertThat(get(tlsPort)).as("h2 by ALPN to a member whose certificate is checked")
                    .startsWith("HTTP/1.1 200").endsWith("h2");

            // An HTTP/2 client and a gRPC-shaped exchange: body both ways, and trailers back.
            try (RawHttp2 client = new RawHttp2(VIP, port)) {
                Http2Headers call = RawHttp2.request("POST", "/grpc", "localhost:" + port);
                call.add("content-type", "application/grpc");
                RawHttp2.Response reply = client.exchange(call, "ping");
                assertThat(reply.status()).isEqualTo("200");
                assertThat(reply.body()).isEqualTo("reply to ping");
                assertThat(reply.trailers()).as("trailers: %s", reply).isNotNull();
                assertThat(reply.trailers().get("grpc-status")).hasToString("0");
                assertThat(reply.trailers().get("grpc-message")).hasToString("done");

                RawHttp2.Response echoed = client.exchange(RawHttp2.request("POST", "/echo", "localhost:" + port),
                        "a".repeat(100_000), "b".repeat(100_000));
                assertThat(echoed.body()).isEqualTo("a".repeat(100_000) + "b".repeat(100_000));
            }
            assertThat(cleartext.connections.get()).as("member connections").isEqualTo(1);
        }
    }

    @Test
    void aStreamTheMemberRefusedIsSentAgainIfItCanBeAndALyingLengthIsAnError() throws Exception {
        try (RunningDataplane amphora = new RunningDataplane(1); Http2Member member = new Http2Member("h2c", null)) {
            int port = freePort(VIP);
            amphora.apply(config(1, VIP, List.of(http(port, false)), http2Pool("web", null, member("m", member.port(), 1))));
            assertThat(get(port, "GET /refused-once")).as("a bodyless GET goes again").startsWith("HTTP/1.1 200");
            assertThat(member.refused.get()).isEqualTo(2);
            assertThat(get(port, "DELETE /refused-once")).as("a request that cannot go again: the client may send it")
                    .startsWith("HTTP/1.1 503").contains("it may be sent again");
            assertThat(get(port, "GET /lying-length")).as("a Content-Length the body does not have")
                    .startsWith("HTTP/1.1 502");
        }
    }

    @Test
    void aMemberThatDoesNotSpeakHttp2IsAnError() throws Exception {
        try (RunningDataplane amphora = new RunningDataplane(); NamedHttpBackend web = new NamedHttpBackend("web")) {
            int port = freePort(VIP);
            amphora.apply(config(1, VIP, List.of(http(port, false)), http2Pool("web", null, member("w", web.port(), 1))));
            assertThat(get(port)).startsWith("HTTP/1.1 50");
        }
    }

    private static PoolConfig http2Pool(String id, PoolTlsConfig tls, MemberConfig member) {
        return new PoolConfig(id, null, PoolProtocol.HTTP, LbAlgorithm.ROUND_ROBIN, true, List.of(member), null, null,
                tls, true);
    }

    /** Sends the request on a connection of its own (some refusals end the connection) and expects a refusal. */
    private static void assertRefused(int port, String what, Http2Headers headers, String... data) throws Exception {
        try (RawHttp2 client = new RawHttp2(VIP, port)) {
            assertRefused(client.exchange(headers, data), what);
        }
    }

    private static void assertRefused(RawHttp2.Response response, String what) {
        boolean answered = response.status() != null && response.status().matches("4\\d\\d");
        boolean reset = response.reset() != null && response.reset() != Http2Error.NO_ERROR;
        assertThat(answered || reset || response.connectionGone())
                .as("%s is refused (status %s, reset %s)", what, response.status(), response.reset()).isTrue();
    }

    private static ListenerConfig withId(ListenerConfig listener, String id) {
        return new ListenerConfig(id, null, listener.protocol(), listener.protocolPort(), -1, true,
                listener.defaultPoolId(), null, null, null, null, null, listener.h2cPriorKnowledge());
    }

    private static String get(int port) throws IOException {
        return get(port, "GET /");
    }

    /** An HTTP/1.1 request of method and path {@code request}, and the whole response. */
    private static String get(int port, String request) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(VIP, port), 2_000);
            socket.setSoTimeout(5_000);
            OutputStream out = socket.getOutputStream();
            out.write((request + " HTTP/1.1\r\nHost: lb\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            InputStream in = socket.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
        }
    }

    /** curl's body and the HTTP version it spoke, e.g. "web 2". */
    private static String curl(String... arguments) throws Exception {
        List<String> command = new ArrayList<>(List.of("curl", "-sS", "--max-time", "10", "-w", " %{http_version}"));
        command.addAll(List.of(arguments));
        Process curl = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(curl.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(curl.waitFor(15, TimeUnit.SECONDS)).isTrue();
        return out.trim();
    }
}
