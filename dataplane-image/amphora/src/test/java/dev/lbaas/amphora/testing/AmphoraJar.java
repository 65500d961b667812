package dev.lbaas.amphora.testing;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The packaged amphora (target/amphora.jar) started as the local driver starts it, as a child process. */
public final class AmphoraJar {

    private AmphoraJar() {
    }

    /**
     * Starts the jar with its JVM options file and the test PKI in {@code dir}, then
     * {@code jvmOptions}: it writes its agent port to {@code dir/agent.port} and logs to
     * {@code dir/amphora.log}.
     */
    public static Process start(Path dir, TestPki pki, List<String> jvmOptions, String id, String... options)
            throws Exception {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "@jvm.options"));
        command.addAll(jvmOptions);
        command.addAll(List.of("-jar", Path.of("target", "amphora.jar").toString(),
                "--id", id, "--agent-address", "127.0.0.1", "--agent-port", "0",
                "--agent-port-file", dir.resolve("agent.port").toString(), "--tls-cert", pki.serverCertPem.toString(),
                "--tls-key", pki.serverKeyPem.toString(), "--tls-ca", pki.caPem.toString()));
        command.addAll(List.of(options));
        return new ProcessBuilder(command).redirectError(dir.resolve("amphora.log").toFile()).start();
    }

    /** As the local driver stops a child amphora: its standard input closes; forcibly if it lingers. */
    public static void stop(Process amphora) throws Exception {
        amphora.getOutputStream().close();
        amphora.waitFor(10, TimeUnit.SECONDS);
        amphora.destroyForcibly();
    }
}
