package dev.lbaas.amphora.stats;

import static dev.lbaas.amphora.testing.Configs.config;
import static dev.lbaas.amphora.testing.Configs.freePort;
import static dev.lbaas.amphora.testing.Configs.listener;
import static dev.lbaas.amphora.testing.Configs.member;
import static dev.lbaas.amphora.testing.Configs.pool;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.lbaas.amphora.config.AmphoraStatus;
import dev.lbaas.amphora.config.AmphoraStatus.MemberStatus;
import dev.lbaas.amphora.config.AmphoraStatus.PoolStatus;
import dev.lbaas.amphora.config.ListenerConfig;
import dev.lbaas.amphora.config.ListenerProtocol;
import dev.lbaas.amphora.config.ListenerTimeouts;
import dev.lbaas.amphora.config.PoolProtocol;
import dev.lbaas.amphora.config.TrafficStats;
import dev.lbaas.amphora.testing.NamedTcpBackend;
import dev.lbaas.amphora.testing.RawHttp;
import dev.lbaas.amphora.testing.RunningDataplane;
import dev.lbaas.amphora.testing.ServingThreads;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Listener, pool and member statistics under real traffic. */
class StatsIT {

    private static final String VIP = "127.1.41.1";
    private static final String GREETING_ONE = "one\n";
    private static final String GREETING_TWO = "two\n";

