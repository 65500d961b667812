package dev.lbaas.amphora;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.lbaas.amphora.testing.TestPki;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The packaged jar as the local driver runs it: a child process that dies with its parent. */
class AmphoraProcessIT {

    @Test
    void childProcessPublishesItsPortAndExitsWhenStandardInputCloses(@TempDir Path dir) throws Exception {
        TestPki pki = new TestPki(dir);
        Path portFile = dir.resolve("agent.port");
        Process amphora = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx64m", "-jar", Path.of("target", "amphora.jar").toString(),
                "--id", "amp-process", "--agent-address", "127.0.0.1", "--agent-port", "0",
                "--agent-port-file", portFile.toString(), "--tls-cert", pki.serverCertPem.toString(),
                "--tls-key", pki.serverKeyPem.toString(), "--tls-ca", pki.caPem.toString(), "--exit-on-stdin-eof")
                .redirectError(dir.resolve("amphora.log").toFile())
                .start();
        try {
            await().atMost(Duration.ofSeconds(20)).until(() -> Files.exists(portFile));
            assertThat(Integer.parseInt(Files.readString(portFile))).isPositive();

            amphora.getOutputStream().close();

            assertThat(amphora.waitFor(10, TimeUnit.SECONDS)).isTrue();
            assertThat(amphora.exitValue()).isZero();
            assertThat(Files.readString(dir.resolve("amphora.log"))).contains("agent API listening", "amphora stopped");
        } finally {
            amphora.destroyForcibly();
        }
    }
}
