package dev.lbaas.amphora.warmup;

import static dev.lbaas.amphora.testing.Configs.config;
import static dev.lbaas.amphora.testing.Configs.freePort;
import static dev.lbaas.amphora.testing.Configs.listener;
import static dev.lbaas.amphora.testing.Configs.member;
import static dev.lbaas.amphora.testing.Configs.pool;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lbaas.amphora.Transport;
import dev.lbaas.amphora.config.AmphoraConfig;
import dev.lbaas.amphora.config.FailoverConfig;
import dev.lbaas.amphora.config.L7PolicyConfig;
import dev.lbaas.amphora.config.L7RuleConfig;
import dev.lbaas.amphora.config.ListenerConfig;
import dev.lbaas.amphora.config.ListenerProtocol;
import dev.lbaas.amphora.config.PoolProtocol;
import dev.lbaas.amphora.runtime.ApplyResult;
import dev.lbaas.amphora.runtime.Dataplane;
import dev.lbaas.amphora.stats.MetricsSample;
import dev.lbaas.amphora.testing.CountingHttpBackend;
import dev.lbaas.amphora.testing.RawHttp;
import dev.lbaas.amphora.vip.VipPublisher;
import io.netty.channel.EventLoopGroup;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The JIT warm-up on real sockets: the configuration's own listeners served on loopback before
 * the VIP binds, with the warm-up's own member and clients, and nothing of it reaching the
 * members, statistics or sockets the load balancer serves.
 */
class JitWarmUpIT {

    private static final String VIP = "127.0.0.1";

    private EventLoopGroup group;
    private Dataplane dataplane;
    private CountingHttpBackend web;
    private CountingHttpBackend redirected;
    private CountingHttpBackend stream;

    @BeforeEach
    void start() throws IOException {
        group = Transport.CURRENT.newEventLoopGroup(2);
        web = new CountingHttpBackend("web");
        redirected = new CountingHttpBackend("redirected");
        stream = new CountingHttpBackend("stream");
    }

    @AfterEach
    void stop() throws IOException {
        if (dataplane != null) {
            dataplane.close();
        }
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
        web.close();
        redirected.close();
        stream.close();
    }

    private Dataplane dataplane(Duration budget) {
        dataplane = new Dataplane("warm-up-test", group, () -> { }, null, null, VipPublisher.NONE, budget);
        return dataplane;
    }

    /**
     * An HTTP listener whose L7 policy sends the warm-up's own paths to another pool, and a TCP
     * listener: were the warm-up's requests to reach a configured member, one of the three would count them.
     */
    private AmphoraConfig httpAndTcp(long generation, int httpPort, int tcpPort) {
        L7PolicyConfig toRedirected = new L7PolicyConfig("to-redirected", null, 1,
                L7PolicyConfig.Action.REDIRECT_TO_POOL, "redirected", null, null, 0, List.of(
                        new L7RuleConfig("warm-up-paths", L7RuleConfig.Type.PATH, L7RuleConfig.CompareType.STARTS_WITH,
                                null, "/warm-up", false)));
        ListenerConfig http = listener("http", ListenerProtocol.HTTP, httpPort, "web", "X-Forwarded-For")
                .withL7Policies(List.of(toRedirected));
        return config(generation, VIP, List.of(http, listener("tcp", ListenerProtocol.TCP, tcpPort, "stream")),
                pool("web", PoolProtocol.HTTP, null, member("web-1", web.port(), 1)),
                pool("redirected", PoolProtocol.HTTP, null, member("redirected-1", redirected.port(), 1)),
                pool("stream", PoolProtocol.TCP, null, member("stream-1", stream.port(), 1)));
    }

