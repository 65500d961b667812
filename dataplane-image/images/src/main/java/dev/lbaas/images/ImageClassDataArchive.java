package dev.lbaas.images;

import com.google.cloud.tools.jib.api.buildplan.FileEntriesLayer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The amphora's class-data archive for its image: the classes the build's training run listed
 * (amphora.classlist), dumped by the image's own Java runtime for the image's own jar path.
 *
 * <p>The JVM maps an archive only for the class path, and the jar's size and modification time,
 * it was dumped with; the class path may not move (Java 17). So the dump runs in the image's file
 * system: chrooted into the linked runtime's root, with the jar at {@code /app/amphora.jar} and the
 * modification time Jib gives it in the image. The pods of a node then map one file of one image
 * layer, and share its read-only pages (jvm.options maps it where it was dumped).
 */
final class ImageClassDataArchive {

    static final String JAR = "/app/amphora.jar";
    static final String ARCHIVE = "/app/amphora.jsa";

    private ImageClassDataArchive() {
    }

    /**
     * @param root the linked runtime's root, which becomes the image's {@code /}; left as it was
     * @return the archive, written beside {@code root}
     */
    static Path dump(Path root, Path jar, Path jvmOptions, Path classList) throws IOException, InterruptedException {
        Path app = root.resolve(JAR.substring(1)).getParent();
        Path work = root.resolve("tmp/class-data-archive");
        Files.createDirectories(app);
        Files.createDirectories(work);
        Path archive = root.resolveSibling("amphora.jsa");
        try {
            Path jarInRoot = Files.copy(jar, root.resolve(JAR.substring(1)), StandardCopyOption.REPLACE_EXISTING);
            Files.setLastModifiedTime(jarInRoot, FileTime.from(FileEntriesLayer.DEFAULT_MODIFICATION_TIME));
            Files.copy(jvmOptions, work.resolve("jvm.options"), StandardCopyOption.REPLACE_EXISTING);
            Files.copy(classList, work.resolve("amphora.classlist"), StandardCopyOption.REPLACE_EXISTING);
            List<String> command = new ArrayList<>(chroot(root));
            command.addAll(List.of(LinkedRuntime.JAVA_HOME + "/bin/java", "@/tmp/class-data-archive/jvm.options",
                    "-Xshare:dump", "-XX:SharedClassListFile=/tmp/class-data-archive/amphora.classlist",
                    "-XX:SharedArchiveFile=/tmp/class-data-archive/amphora.jsa",
                    // The JVM lists each class it leaves out (JFR events, classes of TLS providers
                    // that do not verify without their optional dependencies).
                    "-Xlog:all=error", "-cp", JAR));
            Path log = root.resolveSibling("class-data-archive.log");
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
            // The launcher finds its libjli.so through $ORIGIN, which the loader learns from
            // /proc/self/exe: the root has no /proc.
            builder.environment().put("LD_LIBRARY_PATH", LinkedRuntime.JAVA_HOME + "/lib");
            Process dump = builder.start();
            if (!dump.waitFor(5, TimeUnit.MINUTES)) {
                dump.destroyForcibly();
                throw new IllegalStateException("the amphora's class-data archive dump took over 5 minutes: " + log);
            }
            if (dump.exitValue() != 0) {
                throw new IllegalStateException("the amphora's class-data archive dump failed (" + dump.exitValue()
                        + ", " + String.join(" ", command) + "): " + Files.readString(log));
            }
            return Files.move(work.resolve("amphora.jsa"), archive, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            LinkedRuntime.deleteTree(work);
            LinkedRuntime.deleteTree(app);
        }
    }

    /** chroot as root; elsewhere in a user namespace of its own, where the build's user is root. */
    private static List<String> chroot(Path root) throws IOException {
        // /proc/self belongs to the process's effective user
        if (Files.getAttribute(Path.of("/proc/self"), "unix:uid").equals(0)) {
            return List.of(executable("chroot"), root.toString());
        }
        return List.of(executable("unshare"), "--user", "--map-root-user", executable("chroot"), root.toString());
    }

    /** On the PATH, or in the system directories a user's PATH may leave out. */
    private static String executable(String name) {
        List<String> directories = new ArrayList<>(List.of(System.getenv().getOrDefault("PATH", "").split(":")));
        directories.addAll(List.of("/usr/sbin", "/sbin", "/usr/bin", "/bin"));
        return directories.stream().filter(directory -> !directory.isBlank())
                .map(directory -> Path.of(directory, name)).filter(Files::isExecutable)
                .findFirst().map(Path::toString)
                .orElseThrow(() -> new IllegalStateException("no " + name + " on this machine: the image's class-data "
                        + "archive is dumped in the image's file system"));
    }
}
