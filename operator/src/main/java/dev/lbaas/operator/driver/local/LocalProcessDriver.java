package dev.lbaas.operator.driver.local;

import dev.lbaas.api.v1alpha1.AmphoraInfo;
import dev.lbaas.amphora.config.AmphoraConfig;
import dev.lbaas.api.v1alpha1.LoadBalancer;
import dev.lbaas.api.v1alpha1.LoadBalancerClass;
import dev.lbaas.api.v1alpha1.Topology;
import dev.lbaas.operator.driver.AmphoraDriver;
import dev.lbaas.operator.driver.AmphoraEndpoint;
import dev.lbaas.operator.config.OperatorConfig;
import dev.lbaas.operator.pki.CertificateAuthority;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * Runs each amphora as a child process of the operator, for laptops and end-to-end tests.
 *
 * <p>VIPs are loopback addresses (127.100.x.y by default): Linux routes all of 127.0.0.0/8 to the
 * loopback interface, so an amphora can bind any of them without adding addresses. Amphorae are
 * started with their standard input connected to the operator and exit when it closes, so they
 * never outlive the operator, even when it is killed. The CA is kept in files in the state
 * directory. A class's amphora and VIP Service templates do not apply to local processes.
 *
 * <p>An ACTIVE_STANDBY pair is two processes on 127.0.0.1, each receiving its peer's adverts on a
 * UDP port of its own; both may bind the loopback VIP (with SO_REUSEPORT), and the master alone
 * does.
 */
@Singleton
@Named("local")
public class LocalProcessDriver implements AmphoraDriver {

    private static final Logger LOG = Logger.getLogger(LocalProcessDriver.class);

    /**
     * What a driver needs to start amphora processes. {@code amphoraEnvironment} is added to the
     * environment each amphora inherits from the operator, except for variables the operator's own
     * environment already sets: those stay as the one who started the operator chose them.
     */
    public record Settings(List<String> amphoraCommand, Map<String, String> amphoraEnvironment, Path stateDirectory,
            String vipPrefix) {
    }

    /** One amphora process; {@code advertPort} is where it receives its pair's adverts (0 when SINGLE). */
    private record LocalAmphora(String id, AmphoraInfo.Role role, Process process, URI agent, Path directory,
            int advertPort) {

        AmphoraEndpoint endpoint() {
            return new AmphoraEndpoint(id, role, "pid " + process.pid(), agent,
                    advertPort == 0 ? null : new AmphoraEndpoint.Adverts(LOOPBACK, advertPort));
        }
    }

    private static final String LOOPBACK = "127.0.0.1";

    private final Settings settings;
    private final CertificateAuthority authority;
    /** The amphorae of each load balancer by uid, in role order. */
    private final Map<String, List<LocalAmphora>> amphorae = new ConcurrentHashMap<>();
    /** VIPs handed out, by load balancer uid: two load balancers reconciled at once never get the same one. */
    private final Map<String, String> vips = new ConcurrentHashMap<>();

    public LocalProcessDriver(Settings settings, CertificateAuthority authority) {
        this.settings = settings;
        this.authority = authority;
    }

    @Inject
    LocalProcessDriver(OperatorConfig config) {
        this(settings(config), CertificateAuthority.loadOrCreate(Path.of(config.stateDirectory()).resolve("ca")));
        LOG.infof("local amphorae keep their files in %s", settings.stateDirectory());
    }

    private static Settings settings(OperatorConfig config) {
        OperatorConfig.Local local = config.local();
        Path state = Path.of(config.stateDirectory());
        List<String> command = local.amphoraCommand().orElseGet(() -> AmphoraJavaCommand.of(Path.of(local.amphoraJar()
                .orElseThrow(() -> new IllegalArgumentException("lbaas.local.amphora-jar or lbaas.local.amphora-command "
                        + "must be set for the local driver"))), state));
        return new Settings(command, AmphoraJavaCommand.ENVIRONMENT, state, local.vipPrefix());
    }

    @Override
    public CertificateAuthority certificateAuthority() {
        return authority;
    }

    @Override
    public synchronized String ensureVip(LoadBalancer loadBalancer, LoadBalancerClass lbClass, Topology topology,
            String wanted, Set<String> inUse) {
        String uid = loadBalancer.getMetadata().getUid();
        if (wanted != null) {
            vips.put(uid, wanted);
            return wanted;
        }
        String allocated = vips.get(uid);
        if (allocated != null) {
            return allocated;
        }
        // Deterministic first guess from the uid, so a restarted operator tends to give the same VIP.
        int start = Math.floorMod(uid.hashCode(), 65_000);
        for (int i = 0; i < 65_000; i++) {
            int n = (start + i) % 65_000 + 1;
            String candidate = settings.vipPrefix() + "." + (n / 254) + "." + (n % 254 + 1);
            if (!inUse.contains(candidate) && !vips.containsValue(candidate)) {
                vips.put(uid, candidate);
                return candidate;
            }
        }
        throw new IllegalStateException("no free VIP left in " + settings.vipPrefix() + ".0.0/16");
    }

    @Override
    public Set<Topology> topologies() {
        return EnumSet.allOf(Topology.class);
    }

