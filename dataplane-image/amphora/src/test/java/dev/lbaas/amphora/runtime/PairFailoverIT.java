package dev.lbaas.amphora.runtime;

import static dev.lbaas.amphora.testing.Configs.config;
import static dev.lbaas.amphora.testing.Configs.freePort;
import static dev.lbaas.amphora.testing.Configs.listener;
import static dev.lbaas.amphora.testing.Configs.member;
import static dev.lbaas.amphora.testing.Configs.pool;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.lbaas.amphora.Transport;
import dev.lbaas.amphora.config.AmphoraConfig;
import dev.lbaas.amphora.config.AmphoraStatus.PairStatus;
import dev.lbaas.amphora.config.FailoverConfig;
import dev.lbaas.amphora.config.ListenerProtocol;
import dev.lbaas.amphora.config.PoolProtocol;
import dev.lbaas.amphora.testing.NamedHttpBackend;
import dev.lbaas.amphora.testing.VipRequestStream;
import io.netty.channel.EventLoopGroup;
import java.io.IOException;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

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
    private final Member[] pair = new Member[2];
    private final AmphoraConfig[] configs = new AmphoraConfig[2];

    /** One amphora: its event loops, its configuration thread and its data plane. */
    private record Member(String id, EventLoopGroup group, ExecutorService configThread, Dataplane dataplane) {

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

    @BeforeEach
    void start() throws Exception {
        web = new NamedHttpBackend("web");
        int port = freePort(VIP);
        int advertPort = freeUdpPort();
        String[] addresses = {"127.0.0.2", "127.0.0.3"};
        for (int i = 0; i < 2; i++) {
            EventLoopGroup group = Transport.CURRENT.newEventLoopGroup(2);
            ExecutorService configThread = Executors.newSingleThreadExecutor();
            Dataplane dataplane = new Dataplane("amphora-" + i, group, () -> { }, configThread,
                    InetAddress.getByName(addresses[i]));
            pair[i] = new Member("amphora-" + i, group, configThread, dataplane);
        }
        for (int i = 0; i < 2; i++) {
            FailoverConfig failover = new FailoverConfig(addresses[1 - i], advertPort, advertPort, 100, 100, false, KEY);
            AmphoraConfig config = config(1, VIP, List.of(listener("l", ListenerProtocol.HTTP, port, "p")),
                    pool("p", PoolProtocol.HTTP, null, member("web", web.port(), 1))).withFailover(failover);
            configs[i] = config;
            Dataplane dataplane = pair[i].dataplane();
            assertThat(pair[i].configThread().submit(() -> dataplane.apply(config)).get())
                    .isEqualTo(new ApplyResult.Applied(1));
        }
        vipPort = port;
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
    }

    @Test
    void oneAmphoraHoldsTheVipAndTheOtherTakesItWithinTheMasterDownIntervalWhenTheFirstDies() throws Exception {
        Member master = awaitOneMaster();
        Member backup = other(master);
        assertThat(master.pairStatus().role()).isEqualTo("MASTER");
        assertThat(backup.pairStatus()).isEqualTo(new PairStatus("BACKUP", master.pairStatus().term(), false));
        assertThat(get()).isEqualTo("web");

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
    }

    @Test
    void aPlannedFailoverHandsTheVipOverWithoutAFailedRequest() throws Exception {
        Member master = awaitOneMaster();
        Member backup = other(master);
        try (VipRequestStream stream = new VipRequestStream(VIP, vipPort)) {
            stream.awaitSuccesses(20);
            master.configThread().submit(() -> {
                master.dataplane().handOverVip();
                return null;
            }).get(10, TimeUnit.SECONDS);
            await().atMost(Duration.ofSeconds(5)).until(() -> backup.holdsVip() && !master.holdsVip());
            stream.awaitSuccesses(20);
            System.out.printf("pair, planned failover: the VIP answered nothing for %d ms; %d requests failed of %d%n",
                    stream.longestGapMillis(), stream.failures(), stream.failures() + stream.successes());
            assertThat(stream.failures()).as("failed requests").isZero();
        }
        assertThat(master.pairStatus()).isEqualTo(new PairStatus("BACKUP", backup.pairStatus().term(), false));
        assertThat(backup.pairStatus().role()).isEqualTo("MASTER");
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
        assertThat(master.pairStatus()).isEqualTo(new PairStatus("MASTER", term, true));
        assertThat(backup.pairStatus()).isEqualTo(new PairStatus("BACKUP", term, false));
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
