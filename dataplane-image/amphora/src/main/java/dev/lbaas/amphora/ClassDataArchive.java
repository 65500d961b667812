package dev.lbaas.amphora;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether this process maps the application class-data archive it was started with
 * ({@code -XX:SharedArchiveFile}, made by {@link ClassDataTraining}). The JVM drops an archive that
 * another JVM build or another jar made without a word, and the amphora then costs a few MiB more
 * per process: this says so in the log. Read from Linux's /proc; elsewhere it says nothing.
 */
final class ClassDataArchive {

    private static final Logger LOG = LoggerFactory.getLogger(ClassDataArchive.class);
    private static final String OPTION = "-XX:SharedArchiveFile=";

    private ClassDataArchive() {
    }

    static void logUse() {
        try {
            Optional<String> requested = requested(Files.readAllBytes(Path.of("/proc/self/cmdline")));
            if (requested.isEmpty()) {
                return;
            }
            Path archive = Path.of(requested.get()).toAbsolutePath().normalize();
            if (mapped(Files.readString(Path.of("/proc/self/maps"), StandardCharsets.UTF_8), archive)) {
                LOG.info("classes shared from {}", archive);
            } else {
                LOG.warn("class-data archive {} not in use (missing, or made by another JVM build or for another jar;"
                        + " -Xlog:cds says why): each amphora loads its classes on its own", archive);
            }
        } catch (IOException | RuntimeException e) {
            LOG.debug("cannot tell whether the class-data archive is in use", e);
        }
    }

    /** The archive named on a command line as /proc gives it: arguments ended by NUL bytes. */
    static Optional<String> requested(byte[] cmdline) {
        return Arrays.stream(new String(cmdline, StandardCharsets.UTF_8).split("\0"))
                .filter(argument -> argument.startsWith(OPTION))
                .map(argument -> argument.substring(OPTION.length()))
                .reduce((first, last) -> last);
    }

    /** Whether /proc/self/maps (address, permissions, offset, device, inode, path) maps the file. */
    static boolean mapped(String maps, Path archive) {
        String path = archive.toString();
        return maps.lines().anyMatch(line -> line.endsWith(" " + path));
    }
}
