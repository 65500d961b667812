package dev.lbaas.amphora.agent;

import static dev.lbaas.amphora.testing.Configs.config;
import static org.assertj.core.api.Assertions.assertThat;

import dev.lbaas.amphora.Amphora;
import dev.lbaas.amphora.AmphoraOptions;
import dev.lbaas.amphora.config.AgentApi;
import dev.lbaas.amphora.testing.TestPki;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The kubelet's probes: live while the agent serves, ready only once a configuration is served. */
class ProbeServerIT {

    @TempDir
    Path dir;

    @Test
    void readyOnlyOnceAConfigurationIsServedAndTellingNothingElse() throws Exception {
        TestPki pki = new TestPki(dir);
        int probePort;
        try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            probePort = free.getLocalPort();
        }
        Amphora amphora = Amphora.start(AmphoraOptions.parse("--id", "amp-probes", "--agent-address", "127.0.0.1",
                "--agent-port", "0", "--tls-cert", pki.serverCertPem.toString(), "--tls-key",
                pki.serverKeyPem.toString(), "--tls-ca", pki.caPem.toString(), "--probe-port",
                Integer.toString(probePort)));
        try {
            HttpClient kubelet = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
            URI probes = URI.create("http://127.0.0.1:" + probePort);

            assertThat(get(kubelet, probes.resolve("/healthz"))).isEqualTo("200 ok\n");
            assertThat(get(kubelet, probes.resolve("/readyz"))).isEqualTo("503 no configuration yet\n");
            assertThat(get(kubelet, probes.resolve("/v1/status")))
                    .isEqualTo("404 probes: /healthz, /readyz, /readyz/master\n");

            HttpClient operator = HttpClient.newBuilder().sslContext(pki.trustedClient())
                    .version(HttpClient.Version.HTTP_1_1).build();
            HttpResponse<String> applied = operator.send(HttpRequest.newBuilder(
                    URI.create("https://127.0.0.1:" + amphora.agentPort()).resolve(AgentApi.CONFIG_PATH))
                    .PUT(HttpRequest.BodyPublishers.ofString(AgentApi.json().writeValueAsString(
                            config(3, "127.0.0.1", List.of())))).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(applied.statusCode()).isEqualTo(200);

            assertThat(get(kubelet, probes.resolve("/readyz"))).isEqualTo("200 serving configuration generation 3\n");
            // Serving, but no pair's master: a VIP Service that follows readiness passes it by.
            assertThat(get(kubelet, probes.resolve("/readyz/master"))).isEqualTo("503 not the master of its pair\n");
        } finally {
            amphora.close();
        }
    }

    @Test
    void aProbePortOutOfRangeIsRefusedNamingTheOption() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> AmphoraOptions.parse("--probe-port", "70000"))
                .hasMessage("--probe-port must be 0-65535, got 70000");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> AmphoraOptions.parse("--shutdown-delay-seconds", "601"))
                .hasMessage("--shutdown-delay-seconds must be 0-600, got 601");
    }

    private static String get(HttpClient client, URI uri) throws Exception {
        HttpResponse<String> response = client.send(HttpRequest.newBuilder(uri).build(),
                HttpResponse.BodyHandlers.ofString());
        return response.statusCode() + " " + response.body();
    }
}
