package dev.lbaas.amphora.runtime;

import static dev.lbaas.amphora.testing.Configs.config;
import static dev.lbaas.amphora.testing.Configs.freePort;
import static dev.lbaas.amphora.testing.Configs.listener;
import static dev.lbaas.amphora.testing.Configs.member;
import static dev.lbaas.amphora.testing.Configs.pool;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.lbaas.amphora.vrrp.MasterClaim;
import dev.lbaas.amphora.Transport;
import dev.lbaas.amphora.config.AmphoraConfig;
import dev.lbaas.amphora.config.AmphoraStatus.PairStatus;
import dev.lbaas.amphora.config.FailoverConfig;
import dev.lbaas.amphora.config.ListenerProtocol;
import dev.lbaas.amphora.config.PoolProtocol;
import dev.lbaas.amphora.testing.NamedHttpBackend;
import dev.lbaas.amphora.testing.VipRequestStream;
import dev.lbaas.amphora.vip.VipPublisher;
import dev.lbaas.amphora.vrrp.MasterClaim;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.EventExecutor;
import dev.lbaas.amphora.config.PoolConfig;
import dev.lbaas.amphora.config.SessionPersistenceConfig;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/**
 * Two amphorae of an ACTIVE_STANDBY pair in one process, with the same VIP on loopback, as the
 * local driver runs them: exactly one listens on the VIP; when it dies (its event loops and
 * sockets gone without a word) or resigns, the other binds the VIP and serves, with the gap
 * measured through the VIP by a client that never stops asking.
 */
class PairFailoverIT {

    private static final String VIP = "127.0.0.1";
    private static final String KEY = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=";

    private NamedHttpBackend web;
    private NamedHttpBackend web2;
    private final Member[] pair = new Member[2];
    private final String[] addresses = {"127.0.0.2", "127.0.0.3"};
    private final AmphoraConfig[] configs = new AmphoraConfig[2];

    /** One amphora: its event loops, its configuration thread and its data plane. */
    /** What an amphora tells the network of its role: where the VIP is a Service, its EndpointSlice. */
    private static final class ToldRoles implements VipPublisher {
        private final Duration linger;
        private volatile Boolean last;
        private volatile boolean closed;
        private volatile String problem;

        ToldRoles(Duration linger) {
            this.linger = linger;
        }

        @Override
        public Duration linger() {
            return linger;
        }

        @Override
        public String problem() {
            return problem;
        }

