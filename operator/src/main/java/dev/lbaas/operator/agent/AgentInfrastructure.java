package dev.lbaas.operator.agent;

import dev.lbaas.operator.config.OperatorConfig;
import dev.lbaas.operator.driver.AmphoraDriver;
import dev.lbaas.operator.driver.local.LocalProcessDriver;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Singleton;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.jboss.logging.Logger;

/**
 * Wires the amphora side of the operator: the CA, the agent client with the operator's client
 * certificate, the sessions, and the driver chosen in the configuration.
 */
@Singleton
public class AgentInfrastructure {

    private static final Logger LOG = Logger.getLogger(AgentInfrastructure.class);

    private final ScheduledExecutorService scheduler;
    private final AmphoraFleet fleet;
    private final AmphoraDriver driver;

    public AgentInfrastructure(OperatorConfig config) {
        Path state = Path.of(config.stateDirectory());
        CertificateAuthority authority = CertificateAuthority.loadOrCreate(state.resolve("ca"));
        var operatorIdentity = authority.issue("lbaas-operator", List.of(), List.of("lbaas-operator"));
        this.scheduler = Executors.newScheduledThreadPool(2, runnable -> {
            Thread thread = new Thread(runnable, "amphora-agent");
            thread.setDaemon(true);
            return thread;
        });
        this.fleet = new AmphoraFleet(new AgentClient(authority.sslContext(operatorIdentity), scheduler), scheduler);
        if (!"local".equals(config.driver())) {
            throw new IllegalArgumentException("lbaas.driver: unknown driver " + config.driver()
                    + "; this release has: local");
        }
        this.driver = new LocalProcessDriver(new LocalProcessDriver.Settings(amphoraCommand(config.local()), state,
                config.local().vipPrefix()), authority);
        LOG.infof("amphora driver %s, state in %s", config.driver(), state);
    }

    private static List<String> amphoraCommand(OperatorConfig.Local local) {
        if (local.amphoraCommand().isPresent()) {
            return local.amphoraCommand().get();
        }
        String jar = local.amphoraJar().orElseThrow(() -> new IllegalArgumentException(
                "lbaas.local.amphora-jar or lbaas.local.amphora-command must be set for the local driver"));
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        // The amphora's JVM options (dataplane-image/amphora/jvm.options, shared with its image and
        // benchmark) live beside the jar or, for a jar in the module's target directory, one level up.
        Path jarDir = Path.of(jar).toAbsolutePath().getParent();
        Path options = java.util.stream.Stream.of(jarDir, jarDir.getParent())
                .filter(java.util.Objects::nonNull)
                .map(dir -> dir.resolve("jvm.options"))
                .filter(java.nio.file.Files::isRegularFile)
                .findFirst().orElse(null);
        if (options != null) {
            command.add("@" + options);
        } else {
            // the essentials of the same list: a heap that follows the traffic, full JIT, native memory trimmed
            command.addAll(List.of("-XX:+UseG1GC", "-Xms8m", "-Xmx96m", "-XX:GCTimeRatio=99",
                    "-XX:G1PeriodicGCInterval=5000", "-XX:MinHeapFreeRatio=10", "-XX:MaxHeapFreeRatio=20",
                    "-XX:MaxDirectMemorySize=64m", "-XX:MaxMetaspaceSize=64m", "-XX:ReservedCodeCacheSize=64m",
                    "-Xss512k", "-XX:+IgnoreUnrecognizedVMOptions", "-XX:+UnlockExperimentalVMOptions",
                    "-XX:TrimNativeHeapInterval=1000"));
        }
        command.addAll(List.of("-jar", jar));
        return command;
    }

    public AmphoraFleet fleet() {
        return fleet;
    }

    public AmphoraDriver driver() {
        return driver;
    }

    @PreDestroy
    void stop() {
        if (driver instanceof LocalProcessDriver local) {
            local.stopAll();
        }
        scheduler.shutdownNow();
    }
}
