package dev.lbaas.operator.driver.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The amphora runs with its own JVM options wherever its jar comes with them. */
class AmphoraJavaCommandTest {

    private static final String OPTIONS = "-XX:+UseG1GC\n-Xmx96m\n";

    @TempDir
    Path dir;

    @Test
    void optionsBesideTheJarWin() throws IOException {
        Path jar = jar(dir.resolve("lib/amphora.jar"), true);
        Path beside = Files.writeString(dir.resolve("lib/jvm.options"), "-Xmx64m\n");

        List<String> command = AmphoraJavaCommand.of(jar, dir.resolve("state"));

        assertThat(command).containsSequence("@" + beside, "-jar", jar.toString());
    }

    @Test
    void optionsOneLevelUpServeAJarInTheModulesTargetDirectory() throws IOException {
        Path jar = jar(dir.resolve("amphora/target/amphora.jar"), false);
        Path module = Files.writeString(dir.resolve("amphora/jvm.options"), OPTIONS);

        assertThat(AmphoraJavaCommand.of(jar, dir.resolve("state"))).contains("@" + module);
    }

    @Test
    void aJarAloneRunsWithTheOptionsItCarries() throws IOException {
        Path jar = jar(dir.resolve("lone/amphora.jar"), true);
        Path state = dir.resolve("state");

        List<String> command = AmphoraJavaCommand.of(jar, state);

        Path copy = state.resolve("amphora-jvm.options");
        assertThat(command).containsSequence("@" + copy, "-jar", jar.toString());
        assertThat(copy).hasContent(OPTIONS);
    }

    @Test
    void aJarWithoutOptionsRunsWithTheJvmsDefaults() throws IOException {
        Path jar = jar(dir.resolve("bare/amphora.jar"), false);

        List<String> command = AmphoraJavaCommand.of(jar, dir.resolve("state"));

        assertThat(command).hasSize(3).endsWith("-jar", jar.toString());
        assertThat(command.get(0)).endsWith("java");
    }

    @Test
    void theClassDataArchiveBesideTheJarIsShared() throws IOException {
        Path jar = jar(dir.resolve("amphora/target/amphora.jar"), false);
        Path options = Files.writeString(dir.resolve("amphora/jvm.options"), OPTIONS);
        Path archive = Files.writeString(dir.resolve("amphora/target/amphora.jsa"), "archive");

        List<String> command = AmphoraJavaCommand.of(jar, dir.resolve("state"));

        assertThat(command).containsSequence("@" + options, "-XX:SharedArchiveFile=" + archive, "-jar", jar.toString());
    }

    @Test
    void withoutAnArchiveNoneIsNamed() throws IOException {
        Path jar = jar(dir.resolve("lib/amphora.jar"), true);

        assertThat(AmphoraJavaCommand.of(jar, dir.resolve("state")))
                .noneMatch(argument -> argument.startsWith("-XX:SharedArchiveFile"));
    }

    private static Path jar(Path path, boolean withOptions) throws IOException {
        Files.createDirectories(path.getParent());
        try (OutputStream file = Files.newOutputStream(path); ZipOutputStream zip = new ZipOutputStream(file)) {
            zip.putNextEntry(new ZipEntry("META-INF/MANIFEST.MF"));
            zip.write("Manifest-Version: 1.0\n".getBytes(StandardCharsets.US_ASCII));
            if (withOptions) {
                zip.putNextEntry(new ZipEntry("jvm.options"));
                zip.write(OPTIONS.getBytes(StandardCharsets.US_ASCII));
            }
        }
        return path;
    }
}