        @Override
        public void holding(MasterClaim claim) {
            last = claim != null;
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    private record Member(String id, EventLoopGroup group, ExecutorService configThread, Dataplane dataplane,
            ToldRoles told) {

        PairStatus pairStatus() {
            return dataplane.status().pair();
        }

        boolean holdsVip() {
            PairStatus status = pairStatus();
            return status != null && status.holdsVip();
        }

        /** As a killed process: sockets gone, no resignation. */
        void die() throws Exception {
            configThread.submit(() -> {
                dataplane.stopAsKilled();
                return null;
            }).get(10, TimeUnit.SECONDS);
            stopThreads();
        }

        void stopThreads() {
            configThread.shutdownNow();
            group.shutdownGracefully(0, 0, TimeUnit.SECONDS).awaitUninterruptibly();
        }
    }

    /** How long a master keeps the VIP for the network after a handover: for tests tagged "linger". */
    private Duration linger = Duration.ZERO;

    @BeforeEach
    void start(TestInfo test) throws Exception {
        if (test.getTags().contains("linger")) {
            linger = Duration.ofMillis(800);
        }
        web = new NamedHttpBackend("web");
        web2 = new NamedHttpBackend("web2");
        int port = freePort(VIP);
        int advertPort = freeUdpPort();
        for (int i = 0; i < 2; i++) {
            // Clients keep their members by source address: the standby must know where each one went.
            PoolConfig persistent = pool("p", PoolProtocol.HTTP, null, member("web", web.port(), 1),
                    member("web2", web2.port(), 1)).withSessionPersistence(
                    new SessionPersistenceConfig(SessionPersistenceConfig.Type.SOURCE_IP, null, null, null));
            FailoverConfig failover = new FailoverConfig(addresses[1 - i], advertPort, advertPort, 100, 100, false, KEY);
            configs[i] = config(1, VIP, List.of(listener("l", ListenerProtocol.HTTP, port, "p")), persistent)
                    .withFailover(failover);
            pair[i] = startMember(i, "amphora-" + i);
        }
        vipPort = port;
    }

    /** The {@code index}th amphora, serving its configuration. */
    private Member startMember(int index, String id) throws Exception {
        EventLoopGroup group = Transport.CURRENT.newEventLoopGroup(2);
        ExecutorService configThread = Executors.newSingleThreadExecutor();
        ToldRoles told = new ToldRoles(linger);
        Dataplane dataplane = new Dataplane(id, group, () -> { }, configThread,
                InetAddress.getByName(addresses[index]), told);
        AmphoraConfig config = configs[index];
        assertThat(configThread.submit(() -> dataplane.apply(config)).get()).isEqualTo(new ApplyResult.Applied(1));
        return new Member(id, group, configThread, dataplane, told);
    }

    private int vipPort;

    @AfterEach
    void stop() {
        for (Member member : pair) {
            if (member != null && !member.configThread().isShutdown()) {
                try {
                    member.configThread().submit(member.dataplane()::close).get(10, TimeUnit.SECONDS);
                } catch (Exception e) {
                    // already gone
                }
                member.stopThreads();
            }
        }
        web.stop();
        web2.stop();
    }

    @Test
    void oneAmphoraHoldsTheVipAndTheOtherTakesItWithinTheMasterDownIntervalWhenTheFirstDies() throws Exception {
        Member master = awaitOneMaster();
        Member backup = other(master);
        assertThat(master.pairStatus().role()).isEqualTo("MASTER");
        assertThat(roleOf(backup.pairStatus())).isEqualTo(new PairStatus("BACKUP", master.pairStatus().term(), false));
        await().atMost(Duration.ofSeconds(1)).until(() -> Boolean.TRUE.equals(master.told().last));
        assertThat(backup.told().last).isFalse();
        assertThat(master.dataplane().servesAsMaster()).as("what /readyz/master answers").isTrue();
        assertThat(backup.dataplane().servesAsMaster()).isFalse();
        backup.told().problem = "HTTP 403: forbidden";
        assertThat(backup.pairStatus().vipProblem()).as("reported with the pair's status").isEqualTo("HTTP 403: forbidden");
        backup.told().problem = null;
        assertThat(get()).isIn("web", "web2");

        try (VipRequestStream stream = new VipRequestStream(VIP, vipPort)) {
            stream.awaitSuccesses(20);
            master.die();
            await().atMost(Duration.ofSeconds(5)).until(backup::holdsVip);
            stream.awaitSuccesses(20);
            System.out.printf("pair, master killed: the VIP answered nothing for %d ms; %d requests failed of %d%n",
                    stream.longestGapMillis(), stream.failures(), stream.failures() + stream.successes());
            // Master down after 361 ms of silence (the last advert up to 100 ms before the death),
            // then a bind; 400 ms for this busy 2-core machine.
            assertThat(stream.longestGapMillis()).isLessThan(800);
        }
        assertThat(backup.pairStatus().role()).isEqualTo("MASTER");
        assertThat(backup.pairStatus().term()).isGreaterThan(1);
        assertThat(backup.told().last).as("the successor tells the network it holds the VIP").isTrue();
        assertThat(backup.dataplane().servesAsMaster()).isTrue();
    }

    @Test
    void aPlannedFailoverHandsTheVipOverWithoutAFailedRequest() throws Exception {
        Member master = awaitOneMaster();
        Member backup = other(master);
        try (VipRequestStream stream = new VipRequestStream(VIP, vipPort)) {
            stream.awaitSuccesses(20);
            assertThat(master.configThread().submit(() -> master.dataplane().handOverVip()).get(10, TimeUnit.SECONDS))
                    .isEqualTo(Handover.HANDED_OVER);
            await().atMost(Duration.ofSeconds(5)).until(() -> backup.holdsVip() && !master.holdsVip());
            stream.awaitSuccesses(20);
            System.out.printf("pair, planned failover: the VIP answered nothing for %d ms; %d requests failed of %d%n",
                    stream.longestGapMillis(), stream.failures(), stream.failures() + stream.successes());
            assertThat(stream.failures()).as("failed requests").isZero();
        }
        assertThat(roleOf(master.pairStatus())).isEqualTo(new PairStatus("BACKUP", backup.pairStatus().term(), false));
        assertThat(backup.pairStatus().role()).isEqualTo("MASTER");
        assertThat(backup.told().last).as("the successor tells the network it holds the VIP").isTrue();
        assertThat(master.told().last).as("the old master, that it does not").isFalse();
        master.configThread().submit(master.dataplane()::close).get(10, TimeUnit.SECONDS);
        assertThat(master.told().closed).isTrue();
    }

    @Test
    @Tag("linger")
    void behindAServiceTheOldMasterKeepsItsListenersWhileTheNetworkFollowsItsSuccessor() throws Exception {
        Member master = awaitOneMaster();
        Member backup = other(master);
        long start = System.nanoTime();
        var handOver = master.configThread().submit(() -> master.dataplane().handOverVip());
        await().atMost(Duration.ofSeconds(1)).until(() -> backup.holdsVip() && Boolean.TRUE.equals(backup.told().last));
        long successorMillis = (System.nanoTime() - start) / 1_000_000;

        // The successor holds the VIP and told the network; the old master claims it no more, yet
        // its listeners still take what the network sends it until the linger is over.
        assertThat(master.told().last).as("a resigned master no longer claims the VIP").isFalse();
        assertThat(master.holdsVip()).as("listeners open %d ms after the resignation", successorMillis).isTrue();
        assertThat(handOver.get(10, TimeUnit.SECONDS)).isEqualTo(Handover.HANDED_OVER);
        long handOverMillis = (System.nanoTime() - start) / 1_000_000;
        assertThat(handOverMillis).as("the handover waits for the network").isGreaterThanOrEqualTo(800);
        assertThat(master.pairStatus().role()).isEqualTo("BACKUP");
        await().atMost(Duration.ofSeconds(3)).until(() -> !master.holdsVip());
    }

    @Test
    void newGenerationsKeepTheMasterServingAndTheBackupWaiting() throws Exception {
        Member master = awaitOneMaster();
        Member backup = other(master);
        long term = master.pairStatus().term();
        try (VipRequestStream stream = new VipRequestStream(VIP, vipPort)) {
            stream.awaitSuccesses(20);
            for (int generation = 2; generation <= 6; generation++) {
                for (Member member : pair) {
                    AmphoraConfig next = applied(member).withGeneration(generation);
                    assertThat(member.configThread().submit(() -> member.dataplane().apply(next)).get())
                            .isEqualTo(new ApplyResult.Applied(generation));
                }
            }
            stream.awaitSuccesses(20);
            assertThat(stream.failures()).as("failed requests while both took five generations").isZero();
        }
        assertThat(roleOf(master.pairStatus())).isEqualTo(new PairStatus("MASTER", term, true));
        assertThat(roleOf(backup.pairStatus())).isEqualTo(new PairStatus("BACKUP", term, false));
    }

    private AmphoraConfig applied(Member member) {
        return configs[member == pair[0] ? 0 : 1];
    }

    private Member other(Member member) {
        return member == pair[0] ? pair[1] : pair[0];
    }

    @Test
    void aStoppingMasterHandsTheVipOverBeforeItCloses() throws Exception {
        Member master = awaitOneMaster();
        Member backup = other(master);
        try (VipRequestStream stream = new VipRequestStream(VIP, vipPort)) {
            stream.awaitSuccesses(20);
            master.configThread().submit(master.dataplane()::close).get(10, TimeUnit.SECONDS);
            assertThat(backup.holdsVip()).as("the successor holds the VIP before the master has closed").isTrue();
            stream.awaitSuccesses(20);
            System.out.printf("pair, master stopped: the VIP answered nothing for %d ms; %d requests failed of %d%n",
                    stream.longestGapMillis(), stream.failures(), stream.failures() + stream.successes());
            // A request in flight on the stopping master is cut with its connection; new ones go
            // to the successor, so no silence.
            assertThat(stream.longestGapMillis()).isLessThan(200);
            assertThat(stream.failures()).as("failed requests").isLessThanOrEqualTo(1);
        }
    }

    @Test
    void clientsKeepTheirMembersWhenTheStandbyTakesOver() throws Exception {
        Member master = awaitOneMaster();
        Member backup = other(master);
        Map<String, String> members = bindClients();
        await().atMost(Duration.ofSeconds(5)).until(() -> backup.dataplane().restoredBindings() >= CLIENTS);
        assertThat(backup.pairStatus().sessionBindingsReceived()).as("reported with the pair's status")
                .isEqualTo(backup.dataplane().restoredBindings());

        master.die();
        await().atMost(Duration.ofSeconds(5)).until(backup::holdsVip);
        assertThat(answers(true)).as("each client's member after the failover").isEqualTo(members);
    }

    @Test
    void aStandbyThatJoinsLaterIsToldEveryBindingInForce() throws Exception {
        Member master = awaitOneMaster();
        int late = master == pair[0] ? 1 : 0;
        Map<String, String> members = bindClients();
        // The standby is replaced after the clients were bound: only the master knows them.
        pair[late].die();
        // A replacement has an id of its own, as every driver gives it.
        pair[late] = startMember(late, "amphora-" + late + "-replacement");
        Member replacement = pair[late];
        await().atMost(Duration.ofSeconds(5)).until(() -> replacement.dataplane().restoredBindings() >= CLIENTS);

        master.die();
        await().atMost(Duration.ofSeconds(5)).until(replacement::holdsVip);
        assertThat(answers(true)).as("each client's member after the failover").isEqualTo(members);
    }

    @Test
    void aMasterWithAStuckEventLoopGivesTheVipUpAndComesBackAsBackup() throws Exception {
        Member master = awaitOneMaster();
        Member backup = other(master);
        // A loop of the data plane, not the one the pair's protocol runs on, spins for 2.5 s, as a
        // handler caught in a loop would: the adverts go on, the self-check notices.
        EventLoop pairLoop = master.dataplane().pairLoop();
        EventExecutor stuck = java.util.stream.StreamSupport.stream(master.group().spliterator(), false)
                .filter(loop -> loop != pairLoop).findFirst().orElseThrow();
        long started = System.nanoTime();
        AtomicLong spins = new AtomicLong();
        stuck.execute(() -> {
            long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(2_500);
            while (System.nanoTime() < until) {
                spins.incrementAndGet();
            }
        });
        await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(20)).until(backup::holdsVip);
        long tookOver = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
        assertThat(master.pairStatus().role()).isEqualTo("FAULT");
        assertThat(master.holdsVip()).isFalse();
        System.out.printf("pair, a master's event loop stuck: the backup holds the VIP after %d ms%n", tookOver);
        // The bound (1 s) and an advert interval, then the backup's skew; it is still stuck then.
        assertThat(tookOver).isBetween(1_000L, 2_400L);

        await().atMost(Duration.ofSeconds(5)).until(() -> "BACKUP".equals(master.pairStatus().role()));
        assertThat(backup.pairStatus().role()).as("no preemption: the successor keeps the VIP").isEqualTo("MASTER");
        assertThat(get()).isIn("web", "web2");
    }

