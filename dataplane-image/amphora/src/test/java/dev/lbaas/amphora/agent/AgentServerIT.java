package dev.lbaas.amphora.agent;

import static dev.lbaas.amphora.testing.Configs.config;
import static dev.lbaas.amphora.testing.Configs.member;
import static dev.lbaas.amphora.testing.Configs.pool;
import static dev.lbaas.amphora.testing.Configs.tcpMonitor;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lbaas.amphora.Amphora;
import dev.lbaas.amphora.AmphoraOptions;
import dev.lbaas.amphora.config.AgentApi;
import dev.lbaas.amphora.config.AmphoraConfig;
import dev.lbaas.amphora.config.AmphoraStatus;
import dev.lbaas.amphora.config.ApiError;
import dev.lbaas.amphora.config.ConfigAck;
import dev.lbaas.amphora.config.MemberHealth;
import dev.lbaas.amphora.config.PoolProtocol;
import dev.lbaas.amphora.testing.NamedHttpBackend;
import dev.lbaas.amphora.testing.TestPki;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AgentServerIT {

    private static final String VIP = "127.1.5.1";

    @TempDir
    static Path dir;
    static TestPki pki;
    static Amphora amphora;
    static HttpClient operator;
    static URI agent;

    @BeforeAll
    static void start() throws Exception {
        pki = new TestPki(dir);
        Path portFile = dir.resolve("agent.port");
        amphora = Amphora.start(AmphoraOptions.parse("--id", "amp-1", "--agent-address", "127.0.0.1",
                "--agent-port", "0", "--agent-port-file", portFile.toString(), "--tls-cert", pki.serverCertPem.toString(),
                "--tls-key", pki.serverKeyPem.toString(), "--tls-ca", pki.caPem.toString()));
        assertThat(Files.readString(portFile)).isEqualTo(Integer.toString(amphora.agentPort()));
        operator = client(pki.trustedClient());
        agent = URI.create("https://127.0.0.1:" + amphora.agentPort());
    }

    @AfterAll
    static void stop() {
        amphora.close();
    }

    private static HttpClient client(SSLContext tls) {
        return HttpClient.newBuilder().sslContext(tls).version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(2)).build();
    }

    private static HttpResponse<String> put(String json) throws Exception {
        return operator.send(HttpRequest.newBuilder(agent.resolve(AgentApi.CONFIG_PATH))
                .PUT(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> put(AmphoraConfig config) throws Exception {
        return put(AgentApi.json().writeValueAsString(config));
    }

    private static AmphoraStatus status(long after, int waitSeconds) throws Exception {
        HttpResponse<String> response = operator.send(HttpRequest.newBuilder(agent.resolve(
                AgentApi.STATUS_PATH + "?after=" + after + "&waitSeconds=" + waitSeconds)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        return AgentApi.json().readValue(response.body(), AmphoraStatus.class);
    }

    private static <T> T body(HttpResponse<String> response, Class<T> type) throws IOException {
        return AgentApi.json().readValue(response.body(), type);
    }

    @Test
    void clientsWithoutACertificateFromTheCaAreRefused() throws Exception {
        for (SSLContext stranger : List.of(pki.anonymousClient(), pki.selfSignedClient())) {
            HttpRequest request = HttpRequest.newBuilder(agent.resolve(AgentApi.STATUS_PATH)).build();
            assertThatThrownBy(() -> client(stranger).send(request, HttpResponse.BodyHandlers.ofString()))
                    .isInstanceOf(IOException.class);
        }
    }

    @Test
    void configurationsAreAppliedByGenerationAndHealthIsLongPolled() throws Exception {
        try (NamedHttpBackend web = new NamedHttpBackend("web")) {
            AmphoraConfig first = config(10, VIP, List.of(),
                    pool("p", PoolProtocol.HTTP, tcpMonitor(300, 200, 1, 1), member("m", web.port(), 1)));
            HttpResponse<String> applied = put(first);
            assertThat(applied.statusCode()).isEqualTo(200);
            assertThat(body(applied, ConfigAck.class)).isEqualTo(new ConfigAck(10));
            assertThat(put(first).statusCode()).isEqualTo(200);

            HttpResponse<String> stale = put(first.withGeneration(9));
            assertThat(stale.statusCode()).isEqualTo(409);
            assertThat(body(stale, ConfigAck.class)).isEqualTo(new ConfigAck(10));

            AmphoraStatus status = status(-1, 0);
            long deadline = System.nanoTime() + Duration.ofSeconds(3).toNanos();
            while (status.pools().get(0).members().get(0).health() != MemberHealth.UP && System.nanoTime() < deadline) {
                status = status(status.healthVersion(), 2);
            }
            assertThat(status.appliedGeneration()).isEqualTo(10);
            assertThat(status.amphoraId()).isEqualTo("amp-1");
            assertThat(status.pools().get(0).members().get(0).health()).isEqualTo(MemberHealth.UP);

            // Nothing changes: the poll is held for waitSeconds, the time the API promises. Not
            // answered before it (less 100 ms of clock granularity); answered after it with 3 s of
            // slack for a loaded machine.
            Duration wait = Duration.ofSeconds(1);
            long started = System.nanoTime();
            AmphoraStatus unchanged = status(status.healthVersion(), (int) wait.toSeconds());
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isBetween(wait.minusMillis(100),
                    wait.plusSeconds(3));
            assertThat(unchanged.healthVersion()).isEqualTo(status.healthVersion());

            // The member goes down: the held poll returns with the news, long before its 20 s; the
            // check that notices comes within delay + timeout (500 ms).
            web.stop();
            started = System.nanoTime();
            AmphoraStatus changed = status(status.healthVersion(), 20);
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(10));
            assertThat(changed.pools().get(0).members().get(0).health()).isEqualTo(MemberHealth.DOWN);
        }
    }

    @Test
    void invalidConfigurationsAreRefusedNamingTheField() throws Exception {
        HttpResponse<String> badPort = put("""
                {"generation":100,"loadBalancerId":"lb","vipAddress":"127.1.5.2","adminStateUp":true,
                 "listeners":[{"id":"l","protocol":"TCP","protocolPort":0,"connectionLimit":-1,"adminStateUp":true}]}
                """);
        assertThat(badPort.statusCode()).isEqualTo(400);
        assertThat(body(badPort, ApiError.class).message())
                .isEqualTo("listener.protocolPort: must be between 1 and 65535, got 0");

        HttpResponse<String> unknownField = put("""
                {"generation":100,"loadBalancerId":"lb","vipAddress":"127.1.5.2","adminStateUp":true,"colour":"red"}
                """);
        assertThat(unknownField.statusCode()).isEqualTo(400);
        assertThat(body(unknownField, ApiError.class).message()).startsWith("colour: Unrecognized field \"colour\"");

        HttpResponse<String> unsupported = put("""
                {"generation":100,"loadBalancerId":"lb","vipAddress":"127.1.5.2","adminStateUp":true,
                 "listeners":[{"id":"l","protocol":"HTTP","protocolPort":443,"connectionLimit":-1,
                               "adminStateUp":true,"insertHeaders":["X-Forwarded-Host"]}]}
                """);
        assertThat(unsupported.statusCode()).isEqualTo(400);
        assertThat(body(unsupported, ApiError.class).message())
                .isEqualTo("listeners[l].insertHeaders: X-Forwarded-Host is not supported yet");

        HttpResponse<String> withoutCertificate = put("""
                {"generation":100,"loadBalancerId":"lb","vipAddress":"127.1.5.2","adminStateUp":true,
                 "listeners":[{"id":"l","protocol":"TERMINATED_HTTPS","protocolPort":443,"connectionLimit":-1,
                               "adminStateUp":true}]}
                """);
        assertThat(withoutCertificate.statusCode()).isEqualTo(400);
        assertThat(body(withoutCertificate, ApiError.class).message())
                .endsWith("listener[l].tls: a TERMINATED_HTTPS listener needs its certificate");

        HttpResponse<String> metricsWithPool = put("""
                {"generation":100,"loadBalancerId":"lb","vipAddress":"127.1.5.2","adminStateUp":true,
                 "listeners":[{"id":"m","protocol":"PROMETHEUS","protocolPort":9100,"connectionLimit":-1,
                               "adminStateUp":true,"defaultPoolId":"p"}],
                 "pools":[{"id":"p","protocol":"TCP","lbAlgorithm":"ROUND_ROBIN","adminStateUp":true}]}
                """);
        assertThat(metricsWithPool.statusCode()).isEqualTo(400);
        assertThat(body(metricsWithPool, ApiError.class).message()).isEqualTo("listener[m].defaultPoolId: a PROMETHEUS "
                + "listener serves the load balancer's metrics and takes no pool, got p");
    }

    @Test
    void aFailoverRequestToAnAmphoraWithoutAPairIsRefusedAsConflicting() throws Exception {
        HttpResponse<String> response = operator.send(HttpRequest.newBuilder(agent.resolve(AgentApi.FAILOVER_PATH))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(409);
        assertThat(body(response, ApiError.class).message()).contains("serves no ACTIVE_STANDBY pair");
    }

    @Test
    void unknownPathsAndWrongMethodsAreAnsweredPlainly() throws Exception {
        assertThat(operator.send(HttpRequest.newBuilder(agent.resolve("/v1/nothing")).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(404);
        HttpResponse<String> wrongMethod = operator.send(HttpRequest.newBuilder(agent.resolve(AgentApi.CONFIG_PATH))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(wrongMethod.statusCode()).isEqualTo(405);
        assertThat(wrongMethod.headers().firstValue("allow")).contains("PUT");
    }
}