    @Test
    void warmsTheListenersOnLoopbackBeforeTheVipAndReachesNoConfiguredMember() throws Exception {
        int httpPort = freePort(VIP);
        int tcpPort = freePort(VIP, List.of(httpPort));
        Dataplane warmed = dataplane(Duration.ofSeconds(2));

        long started = System.nanoTime();
        CompletableFuture<ApplyResult> applied = CompletableFuture.supplyAsync(
                () -> warmed.apply(httpAndTcp(1, httpPort, tcpPort)));
        Thread.sleep(700);
        assertThat(applied).as("still warming up").isNotDone();
        assertThatThrownBy(() -> new Socket(VIP, httpPort).close()).as("the VIP's port while warming up")
                .isInstanceOf(ConnectException.class);
        assertThat(applied.get(10, TimeUnit.SECONDS)).isEqualTo(new ApplyResult.Applied(1));
        long applyMillis = (System.nanoTime() - started) / 1_000_000;

        assertThat(warmed.jitWarmUps()).singleElement().satisfies(run -> {
            assertThat(run.listenerIds()).containsExactlyInAnyOrder("http", "tcp");
            assertThat(run.exchanges()).as("requests through the warm-up's listeners").isGreaterThan(200);
            assertThat(run.answeredOk()).as("answered by the warm-up's member").isEqualTo(run.exchanges());
            assertThat(run.memberConnections()).as("member connections kept alive and reused")
                    .isLessThan(run.exchanges() / 10);
            assertThat(run.millis()).isBetween(1_000L, 2_000L + 2_500L);
            assertThat(run.addresses()).allSatisfy(address -> {
                assertThat(address.getAddress().isLoopbackAddress()).isTrue();
                assertThat(address.getPort()).isNotIn(httpPort, tcpPort);
            });
        });
        assertThat(applyMillis).as("the warm-up holds the configuration back within its budget").isLessThan(5_000);

        // Not a byte of the warm-up reached a configured member, or the load balancer's statistics.
        assertThat(web.accepted.get() + redirected.accepted.get() + stream.accepted.get()).isZero();
        MetricsSample metrics = warmed.metrics();
        assertThat(metrics.listeners()).allSatisfy(listener ->
                assertThat(listener.counters().activity()).as(listener.config().id()).isZero());
        assertThat(metrics.pools()).allSatisfy(pool ->
                assertThat(pool.counters().activity()).as(pool.config().id()).isZero());

        // Its loopback listeners are closed; the configured ones serve, policies and all.
        for (InetSocketAddress address : warmed.jitWarmUps().get(0).addresses()) {
            assertThatThrownBy(() -> new Socket(address.getAddress(), address.getPort()).close())
                    .isInstanceOf(ConnectException.class);
        }
        try (RawHttp client = new RawHttp(VIP, httpPort)) {
            client.send("GET /app HTTP/1.1\r\nHost: lb\r\n\r\n");
            assertThat(client.readResponse()).isEqualTo("HTTP/1.1 200 OK\nweb");
            client.send("GET /warm-up/1 HTTP/1.1\r\nHost: lb\r\n\r\n");
            assertThat(client.readResponse()).isEqualTo("HTTP/1.1 200 OK\nredirected");
        }
        try (RawHttp client = new RawHttp(VIP, tcpPort)) {
            client.send("GET / HTTP/1.1\r\nHost: lb\r\n\r\n");
            assertThat(client.readResponse()).isEqualTo("HTTP/1.1 200 OK\nstream");
        }
        assertThat(web.requests.get()).isEqualTo(1);
        assertThat(redirected.requests.get()).isEqualTo(1);
        assertThat(stream.requests.get()).isEqualTo(1);
    }

    /**
     * The warm-up's connections leave their ports in TIME_WAIT, numbers the kernel hands out as
     * it likes: one may be the port the configuration binds next (a listener, the pair's session
     * sync). Every one of them must stay bindable by a socket that allows address reuse, as those
     * do.
     */
    @Test
    void thePortsTheWarmUpUsedStayBindable() throws Exception {
        int httpPort = freePort(VIP);
        int tcpPort = freePort(VIP, List.of(httpPort));
        Dataplane warmed = dataplane(Duration.ofSeconds(1));
        // Earlier connections of this JVM may be in TIME_WAIT too, between ports numbered alike.
        Set<List<Integer>> before = timeWaits();
        warmed.apply(httpAndTcp(1, httpPort, tcpPort));
        JitWarmUp.Run run = warmed.jitWarmUps().get(0);
        Set<Integer> warmUpPorts = new HashSet<>();
        run.addresses().forEach(address -> warmUpPorts.add(address.getPort()));
        warmUpPorts.add(run.memberAddress().getPort());

        Set<Integer> leftInTimeWait = new HashSet<>();
        for (List<Integer> localAndRemote : timeWaits()) {
            if (!before.contains(localAndRemote) && (warmUpPorts.contains(localAndRemote.get(0))
                    || warmUpPorts.contains(localAndRemote.get(1)))) {
                leftInTimeWait.add(localAndRemote.get(0));
            }
        }
        // A port an earlier connection also left in TIME_WAIT (to another peer) is that one's to block.
        before.forEach(localAndRemote -> leftInTimeWait.remove(localAndRemote.get(0)));
        assertThat(leftInTimeWait).as("ports in TIME_WAIT after the warm-up").isNotEmpty();
        for (int port : leftInTimeWait) {
            try (ServerSocket reusing = new ServerSocket()) {
                reusing.setReuseAddress(true);
                reusing.bind(new InetSocketAddress("0.0.0.0", port));
            } catch (IOException e) {
                throw new AssertionError("port " + port + " not bindable; its sockets: " + sockets(port), e);
            }
        }
    }

