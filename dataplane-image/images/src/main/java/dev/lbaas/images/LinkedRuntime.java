package dev.lbaas.images;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.spi.ToolProvider;
import java.util.stream.Stream;

/**
 * A root file system holding a Java runtime and exactly the system libraries it loads: the base of
 * the images on a machine that reaches no image registry. The runtime is linked (jlink) from the JDK
 * running the build; the libraries are those {@code ldd} names for the java launcher, the runtime's
 * own libraries and the native libraries inside the application jars (Netty's transports), copied
 * from this machine. With /etc/passwd and /etc/group for the image's numeric user, and /tmp.
 *
 * @param root the directory that becomes the image's {@code /}
 */
record LinkedRuntime(Path root) {

    static final String JAVA_HOME = "/opt/java";

    /**
     * The Java SE modules, which cover Quarkus and the amphora, plus the JDK modules they use:
     * sun.misc.Unsafe (Netty), elliptic-curve TLS on Java 17 (the agent certificates), the
     * management beans (Micrometer) and zip file systems (Quarkus' class loader).
     */
    private static final List<String> MODULES = List.of("java.se", "jdk.unsupported", "jdk.crypto.ec",
            "jdk.management", "jdk.zipfs", "jdk.naming.dns");

    private static final Pattern LIBRARY = Pattern.compile("(/\\S+\\.so[.\\d]*)");

    /**
     * The runtime's graphics and sound libraries (java.desktop): in the runtime, because libraries
     * use java.beans, but never loaded by a server without a display, so the X11, font and image
     * libraries they link are left out of the image.
     */
    private static final Pattern DESKTOP = Pattern.compile("lib(awt.*|fontmanager|javajpeg|lcms|mlib_image|splashscreen"
            + "|jsound|jawt)\\.so");

    static LinkedRuntime link(Path root, List<Path> jarsWithNativeLibraries) throws IOException {
        deleteTree(root);
        Path javaHome = root.resolve(JAVA_HOME.substring(1));
        Files.createDirectories(javaHome.getParent());
        ToolProvider jlink = ToolProvider.findFirst("jlink").orElseThrow(() -> new IllegalStateException(
                "no jlink in " + System.getProperty("java.home") + ": build with a full JDK"));
        StringWriter log = new StringWriter();
        int exit = jlink.run(new PrintWriter(log), new PrintWriter(log), "--add-modules", String.join(",", MODULES),
                "--strip-debug", "--no-header-files", "--no-man-pages",
                // The JDK's classes pre-parsed for every start: a replacement amphora serves sooner.
                "--generate-cds-archive", "--output", javaHome.toString());
        if (exit != 0) {
            throw new IllegalStateException("jlink failed (" + exit + "): " + log);
        }

        Set<String> libraries = new TreeSet<>();
        List<Path> elves = new ArrayList<>();
        elves.add(javaHome.resolve("bin/java"));
        try (Stream<Path> files = Files.walk(javaHome.resolve("lib"))) {
            files.filter(file -> file.getFileName().toString().endsWith(".so"))
                    .filter(file -> !DESKTOP.matcher(file.getFileName().toString()).matches())
                    .forEach(elves::add);
        }
        Path extracted = Files.createTempDirectory("native-libraries");
        try {
            for (Path jar : jarsWithNativeLibraries) {
                elves.addAll(nativeLibrariesIn(jar, extracted));
            }
            for (Path elf : elves) {
                librariesOf(elf).stream()
                        // the runtime's own libraries, found through $ORIGIN, are in the image already
                        .filter(library -> !library.startsWith(root.toString()) && !library.startsWith(extracted.toString()))
                        .forEach(libraries::add);
            }
        } finally {
            deleteTree(extracted);
        }
        for (String library : libraries) {
            Path target = root.resolve(library.substring(1));
            Files.createDirectories(target.getParent());
            // Following symbolic links: the image gets the library under the name the loader asks for.
            Files.copy(Path.of(library), target, StandardCopyOption.REPLACE_EXISTING);
            Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rwxr-xr-x"));
        }

        Path etc = Files.createDirectories(root.resolve("etc"));
        String[] user = ImageBuilder.USER.split(":");
        Files.writeString(etc.resolve("passwd"), "root:x:0:0:root:/root:/sbin/nologin\n"
                + "nonroot:x:" + user[0] + ":" + user[1] + ":nonroot:/tmp:/sbin/nologin\n");
        Files.writeString(etc.resolve("group"), "root:x:0:\nnonroot:x:" + user[1] + ":\n");
        Path tmp = Files.createDirectories(root.resolve("tmp"));
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxrwxrwx"));
        return new LinkedRuntime(root);
    }

    private static List<Path> nativeLibrariesIn(Path jar, Path into) throws IOException {
        List<Path> found = new ArrayList<>();
        try (JarFile file = new JarFile(jar.toFile())) {
            for (var entry : file.stream().filter(e -> e.getName().startsWith("META-INF/native/")
                    && e.getName().endsWith(".so") && e.getName().contains("x86_64")).toList()) {
                Path target = into.resolve(Path.of(entry.getName()).getFileName().toString());
                try (InputStream in = file.getInputStream(entry)) {
                    Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
                }
                found.add(target);
            }
        }
        return found;
    }

    /** The absolute paths of the shared libraries (and the loader) that {@code ldd} resolves for a file. */
    static Set<String> librariesOf(Path elf) throws IOException {
        Process ldd = new ProcessBuilder("ldd", elf.toString()).redirectErrorStream(true).start();
        String out = new String(ldd.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            ldd.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
        Set<String> libraries = new TreeSet<>();
        for (String line : out.split("\n")) {
            if (line.contains("not found")) {
                // A library the runtime may load (libawt's X11 or ALSA dependencies): not in the image.
                continue;
            }
            Matcher matcher = LIBRARY.matcher(line.contains("=>") ? line.substring(line.indexOf("=>")) : line);
            if (matcher.find()) {
                libraries.add(matcher.group(1));
            }
        }
        return libraries;
    }

    static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> files = Files.walk(root)) {
            files.sorted((a, b) -> b.compareTo(a)).forEach(path -> {
                try {
                    Files.delete(path);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
    }
}
