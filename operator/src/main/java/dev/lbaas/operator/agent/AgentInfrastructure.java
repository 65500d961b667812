package dev.lbaas.operator.agent;

import dev.lbaas.operator.config.OperatorConfig;
import dev.lbaas.operator.driver.AmphoraDriver;
import dev.lbaas.operator.driver.local.LocalProcessDriver;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.jboss.logging.Logger;

/**
 * Wires the amphora side of the operator: the CA, the agent client with the operator's client
 * certificate, the sessions, and the driver chosen in the configuration.
 */
@Singleton
public class AgentInfrastructure {

    private static final Logger LOG = Logger.getLogger(AgentInfrastructure.class);
    private static final String JVM_OPTIONS = "jvm.options";

    /**
     * The environment an amphora's JVM runs in, beside its options (jvm.options); the image
     * (Dockerfile) and the benchmark set the same. Two malloc arenas instead of glibc's default of
     * up to eight per CPU: the event loops, the JIT and the collector each allocated native memory
     * in an arena of their own, and each arena kept pages of it after the load. Idle after the
     * benchmark's load, two-worker amphorae held 89 MiB with two arenas against 93 to 99 MiB
     * without (docs/benchmark.md).
     */
    static final Map<String, String> JAVA_ENVIRONMENT = Map.of("MALLOC_ARENA_MAX", "2");

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
        this.driver = new LocalProcessDriver(new LocalProcessDriver.Settings(amphoraCommand(config.local(), state),
                JAVA_ENVIRONMENT, state, config.local().vipPrefix()), authority);
        LOG.infof("amphora driver %s, state in %s", config.driver(), state);
    }

    private static List<String> amphoraCommand(OperatorConfig.Local local, Path state) {
        if (local.amphoraCommand().isPresent()) {
            return local.amphoraCommand().get();
        }
        String jar = local.amphoraJar().orElseThrow(() -> new IllegalArgumentException(
                "lbaas.local.amphora-jar or lbaas.local.amphora-command must be set for the local driver"));
        return javaCommand(Path.of(jar), state);
    }

    /**
     * Runs the amphora jar with this operator's java and the amphora's JVM options
     * (dataplane-image/amphora/jvm.options, shared with its image and benchmark): the file beside
     * the jar or, for a jar in the module's target directory, one level up; else the copy inside the
     * jar, written to the state directory. With the class-data archive the build makes beside the
     * jar ({@code amphora.jsa} for {@code amphora.jar}), if there is one: the amphorae then map
     * their classes from it, a few MiB less each. (An archive made by another JVM build is
     * ignored by the JVM, and the amphora logs a warning.)
     */
    static List<String> javaCommand(Path jar, Path state) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        Path jarDir = jar.toAbsolutePath().getParent();
        Path options = Stream.of(jarDir, jarDir.getParent())
                .filter(Objects::nonNull)
                .map(dir -> dir.resolve(JVM_OPTIONS))
                .filter(Files::isRegularFile)
                .findFirst()
                .orElseGet(() -> optionsInside(jar, state));
        if (options != null) {
            command.add("@" + options);
        } else {
            LOG.warnf("%s has no %s beside or inside it: the amphora runs with the JVM's defaults", jar, JVM_OPTIONS);
        }
        Path archive = jarDir.resolve(jar.getFileName().toString().replaceFirst("\\.jar$", "") + ".jsa");
        if (Files.isRegularFile(archive)) {
            command.add("-XX:SharedArchiveFile=" + archive);
        }
        command.addAll(List.of("-jar", jar.toString()));
        return command;
    }

    private static Path optionsInside(Path jar, Path state) {
        try (ZipFile zip = new ZipFile(jar.toFile())) {
            ZipEntry entry = zip.getEntry(JVM_OPTIONS);
            if (entry == null) {
                return null;
            }
            Path copy = state.resolve("amphora-" + JVM_OPTIONS);
            Files.createDirectories(state);
            try (InputStream in = zip.getInputStream(entry)) {
                Files.copy(in, copy, StandardCopyOption.REPLACE_EXISTING);
            }
            return copy;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the amphora's " + JVM_OPTIONS + " in " + jar, e);
        }
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
