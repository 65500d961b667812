package dev.lbaas.operator.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.lbaas.amphora.config.AmphoraConfig;
import dev.lbaas.amphora.config.HealthMonitorConfig;
import dev.lbaas.amphora.config.LbAlgorithm;
import dev.lbaas.amphora.config.ListenerConfig;
import dev.lbaas.amphora.config.ListenerProtocol;
import dev.lbaas.amphora.config.MemberConfig;
import dev.lbaas.amphora.config.MemberHealth;
import dev.lbaas.amphora.config.MonitorType;
import dev.lbaas.amphora.config.PoolConfig;
import dev.lbaas.amphora.config.PoolProtocol;
import dev.lbaas.api.v1alpha1.LoadBalancer;
import dev.lbaas.api.v1alpha1.Topology;
import dev.lbaas.operator.driver.AmphoraEndpoint;
import dev.lbaas.operator.driver.local.AmphoraJavaCommand;
import dev.lbaas.operator.driver.local.LocalProcessDriver;
import dev.lbaas.operator.pki.CertificateAuthority;
import dev.lbaas.operator.status.AmphoraView;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.io.IOException;
import java.io.InputStream;
import java.io.PushbackInputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The operator's side of the agent API against a real amphora process started by the local
 * driver: configuration pushed by generation, health news through the long poll, refusals, and
 * replacement of a dead amphora.
 */
class AmphoraSessionIT {

    @TempDir
    Path state;

    private final ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(2);
    private LocalProcessDriver driver;
    private AmphoraFleet fleet;

    @AfterEach
    void stop() {
        if (fleet != null) {
            fleet.remove("lb-uid");
        }
        if (driver != null) {
            driver.stopAll();
        }
        scheduler.shutdownNow();
    }

    @Test
    void pushesConfigurationAndHearsOfHealthAtOnce() throws Exception {
        CertificateAuthority authority = CertificateAuthority.loadOrCreate(state.resolve("ca"));
        Path amphoraJar = Path.of(System.getProperty("lbaas.project.dir", ".."))
                .resolve("dataplane-image/amphora/target/amphora.jar");
        driver = new LocalProcessDriver(new LocalProcessDriver.Settings(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx64m", "-jar",
                amphoraJar.toString()), AmphoraJavaCommand.ENVIRONMENT, state, "127.100"), authority);
        AgentIdentities identities = new AgentIdentities();
        fleet = new AmphoraFleet(new AgentClient(authority.sslContext(
                authority.issue("lbaas-operator", List.of(), List.of()), identities::check), scheduler), scheduler,
                identities);
        LoadBalancer lb = new LoadBalancer();
        lb.setMetadata(new ObjectMetaBuilder().withName("lb").withNamespace("default").withUid("lb-uid").build());
        String vip = driver.ensureVip(lb, null, Topology.SINGLE, null, Set.of());
        assertThat(vip).startsWith("127.100.");
        AtomicInteger changes = new AtomicInteger();

        try (ServerSocket member = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            List<AmphoraEndpoint> endpoints = driver.ensureAmphorae(lb, null, Topology.SINGLE, vip, null);
            AmphoraSession session = fleet.sync("lb-uid", endpoints, changes::incrementAndGet).get(0);
            session.desire(config(1, vip, member.getLocalPort(), ListenerProtocol.TCP));

            await().atMost(Duration.ofSeconds(30)).until(() -> health(session.view()) == MemberHealth.UP);
            assertThat(session.view().appliedGeneration()).isEqualTo(1);
            assertThat(session.view().reachable()).isTrue();
            // Traffic through the VIP reaches the member, both ways.
            try (Socket client = new Socket(vip, 9000)) {
                client.setSoTimeout(10_000);
                client.getOutputStream().write("ping\n".getBytes(StandardCharsets.US_ASCII));
                try (Accepted accepted = acceptTraffic(member)) {
                    assertThat(new String(accepted.in().readNBytes(5), StandardCharsets.US_ASCII)).isEqualTo("ping\n");
                    accepted.socket().getOutputStream().write("pong\n".getBytes(StandardCharsets.US_ASCII));
                    assertThat(new String(client.getInputStream().readNBytes(5), StandardCharsets.US_ASCII))
                            .isEqualTo("pong\n");
                }
            }

            int before = changes.get();
            member.close();
            // The next check fails (delay 500 ms + timeout 400 ms, one failure to fall) and the held
            // status request brings the news; 10 s of slack for a loaded machine.
            await().atMost(Duration.ofSeconds(10)).until(() -> health(session.view()) == MemberHealth.DOWN);
            assertThat(changes.get()).isGreaterThan(before);
        }

