package dev.lbaas.operator.driver.local;

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
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.jboss.logging.Logger;

/** How the local driver starts an amphora's JVM. */
public final class AmphoraJavaCommand {

    private static final Logger LOG = Logger.getLogger(AmphoraJavaCommand.class);
    private static final String JVM_OPTIONS = "jvm.options";

    /**
     * The environment an amphora's JVM runs in, beside its options (jvm.options); the image and the
     * benchmark set the same. Two malloc arenas instead of glibc's default of up to eight per CPU:
     * the event loops, the JIT and the collector each allocated native memory in an arena of their
     * own, and each arena kept pages of it after the load (docs/benchmark.md).
     */
    public static final Map<String, String> ENVIRONMENT = Map.of("MALLOC_ARENA_MAX", "2");

    private AmphoraJavaCommand() {
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
    static List<String> of(Path jar, Path state) {
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
}
