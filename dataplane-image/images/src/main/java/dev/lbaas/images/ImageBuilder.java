package dev.lbaas.images;

import com.google.cloud.tools.jib.api.Containerizer;
import com.google.cloud.tools.jib.api.ImageReference;
import com.google.cloud.tools.jib.api.InvalidImageReferenceException;
import com.google.cloud.tools.jib.api.Jib;
import com.google.cloud.tools.jib.api.JibContainerBuilder;
import com.google.cloud.tools.jib.api.RegistryImage;
import com.google.cloud.tools.jib.api.TarImage;
import com.google.cloud.tools.jib.api.buildplan.AbsoluteUnixPath;
import com.google.cloud.tools.jib.api.buildplan.FileEntriesLayer;
import com.google.cloud.tools.jib.api.buildplan.FilePermissions;
import com.google.cloud.tools.jib.api.buildplan.ImageFormat;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds the amphora and operator images as OCI image tarballs ({@code <name>.tar} in the output
 * directory), which {@code ctr images import}, {@code podman load} or {@code docker load} take, or
 * which a registry client can push. No container engine, no registry: the images are assembled by
 * Jib from files.
 *
 * <p>Without {@code --base}, each image stands on a runtime linked from the JDK running the build
 * ({@link LinkedRuntime}): the Java modules the two programs use and the system libraries those
 * need, nothing else (no shell, no package manager). With {@code --base=<image>} (a JRE image such
 * as eclipse-temurin:17-jre, on a machine that reaches a registry), the images stand on that one.
 *
 * <p>Both run as a numeric non-root user, so that Kubernetes' runAsNonRoot can verify it, and with
 * a read-only root file system: {@code /tmp} is the only place they write, and the pod mounts an
 * emptyDir there.
 */
public final class ImageBuilder {

    static final String USER = "65532:65532";
    private static final AbsoluteUnixPath APP = AbsoluteUnixPath.get("/app");

    private final Map<String, String> options;
    private final Path output;

    private ImageBuilder(Map<String, String> options) {
        this.options = options;
        this.output = Path.of(required("output"));
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> options = new HashMap<>();
        for (String arg : args) {
            if (!arg.startsWith("--") || !arg.contains("=")) {
                throw new IllegalArgumentException("expected --name=value, got " + arg);
            }
            options.put(arg.substring(2, arg.indexOf('=')), arg.substring(arg.indexOf('=') + 1));
        }
        new ImageBuilder(options).build();
    }

    private void build() throws Exception {
        Files.createDirectories(output);
        String base = options.getOrDefault("base", "");
        LinkedRuntime runtime = base.isBlank() ? LinkedRuntime.link(output.resolve("runtime"),
                List.of(Path.of(required("amphora-jar")))) : null;
        String java = runtime == null ? "java" : LinkedRuntime.JAVA_HOME + "/bin/java";

        Path jar = Path.of(required("amphora-jar"));
        Path jvmOptions = Path.of(required("amphora-jvm-options"));
        FileEntriesLayer.Builder amphoraLayer = FileEntriesLayer.builder().setName("amphora")
                .addEntry(jar, AbsoluteUnixPath.get(ImageClassDataArchive.JAR))
                .addEntry(jvmOptions, APP.resolve("jvm.options"));
        // The JVM options the local driver and the benchmark use too (jvm.options), and the
        // class-data archive as they map the build's: made for this image's runtime (a base image's
        // runtime is not known here, so on one the amphora runs without).
        List<String> entrypoint = new ArrayList<>(List.of(java, "@/app/jvm.options"));
        if (runtime != null) {
            Path archive = ImageClassDataArchive.dump(runtime.root(), jar, jvmOptions,
                    Path.of(required("amphora-class-list")));
            amphoraLayer.addEntry(archive, AbsoluteUnixPath.get(ImageClassDataArchive.ARCHIVE));
            entrypoint.add("-XX:SharedArchiveFile=" + ImageClassDataArchive.ARCHIVE);
        }
        entrypoint.addAll(List.of("-jar", ImageClassDataArchive.JAR));
        JibContainerBuilder amphora = start(base, runtime)
                .addFileEntriesLayer(amphoraLayer.build())
                .setEntrypoint(entrypoint)
                // the environment as AmphoraJavaCommand.ENVIRONMENT sets it for local amphorae
                .addEnvironmentVariable("MALLOC_ARENA_MAX", "2");
        write(amphora, "amphora");

        Path app = Path.of(required("operator-app"));
        FileEntriesLayer.Builder operatorLayer = FileEntriesLayer.builder().setName("operator");
        addTree(operatorLayer, app, APP);
        JibContainerBuilder operator = start(base, runtime)
                .addFileEntriesLayer(operatorLayer.build())
                // A heap in proportion to the container's memory limit, not the node's.
                .setEntrypoint(java, "-XX:MaxRAMPercentage=75", "-XX:+ExitOnOutOfMemoryError",
                        "-Djava.io.tmpdir=/tmp", "-jar", "/app/quarkus-run.jar");
        write(operator, "operator");
    }

    private JibContainerBuilder start(String base, LinkedRuntime runtime) throws InvalidImageReferenceException {
        JibContainerBuilder builder = base.isBlank() ? Jib.fromScratch() : Jib.from(RegistryImage.named(base));
        if (runtime != null) {
            FileEntriesLayer.Builder layer = FileEntriesLayer.builder().setName("runtime");
            addTree(layer, runtime.root(), AbsoluteUnixPath.get("/"));
            builder.addFileEntriesLayer(layer.build());
        }
        return builder
                .setUser(USER)
                .setWorkingDirectory(AbsoluteUnixPath.get("/tmp"))
                .addEnvironmentVariable("JAVA_TOOL_OPTIONS", "-Djava.io.tmpdir=/tmp")
                .setFormat(ImageFormat.OCI)
                // Reproducible: the same inputs give the same image digest.
                .setCreationTime(Instant.EPOCH);
    }

    private void write(JibContainerBuilder builder, String name) throws Exception {
        ImageReference reference = ImageReference.parse(required("repository") + "/" + name + ":" + required("tag"));
        Path tarball = output.resolve(name + ".tar");
        builder.containerize(Containerizer.to(TarImage.at(tarball).named(reference))
                .setOfflineMode(options.getOrDefault("base", "").isBlank())
                .setBaseImageLayersCache(output.resolve("cache/base"))
                .setApplicationLayersCache(output.resolve("cache/application")));
        System.out.println("image " + reference + " written to " + tarball);
    }

    /** Every file under {@code source} at the same relative path under {@code target}, permissions kept. */
    static void addTree(FileEntriesLayer.Builder layer, Path source, AbsoluteUnixPath target) {
        List<Path> files = new ArrayList<>();
        try (var walk = Files.walk(source)) {
            walk.filter(path -> !path.equals(source)).sorted().forEach(files::add);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + source, e);
        }
        for (Path file : files) {
            AbsoluteUnixPath inImage = target.resolve(source.relativize(file).toString());
            try {
                layer.addEntry(file, inImage, FilePermissions.fromPosixFilePermissions(
                        Files.getPosixFilePermissions(file)));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read the permissions of " + file, e);
            }
        }
    }

    private String required(String name) {
        String value = options.get(name);
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("--" + name + " is required");
        }
        return value;
    }
}