    @Test
    void tcpBytesAndConnectionsAreCountedExactlyPerListenerMemberAndPool() throws Exception {
        try (RunningDataplane amphora = new RunningDataplane();
                NamedTcpBackend one = new NamedTcpBackend("one");
                NamedTcpBackend two = new NamedTcpBackend("two")) {
            int port = freePort(VIP);
            amphora.apply(config(1, VIP, List.of(listener("l", ListenerProtocol.TCP, port, "p")),
                    pool("p", PoolProtocol.TCP, null, member("m1", one.port(), 1), member("m2", two.port(), 1))));
            byte[] first = payload(100_000, 1);
            byte[] second = payload(3_333, 2);

            Map<String, Integer> sentTo;
            try (Socket a = new Socket(VIP, port); Socket b = new Socket(VIP, port)) {
                String greetingA = exchange(a, first);
                String greetingB = exchange(b, second);
                assertThat(Set.of(greetingA, greetingB)).as("round robin over two members").hasSize(2);
                sentTo = Map.of(greetingA, first.length, greetingB, second.length);

                // both connections open: one session on each member, two on the listener and the pool
                await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
                    AmphoraStatus status = amphora.dataplane.status();
                    assertThat(status.listeners().get(0).stats().activeConnections()).isEqualTo(2);
                    assertThat(poolStatus(status, "p").stats().activeConnections()).isEqualTo(2);
                    assertThat(memberStatus(status, "m1").stats().activeConnections()).isEqualTo(1);
                    assertThat(memberStatus(status, "m2").stats().activeConnections()).isEqualTo(1);
                });
            }
            // and back down once the clients have gone
            await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
                AmphoraStatus status = amphora.dataplane.status();
                assertThat(status.listeners().get(0).stats().activeConnections()).isZero();
                assertThat(poolStatus(status, "p").stats().activeConnections()).isZero();
                assertThat(memberStatus(status, "m1").stats().activeConnections()).isZero();
                assertThat(memberStatus(status, "m2").stats().activeConnections()).isZero();
            });

            AmphoraStatus status = amphora.dataplane.status();
            long greetings = GREETING_ONE.length() + GREETING_TWO.length();
            assertThat(status.listeners().get(0).stats()).isEqualTo(new TrafficStats(
                    first.length + second.length, first.length + second.length + greetings, 0, 2, 0));
            int toOne = sentTo.get("one");
            int toTwo = sentTo.get("two");
            assertThat(memberStatus(status, "m1").stats()).isEqualTo(
                    new TrafficStats(toOne, GREETING_ONE.length() + toOne, 0, 1, 0));
            assertThat(memberStatus(status, "m2").stats()).isEqualTo(
                    new TrafficStats(toTwo, GREETING_TWO.length() + toTwo, 0, 1, 0));
            assertThat(poolStatus(status, "p").stats()).isEqualTo(
                    memberStatus(status, "m1").stats().plus(memberStatus(status, "m2").stats()));
        }
    }

    @Test
    void countersSurviveReconfigurationForObjectsThatStay() throws Exception {
        try (RunningDataplane amphora = new RunningDataplane(); NamedTcpBackend one = new NamedTcpBackend("one")) {
            int port = freePort(VIP);
            var pool = pool("p", PoolProtocol.TCP, null, member("m1", one.port(), 1));
            amphora.apply(config(1, VIP, List.of(listener("l", ListenerProtocol.TCP, port, "p")), pool));
            try (Socket a = new Socket(VIP, port)) {
                exchange(a, payload(10, 3));
            }
            // a second listener comes: the first listener, its pool and member stay
            int otherPort = freePort(VIP);
            amphora.apply(config(2, VIP, List.of(listener("l", ListenerProtocol.TCP, port, "p"),
                    listener("other", ListenerProtocol.TCP, otherPort, "p")), pool));
            try (Socket a = new Socket(VIP, port)) {
                exchange(a, payload(20, 4));
            }
            await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
                AmphoraStatus status = amphora.dataplane.status();
                assertThat(status.listeners().get(0).stats().totalConnections()).isEqualTo(2);
                assertThat(status.listeners().get(0).stats().bytesIn()).isEqualTo(30);
                assertThat(memberStatus(status, "m1").stats().bytesIn()).isEqualTo(30);
                assertThat(poolStatus(status, "p").stats().totalConnections()).isEqualTo(2);
                assertThat(status.listeners().get(1).stats()).isEqualTo(TrafficStats.ZERO);
            });
        }
    }

    @Test
    void theAmphorasOwnErrorsAreRequestErrors() throws Exception {
        ListenerTimeouts shortMemberData = new ListenerTimeouts(5_000, 1_000, 300, 0);
        try (RunningDataplane amphora = new RunningDataplane();
                ScriptedMember hangsUp = new ScriptedMember(socket -> null);
                ScriptedMember silent = new ScriptedMember(socket -> "")) {
            int deadPort = deadPort();
            int noMemberPort = freePort(VIP);
            int badGatewayPort = freePort(VIP);
            int timeoutPort = freePort(VIP);
            int refusedPort = freePort(VIP);
            amphora.apply(config(1, VIP, List.of(
                    httpListener("no-member", noMemberPort, "empty", null),
                    httpListener("bad-gateway", badGatewayPort, "hangs-up", null),
                    httpListener("timeout", timeoutPort, "silent", shortMemberData),
                    httpListener("refused", refusedPort, "dead", null)),
                    pool("empty", PoolProtocol.HTTP, null),
                    pool("hangs-up", PoolProtocol.HTTP, null, member("m-hangs-up", hangsUp.port(), 1)),
                    pool("silent", PoolProtocol.HTTP, null, member("m-silent", silent.port(), 1)),
                    pool("dead", PoolProtocol.HTTP, null, member("m-dead", deadPort, 1))));

            assertThat(statusLine(noMemberPort)).startsWith("HTTP/1.1 503");
            assertThat(statusLine(badGatewayPort)).startsWith("HTTP/1.1 502");
            assertThat(statusLine(timeoutPort)).startsWith("HTTP/1.1 504");
            assertThat(statusLine(refusedPort)).startsWith("HTTP/1.1 503");

            AmphoraStatus status = amphora.dataplane.status();
            Map<String, TrafficStats> listeners = status.listeners().stream()
                    .collect(Collectors.toMap(AmphoraStatus.ListenerStatus::id, AmphoraStatus.ListenerStatus::stats));
            assertThat(listeners).allSatisfy((id, stats) -> assertThat(stats.requestErrors())
                    .as("request errors of listener %s", id).isEqualTo(1));
            assertThat(poolStatus(status, "empty").stats().requestErrors()).as("no member to take it").isEqualTo(1);
            assertThat(memberStatus(status, "m-hangs-up").stats().requestErrors()).isEqualTo(1);
            assertThat(memberStatus(status, "m-silent").stats().requestErrors()).isEqualTo(1);
            assertThat(memberStatus(status, "m-dead").stats().requestErrors()).as("every failed connect").isPositive();
            assertThat(poolStatus(status, "dead").stats().requestErrors())
                    .isEqualTo(memberStatus(status, "m-dead").stats().requestErrors());
        }
    }

    @Test
    void anHttpMemberCountsRequestsInFlightNotItsPooledConnections() throws Exception {
        CountDownLatch answer = new CountDownLatch(1);
        try (RunningDataplane amphora = new RunningDataplane();
                ScriptedMember held = new ScriptedMember(socket -> {
                    awaitQuietly(answer);
                    return "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
                })) {
            int port = freePort(VIP);
            amphora.apply(config(1, VIP, List.of(listener("l", ListenerProtocol.HTTP, port, "p")),
                    pool("p", PoolProtocol.HTTP, null, member("m", held.port(), 1))));
            try (RawHttp client = new RawHttp(VIP, port)) {
                client.send("GET / HTTP/1.1\r\nHost: lb\r\n\r\n");
                await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
                        assertThat(memberStatus(amphora.dataplane.status(), "m").stats().activeConnections()).isEqualTo(1));
                answer.countDown();
                assertThat(client.readResponse()).isEqualTo("HTTP/1.1 200 OK\nok");
                client.send("GET / HTTP/1.1\r\nHost: lb\r\n\r\n");
                assertThat(client.readResponse()).isEqualTo("HTTP/1.1 200 OK\nok");

                // the client and the member connection stay open, yet no request is in flight
                await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
                    AmphoraStatus status = amphora.dataplane.status();
                    assertThat(memberStatus(status, "m").stats().activeConnections()).isZero();
                    assertThat(memberStatus(status, "m").stats().totalConnections()).isEqualTo(2);
                    assertThat(status.listeners().get(0).stats().activeConnections()).isEqualTo(1);
                });
                assertThat(held.accepted()).as("one member connection carried both requests").isEqualTo(1);
            }
        }
    }

    private static ListenerConfig httpListener(String id, int port, String poolId, ListenerTimeouts timeouts) {
        return new ListenerConfig(id, id, ListenerProtocol.HTTP, port, -1, true, poolId, timeouts, null, null);
    }

    private static String statusLine(int port) throws IOException {
        try (RawHttp client = new RawHttp(VIP, port)) {
            client.send("GET / HTTP/1.1\r\nHost: lb\r\n\r\n");
            String head = client.readHead();
            return head.substring(0, head.indexOf("\r\n"));
        }
    }

    /** Reads the member's greeting, sends the payload and reads its echo; returns the member's name. */
    private static String exchange(Socket socket, byte[] payload) throws IOException {
        socket.setSoTimeout(10_000);
        StringBuilder name = new StringBuilder();
        int b;
        while ((b = socket.getInputStream().read()) != '\n') {
            assertThat(b).isNotNegative();
            name.append((char) b);
        }
        socket.getOutputStream().write(payload);
        byte[] back = new byte[payload.length];
        new DataInputStream(socket.getInputStream()).readFully(back);
        assertThat(back).isEqualTo(payload);
        return name.toString();
    }

    private static byte[] payload(int size, long seed) {
        byte[] bytes = new byte[size];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    private static int deadPort() throws IOException {
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            return probe.getLocalPort();
        }
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static PoolStatus poolStatus(AmphoraStatus status, String poolId) {
        return status.pools().stream().filter(pool -> pool.id().equals(poolId)).findFirst().orElseThrow();
    }

    static MemberStatus memberStatus(AmphoraStatus status, String memberId) {
        return status.pools().stream().flatMap(pool -> pool.members().stream())
                .filter(member -> member.id().equals(memberId)).findFirst().orElseThrow();
    }

    /**
     * An HTTP member that reads each request head and answers what its script returns for it:
     * null hangs up without answering, "" never answers.
     */
    static final class ScriptedMember implements AutoCloseable {
        private final ServerSocket server = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"));
        private final Function<Socket, String> script;
        private final Set<Socket> open = ConcurrentHashMap.newKeySet();
        private final ServingThreads threads = new ServingThreads();
        private volatile int accepted;

        ScriptedMember(Function<Socket, String> script) throws IOException {
            this.script = script;
            threads.accept(server, this::onAccept);
        }

        int port() {
            return server.getLocalPort();
        }

        int accepted() {
            return accepted;
        }

        private Runnable onAccept(Socket socket) {
            accepted++;
            open.add(socket);
            return () -> serve(socket);
        }

        private void serve(Socket socket) {
            try (socket; InputStream in = socket.getInputStream()) {
                while (readHead(in)) {
                    String answer = script.apply(socket);
                    if (answer == null) {
                        return;
                    }
                    if (answer.isEmpty()) {
                        in.transferTo(java.io.OutputStream.nullOutputStream());
                        return;
                    }
                    socket.getOutputStream().write(answer.getBytes(StandardCharsets.US_ASCII));
                    socket.getOutputStream().flush();
                }
            } catch (IOException e) {
                // the amphora went away
            } finally {
                open.remove(socket);
            }
        }

        /** Reads up to the blank line ending a request head; false when the connection ended first. */
        private static boolean readHead(InputStream in) throws IOException {
            int matched = 0;
            byte[] end = {'\r', '\n', '\r', '\n'};
            int b;
            while ((b = in.read()) >= 0) {
                matched = b == end[matched] ? matched + 1 : (b == '\r' ? 1 : 0);
                if (matched == end.length) {
                    return true;
                }
            }
            return false;
        }

        @Override
        public void close() throws IOException {
            threads.close();
            open.forEach(ServingThreads::closeQuietly);
        }
    }
}