        AmphoraSession session = fleet.sync("lb-uid", driver.ensureAmphorae(lb, null, Topology.SINGLE, vip, null), changes::incrementAndGet).get(0);
        // a configuration the records accept and this amphora cannot serve
        AmphoraConfig unservable = config(2, vip, 1, ListenerProtocol.HTTP);
        session.desire(new AmphoraConfig(2, "lb-uid", vip, true, List.of(new ListenerConfig("l", "l",
                ListenerProtocol.HTTP, 9000, -1, true, "pool", null, null, List.of("X-Forwarded-Host"))),
                unservable.pools()));
        await().atMost(Duration.ofSeconds(10)).until(() -> session.view().rejection() != null);
        assertThat(session.view().rejection()).contains("generation 2", "X-Forwarded-Host is not supported yet");
        assertThat(session.view().appliedGeneration()).isEqualTo(1);

        String firstId = session.id();
        long pid = Long.parseLong(driver.ensureAmphorae(lb, null, Topology.SINGLE, vip, null).get(0).location().replace("pid ", ""));
        // The amphora runs in the environment the operator adds for it, unless the operator's own sets otherwise.
        assertThat(environment(pid)).contains("MALLOC_ARENA_MAX=" + System.getenv().getOrDefault("MALLOC_ARENA_MAX", "2"));
        ProcessHandle amphora = ProcessHandle.of(pid).orElseThrow();
        amphora.destroyForcibly();
        amphora.onExit().get();
        await().atMost(Duration.ofSeconds(10)).until(() -> !session.view().reachable());
        List<AmphoraEndpoint> replaced = driver.ensureAmphorae(lb, null, Topology.SINGLE, vip, null);
        assertThat(replaced.get(0).id()).isNotEqualTo(firstId);

        driver.deleteAmphorae(lb);
        long replacementPid = Long.parseLong(replaced.get(0).location().replace("pid ", ""));
        assertThat(ProcessHandle.of(replacementPid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
    }

    /** A connection the member accepted, and what it reads from it. */
    private record Accepted(Socket socket, InputStream in) implements AutoCloseable {
        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    /**
     * The next connection the member accepts that carries traffic: the health monitor's TCP checks
     * connect too, and close without sending anything.
     */
    private static Accepted acceptTraffic(ServerSocket member) throws IOException {
        member.setSoTimeout(10_000);
        while (true) {
            Socket accepted = member.accept();
            accepted.setSoTimeout(10_000);
            PushbackInputStream in = new PushbackInputStream(accepted.getInputStream());
            int first = in.read();
            if (first >= 0) {
                in.unread(first);
                return new Accepted(accepted, in);
            }
            accepted.close();
        }
    }

    /** The environment a process started with: NUL-separated NAME=value entries in /proc. */
    private static List<String> environment(long pid) throws IOException {
        return List.of(Files.readString(Path.of("/proc", Long.toString(pid), "environ")).split("\0"));
    }

    private static MemberHealth health(AmphoraView view) {
        if (view.report() == null || view.report().pools().isEmpty()) {
            return null;
        }
        return view.report().pools().get(0).members().get(0).health();
    }

    private static AmphoraConfig config(long generation, String vip, int memberPort, ListenerProtocol protocol) {
        HealthMonitorConfig monitor = new HealthMonitorConfig("hm", MonitorType.TCP, 500, 400, 1, 1,
                null, null, null, null, null, true);
        PoolConfig pool = new PoolConfig("pool", "pool", PoolProtocol.TCP, LbAlgorithm.ROUND_ROBIN, true,
                List.of(new MemberConfig("m", "m", "127.0.0.1", memberPort, 1, false, true, null, null)), monitor);
        ListenerConfig listener = new ListenerConfig("l", "l", protocol, 9000, -1, true, "pool", null, null, null);
        return new AmphoraConfig(generation, "lb-uid", vip, true, List.of(listener), List.of(pool));
    }
}