    /** The kernel's lines of the TCP sockets with {@code port} at either end. */
    private static List<String> sockets(int port) throws IOException {
        String hex = String.format(":%04X ", port);
        List<String> found = new java.util.ArrayList<>();
        for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            Files.readAllLines(Path.of(table)).stream().filter(line -> line.contains(hex)).forEach(found::add);
        }
        return found;
    }

    /** The local and remote ports of every TCP connection in TIME_WAIT, as the kernel lists them. */
    private static Set<List<Integer>> timeWaits() throws IOException {
        // The JDK's and Netty's sockets are IPv6 ones that speak IPv4 too: they are listed in tcp6.
        Set<List<Integer>> timeWaits = new HashSet<>();
        for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            List<String> lines = Files.readAllLines(Path.of(table));
            for (String line : lines.subList(1, lines.size())) {
                String[] fields = line.trim().split("\\s+");
                if (fields[3].equals("06")) {
                    timeWaits.add(List.of(Integer.parseInt(fields[1].substring(fields[1].indexOf(':') + 1), 16),
                            Integer.parseInt(fields[2].substring(fields[2].indexOf(':') + 1), 16)));
                }
            }
        }
        return timeWaits;
    }

    @Test
    void warmsEachKindOfListenerOncePerProcess() throws Exception {
        int httpPort = freePort(VIP);
        int tcpPort = freePort(VIP, List.of(httpPort));
        Dataplane warmed = dataplane(Duration.ofSeconds(1));
        warmed.apply(httpAndTcp(1, httpPort, tcpPort));

        int otherPort = freePort(VIP, List.of(httpPort, tcpPort));
        long started = System.nanoTime();
        assertThat(warmed.apply(httpAndTcp(2, otherPort, tcpPort))).isEqualTo(new ApplyResult.Applied(2));

        assertThat(warmed.jitWarmUps()).hasSize(1);
        assertThat((System.nanoTime() - started) / 1_000_000).as("a later generation applies without a warm-up")
                .isLessThan(900);
        try (RawHttp client = new RawHttp(VIP, otherPort)) {
            client.send("GET / HTTP/1.1\r\nHost: lb\r\n\r\n");
            assertThat(client.readResponse()).isEqualTo("HTTP/1.1 200 OK\nweb");
        }
    }

    @Test
    void aLoadBalancerWithoutListenersYetWarmsWhenItGetsThemAndNotAfterItServes() throws Exception {
        int httpPort = freePort(VIP);
        int tcpPort = freePort(VIP, List.of(httpPort));
        Dataplane warmed = dataplane(Duration.ofSeconds(1));
        warmed.apply(config(1, VIP, List.of()));
        assertThat(warmed.jitWarmUps()).isEmpty();

        AmphoraConfig tcpOnly = config(2, VIP, List.of(listener("tcp", ListenerProtocol.TCP, tcpPort, "stream")),
                pool("stream", PoolProtocol.TCP, null, member("stream-1", stream.port(), 1)));
        warmed.apply(tcpOnly);
        assertThat(warmed.jitWarmUps()).singleElement()
                .satisfies(run -> assertThat(run.listenerIds()).containsExactly("tcp"));

        // Now serving: an HTTP listener added is not warmed, for a warm-up would hold the
        // configuration thread (a pair's takeover, the next configuration) while the VIP is served.
        long started = System.nanoTime();
        warmed.apply(httpAndTcp(3, httpPort, tcpPort));
        assertThat(warmed.jitWarmUps()).hasSize(1);
        assertThat((System.nanoTime() - started) / 1_000_000).isLessThan(900);
        assertThat(web.accepted.get() + redirected.accepted.get() + stream.accepted.get()).isZero();
    }

    @Test
    void aClosingDataPlaneEndsItsWarmUp() throws Exception {
        int httpPort = freePort(VIP);
        int tcpPort = freePort(VIP, List.of(httpPort));
        Dataplane warmed = dataplane(Duration.ofSeconds(10));
        CompletableFuture<ApplyResult> applied = CompletableFuture.supplyAsync(
                () -> warmed.apply(httpAndTcp(1, httpPort, tcpPort)));
        Thread.sleep(500);

        long stopping = System.nanoTime();
        warmed.stopWarmUp();
        applied.get(5, TimeUnit.SECONDS);

        assertThat((System.nanoTime() - stopping) / 1_000_000).as("from the stop to the end of the apply")
                .isLessThan(2_000);
        assertThat(warmed.jitWarmUps()).singleElement()
                .satisfies(run -> assertThat(run.ended()).startsWith("stopped"));
    }

    /**
     * A pair's amphora warms before it joins its pair: a standby promoted later meets its first
     * clients with compiled code. The warm-up binds nothing of the VIP, whose listeners a pair
     * binds only as master.
     */
    @Test
    void anAmphoraOfAPairWarmsBeforeItJoinsThePair() throws Exception {
        int httpPort = freePort(VIP);
        int tcpPort = freePort(VIP, List.of(httpPort));
        ExecutorService configThread = Executors.newSingleThreadExecutor();
        try {
            dataplane = new Dataplane("warm-up-pair", group, () -> { }, configThread, InetAddress.getLoopbackAddress(),
                    VipPublisher.NONE, Duration.ofSeconds(1));
            int[] advertPorts = {freePort(VIP), freePort(VIP)};
            AmphoraConfig paired = httpAndTcp(1, httpPort, tcpPort).withFailover(new FailoverConfig(VIP,
                    advertPorts[1], advertPorts[0], 100, 100, false, "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="));
            assertThat(configThread.submit(() -> dataplane.apply(paired)).get(10, TimeUnit.SECONDS))
                    .isEqualTo(new ApplyResult.Applied(1));
            assertThat(dataplane.jitWarmUps()).singleElement().satisfies(run -> {
                assertThat(run.listenerIds()).containsExactlyInAnyOrder("http", "tcp");
                assertThat(run.answeredOk()).isPositive();
                assertThat(run.addresses()).extracting(InetSocketAddress::getPort)
                        .as("the warm-up's own ports, not the VIP's").doesNotContain(httpPort, tcpPort);
            });
            assertThat(web.accepted.get() + redirected.accepted.get() + stream.accepted.get())
                    .as("connections the configured members accepted").isZero();
        } finally {
            configThread.submit(dataplane::close).get(10, TimeUnit.SECONDS);
            dataplane = null;
            configThread.shutdown();
        }
    }

    @Test
    void noBudgetNoWarmUp() throws Exception {
        int httpPort = freePort(VIP);
        int tcpPort = freePort(VIP, List.of(httpPort));
        Dataplane cold = dataplane(Duration.ZERO);
        cold.apply(httpAndTcp(1, httpPort, tcpPort));
        assertThat(cold.jitWarmUps()).isEmpty();
    }

    @Test
    void aDisabledLoadBalancerIsNotWarmed() throws Exception {
        int httpPort = freePort(VIP);
        int tcpPort = freePort(VIP, List.of(httpPort));
        Dataplane warmed = dataplane(Duration.ofSeconds(1));
        AmphoraConfig enabled = httpAndTcp(1, httpPort, tcpPort);
        warmed.apply(new AmphoraConfig(1, enabled.loadBalancerId(), VIP, false, enabled.listeners(),
                enabled.pools()));
        assertThat(warmed.jitWarmUps()).isEmpty();
    }
}