    private static final int CLIENTS = 24;

    /** Clients from as many source addresses, each bound to a member; both members are used. */
    private Map<String, String> bindClients() throws IOException {
        Map<String, String> members = answers();
        assertThat(Set.copyOf(members.values())).containsExactlyInAnyOrder("web", "web2");
        assertThat(answers(true)).as("persistence holds on the master").isEqualTo(members);
        return members;
    }

    private Map<String, String> answers() throws IOException {
        return answers(false);
    }

    /**
     * Each client's member. Asked in reverse order too: a successor without the bindings would
     * pick round robin afresh, and in the same order could happen to pick as its predecessor did.
     */
    private Map<String, String> answers(boolean reversed) throws IOException {
        Map<String, String> members = new TreeMap<>();
        for (int n = 1; n <= CLIENTS; n++) {
            String source = "127.0.9." + (reversed ? CLIENTS + 1 - n : n);
            members.put(source, getFrom(source));
        }
        return members;
    }

    /** One GET through the VIP from a client at {@code source}. */
    private String getFrom(String source) throws IOException {
        try (Socket socket = new Socket()) {
            socket.bind(new InetSocketAddress(source, 0));
            socket.connect(new InetSocketAddress(VIP, vipPort), 1_000);
            socket.setSoTimeout(2_000);
            socket.getOutputStream().write("GET / HTTP/1.1\r\nHost: lb\r\nConnection: close\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            String response = new String(socket.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
            assertThat(response).startsWith("HTTP/1.1 200");
            return response.substring(response.indexOf("\r\n\r\n") + 4);
        }
    }

    /** Its role, term and whether it holds the VIP: what these tests compare. */
    private static PairStatus roleOf(PairStatus status) {
        return new PairStatus(status.role(), status.term(), status.holdsVip());
    }

    private Member awaitOneMaster() {
        await().atMost(Duration.ofSeconds(5)).until(() -> pair[0].holdsVip() != pair[1].holdsVip());
        return pair[0].holdsVip() ? pair[0] : pair[1];
    }

    private String get() throws IOException {
        return VipRequestStream.get(VIP, vipPort);
    }

    private static int freeUdpPort() throws IOException {
        try (java.net.DatagramSocket socket = new java.net.DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
