package dev.lbaas.amphora;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class ClassDataArchiveTest {

    @Test
    void theArchiveIsReadFromTheCommandLineTheLastOneWinningAsInTheJvm() {
        byte[] cmdline = String.join("\0", "java", "@jvm.options", "-XX:SharedArchiveFile=first.jsa",
                "-XX:SharedArchiveFile=/opt/amphora/amphora.jsa", "-jar", "amphora.jar", "")
                .getBytes(StandardCharsets.UTF_8);

        assertThat(ClassDataArchive.requested(cmdline)).contains("/opt/amphora/amphora.jsa");
        assertThat(ClassDataArchive.requested("java\0-jar\0amphora.jar\0".getBytes(StandardCharsets.UTF_8))).isEmpty();
    }

    @Test
    void onlyTheArchiveItselfCountsAsMapped() {
        String maps = """
                ffe00000-ffe75000 rw-p 00c77000 fe:00 315149                             /usr/lib/jvm/java-17/lib/server/classes.jsa
                7fe851bc7000-7fe85264d000 rw-p 00001000 fe:00 415001                     /opt/amphora/amphora.jsa
                7fe853483000-7fe853484000 r--p 00000000 fe:00 415002                     /opt/amphora/amphora.jar
                """;

        assertThat(ClassDataArchive.mapped(maps, Path.of("/opt/amphora/amphora.jsa"))).isTrue();
        assertThat(ClassDataArchive.mapped(maps, Path.of("/opt/amphora/other.jsa"))).isFalse();
        assertThat(ClassDataArchive.mapped(maps, Path.of("/amphora/amphora.jsa"))).isFalse();
    }
}