    @Override
    public synchronized List<AmphoraEndpoint> ensureAmphorae(LoadBalancer loadBalancer, LoadBalancerClass lbClass,
            Topology topology, String vipAddress, AmphoraConfig config) {
        List<AmphoraInfo.Role> roles = topology == Topology.ACTIVE_STANDBY
                ? List.of(AmphoraInfo.Role.MASTER, AmphoraInfo.Role.BACKUP) : List.of(AmphoraInfo.Role.STANDALONE);
        String uid = loadBalancer.getMetadata().getUid();
        List<LocalAmphora> running = amphorae.getOrDefault(uid, List.of());
        List<LocalAmphora> next = new ArrayList<>();
        try {
            for (int slot = 0; slot < roles.size(); slot++) {
                LocalAmphora amphora = slot < running.size() && running.get(slot).role() == roles.get(slot)
                        ? running.get(slot) : null;
                if (amphora != null && !amphora.process().isAlive()) {
                    LOG.warnf("amphora %s of load balancer %s/%s exited with %d; starting a replacement",
                            amphora.id(), loadBalancer.getMetadata().getNamespace(),
                            loadBalancer.getMetadata().getName(), amphora.process().exitValue());
                    amphora = null;
                }
                next.add(amphora != null ? amphora : start(loadBalancer, roles.get(slot)));
            }
        } finally {
            // Kept even when a start failed, so that what did start is neither orphaned nor started twice.
            List<LocalAmphora> kept = new ArrayList<>(next);
            for (int slot = next.size(); slot < running.size(); slot++) {
                if (slot < roles.size()) {
                    kept.add(running.get(slot));
                }
            }
            amphorae.put(uid, List.copyOf(kept));
        }
        // The topology of the class changed: amphorae of roles it no longer has stop.
        running.stream().filter(amphora -> !next.contains(amphora) && amphora.process().isAlive())
                .forEach(LocalProcessDriver::stop);
        return next.stream().map(LocalAmphora::endpoint).toList();
    }

    @Override
    public void deleteAmphorae(LoadBalancer loadBalancer) {
        deleteAmphorae(loadBalancer.getMetadata().getUid());
    }

    private synchronized void deleteAmphorae(String loadBalancerUid) {
        vips.remove(loadBalancerUid);
        amphorae.getOrDefault(loadBalancerUid, List.of()).forEach(LocalProcessDriver::stop);
        amphorae.remove(loadBalancerUid);
    }

    /** Stops every amphora this driver started: they are children of this operator. */
    @Override
    public void shutdown() {
        stopAll();
    }

    /** Stops every amphora this driver started. */
    public synchronized void stopAll() {
        new ArrayList<>(amphorae.keySet()).forEach(this::deleteAmphorae);
    }

    private LocalAmphora start(LoadBalancer loadBalancer, AmphoraInfo.Role role) {
        String id = "amphora-" + UUID.randomUUID().toString().substring(0, 8);
        Path directory = settings.stateDirectory().resolve("amphorae").resolve(id);
        try {
            Files.createDirectories(directory);
            authority.issue(id, List.of(LOOPBACK), List.of(id)).writeTo(directory);
            Files.writeString(directory.resolve("ca.crt"), authority.certificatePem());
            int agentPort = freePort();
            int advertPort = role == AmphoraInfo.Role.STANDALONE ? 0 : freeUdpPort();
            List<String> command = new ArrayList<>(settings.amphoraCommand());
            command.addAll(List.of(
                    "--id", id,
                    "--agent-address", LOOPBACK,
                    "--agent-port", Integer.toString(agentPort),
                    "--agent-port-file", directory.resolve("agent.port").toString(),
                    "--tls-cert", directory.resolve("tls.crt").toString(),
                    "--tls-key", directory.resolve("tls.key").toString(),
                    "--tls-ca", directory.resolve("ca.crt").toString(),
                    "--exit-on-stdin-eof"));
            ProcessBuilder builder = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(directory.resolve("amphora.log").toFile());
            settings.amphoraEnvironment().forEach(builder.environment()::putIfAbsent);
            Process process = builder.start();
            LOG.infof("started amphora %s (pid %d, %s) for load balancer %s/%s; log: %s", id, process.pid(), role,
                    loadBalancer.getMetadata().getNamespace(), loadBalancer.getMetadata().getName(),
                    directory.resolve("amphora.log"));
            return new LocalAmphora(id, role, process, URI.create("https://127.0.0.1:" + agentPort), directory,
                    advertPort);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start an amphora with " + settings.amphoraCommand(), e);
        }
    }

    private static void stop(LocalAmphora amphora) {
        Process process = amphora.process();
        try {
            process.getOutputStream().close();
            process.destroy();
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
            LOG.infof("stopped amphora %s (pid %d)", amphora.id(), process.pid());
        } catch (IOException e) {
            process.destroyForcibly();
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    /**
     * A port free for both UDP (the pair's adverts) and TCP (its session sync, on the same number).
     */
    private static int freeUdpPort() throws IOException {
        for (int attempt = 0; ; attempt++) {
            try (DatagramSocket udp = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
                    ServerSocket tcp = new ServerSocket()) {
                tcp.setReuseAddress(true);
                tcp.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), udp.getLocalPort()));
                return udp.getLocalPort();
            } catch (IOException e) {
                if (attempt >= 20) {
                    throw e;
                }
            }
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            return socket.getLocalPort();
        }
    }
}
