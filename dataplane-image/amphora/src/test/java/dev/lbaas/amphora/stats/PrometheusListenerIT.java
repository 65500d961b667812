package dev.lbaas.amphora.stats;

import static dev.lbaas.amphora.testing.Configs.config;
import static dev.lbaas.amphora.testing.Configs.freePort;
import static dev.lbaas.amphora.testing.Configs.member;
import static dev.lbaas.amphora.testing.Configs.tcpMonitor;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.lbaas.amphora.config.LbAlgorithm;
import dev.lbaas.amphora.config.ListenerConfig;
import dev.lbaas.amphora.config.ListenerProtocol;
import dev.lbaas.amphora.config.MemberConfig;
import dev.lbaas.amphora.config.MemberHealth;
import dev.lbaas.amphora.config.PoolConfig;
import dev.lbaas.amphora.config.PoolProtocol;
import dev.lbaas.amphora.testing.NamedTcpBackend;
import dev.lbaas.amphora.testing.RawHttp;
import dev.lbaas.amphora.testing.RunningDataplane;
import java.io.DataInputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A PROMETHEUS listener scraped with a real HTTP client after real traffic through a TCP listener. */
class PrometheusListenerIT {

    private static final String VIP = "127.1.42.1";

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private RunningDataplane amphora;
    private NamedTcpBackend backend;
    private int webPort;
    private int metricsPort;
    private int deadPort;

    @BeforeEach
    void start() throws IOException {
        amphora = new RunningDataplane();
        backend = new NamedTcpBackend("up");
        webPort = freePort(VIP);
        metricsPort = freePort(VIP);
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            deadPort = probe.getLocalPort();
        }
    }

    @AfterEach
    void stop() throws IOException {
        amphora.close();
        backend.close();
    }

    /** A TCP listener limited to one connection, its pool with a live and a dead monitored member, and the metrics. */
    private void serve(long generation, List<ListenerConfig> extraListeners) {
        List<ListenerConfig> listeners = new ArrayList<>(List.of(
                new ListenerConfig("web", "web-listener", ListenerProtocol.TCP, webPort, 1, true, "p", null, null, null),
                new ListenerConfig("metrics", "metrics-listener", ListenerProtocol.PROMETHEUS, metricsPort, 5, true,
                        null, null, List.of("127.0.0.0/8"), null)));
        listeners.addAll(extraListeners);
        amphora.apply(config(generation, VIP, listeners, new PoolConfig("p", "web-pool", PoolProtocol.TCP,
                LbAlgorithm.ROUND_ROBIN, true, List.of(
                        new MemberConfig("m-up", "member-up", "127.0.0.1", backend.port(), 3, false, true, null, null),
                        member("m-down", deadPort, 1)),
                tcpMonitor(200, 100, 1, 1))));
        await().atMost(Duration.ofSeconds(5)).until(() ->
                amphora.health("m-up") == MemberHealth.UP && amphora.health("m-down") == MemberHealth.DOWN);
    }

    @Test
    void scrapeReportsTrafficHealthAndTheAmphoraWithOctaviasNamesAndLabels() throws Exception {
        serve(1, List.of());
        byte[] payload = new byte[12_345];
        new Random(7).nextBytes(payload);
        try (Socket client = new Socket(VIP, webPort)) {
            client.setSoTimeout(5_000);
            byte[] greeting = new byte["up\n".length()];
            new DataInputStream(client.getInputStream()).readFully(greeting);
            client.getOutputStream().write(payload);
            byte[] echo = new byte[payload.length];
            new DataInputStream(client.getInputStream()).readFully(echo);
            assertThat(echo).isEqualTo(payload);

            // while the connection is open the web listener is at its limit of one
            Scrape during = scrape();
            assertThat(during.value("lbaas_listener_at_connection_limit", "listener", "web")).isEqualTo(1);
            assertThat(during.value("octavia_listener_status", "listener", "web", "state", "FULL")).isEqualTo(1);
            assertThat(during.value("octavia_listener_status", "listener", "web", "state", "OPEN")).isEqualTo(0);
            assertThat(during.value("octavia_listener_current_sessions", "listener", "web")).isEqualTo(1);
            assertThat(during.value("octavia_member_current_sessions", "member", "m-up")).isEqualTo(1);
        }
        await().atMost(Duration.ofSeconds(5)).until(() ->
                amphora.dataplane.status().listeners().get(0).stats().activeConnections() == 0);

        HttpResponse<String> response = http.send(request("/metrics").build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("content-type")).hasValueSatisfying(type ->
                assertThat(type).startsWith("text/plain; version=0.0.4"));
        assertThat(response.body()).contains("# TYPE octavia_listener_bytes_in_total counter");
        Scrape after = new Scrape(response.body());

        long bytesOut = payload.length + "up\n".length();
        String[] web = {"listener", "web", "listener_name", "web-listener"};
        assertThat(after.value("octavia_listener_bytes_in_total", web)).isEqualTo(payload.length);
        assertThat(after.value("octavia_listener_bytes_out_total", web)).isEqualTo(bytesOut);
        assertThat(after.value("octavia_listener_sessions_total", web)).isEqualTo(1);
        assertThat(after.value("octavia_listener_request_errors_total", web)).isEqualTo(0);
        assertThat(after.value("octavia_listener_limit_sessions", web)).isEqualTo(1);
        assertThat(after.value("lbaas_listener_at_connection_limit", web)).isEqualTo(0);
        assertThat(after.value("octavia_listener_status", "listener", "web", "state", "OPEN")).isEqualTo(1);

        String[] pool = {"pool", "p", "pool_name", "web-pool"};
        assertThat(after.value("octavia_pool_bytes_in_total", pool)).isEqualTo(payload.length);
        assertThat(after.value("octavia_pool_bytes_out_total", pool)).isEqualTo(bytesOut);
        assertThat(after.value("octavia_pool_active_members", pool)).isEqualTo(1);
        assertThat(after.value("octavia_pool_status", "pool", "p", "state", "UP")).isEqualTo(1);

        String[] up = {"pool", "p", "member", "m-up", "member_name", "member-up"};
        assertThat(after.value("octavia_member_bytes_in_total", up)).isEqualTo(payload.length);
        assertThat(after.value("octavia_member_bytes_out_total", up)).isEqualTo(bytesOut);
        assertThat(after.value("octavia_member_sessions_total", up)).isEqualTo(1);
        assertThat(after.value("octavia_member_current_sessions", up)).isEqualTo(0);
        assertThat(after.value("octavia_member_weight", up)).isEqualTo(3);
        assertThat(after.value("octavia_member_status", "member", "m-up", "state", "UP")).isEqualTo(1);
        assertThat(after.value("lbaas_member_health", "member", "m-up", "state", "UP")).isEqualTo(1);
        assertThat(after.value("octavia_member_status", "member", "m-down", "state", "DOWN")).isEqualTo(1);
        assertThat(after.value("octavia_member_status", "member", "m-down", "state", "UP")).isEqualTo(0);
        assertThat(after.value("lbaas_member_health", "member", "m-down", "state", "DOWN")).isEqualTo(1);
        assertThat(after.value("octavia_member_bytes_in_total", "member", "m-down")).isEqualTo(0);

        assertThat(after.value("octavia_loadbalancer_listeners")).isEqualTo(2);
        assertThat(after.value("lbaas_amphora_config_generation")).isEqualTo(1);
        assertThat(after.value("lbaas_amphora_uptime_seconds")).isPositive();
        assertThat(after.value("lbaas_amphora_heap_used_bytes")).isPositive();
        assertThat(after.value("lbaas_amphora_direct_memory_used_bytes")).isNotNegative();
        // the scrapes themselves go through the metrics listener, which counts them like any other
        assertThat(after.value("octavia_listener_sessions_total", "listener", "metrics")).isPositive();
        assertThat(after.value("octavia_listener_limit_sessions", "listener", "metrics")).isEqualTo(5);
    }

    @Test
    void onlyGetOfMetricsIsServedAndTheRestAreRequestErrors() throws Exception {
        serve(1, List.of());
        HttpResponse<String> notFound = http.send(request("/other").build(), HttpResponse.BodyHandlers.ofString());
        assertThat(notFound.statusCode()).isEqualTo(404);
        HttpResponse<String> notAllowed = http.send(
                request("/metrics").POST(HttpRequest.BodyPublishers.ofString("x=1")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(notAllowed.statusCode()).isEqualTo(405);
        assertThat(notAllowed.headers().firstValue("allow")).hasValue("GET, HEAD");
        HttpResponse<String> withQuery = http.send(request("/metrics?name=x").build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(withQuery.statusCode()).isEqualTo(200);

        assertThat(scrape().value("octavia_listener_request_errors_total", "listener", "metrics")).isEqualTo(2);
    }

    @Test
    void allowedCidrsHoldForTheMetricsListener() throws Exception {
        int closedPort = freePort(VIP);
        serve(1, List.of(new ListenerConfig("closed", null, ListenerProtocol.PROMETHEUS, closedPort, -1, true, null,
                null, List.of("10.0.0.0/8"), null)));
        // one raw connection: an HTTP client would try a GET again on a closed connection
        assertThatThrownBy(() -> {
            try (RawHttp client = new RawHttp(VIP, closedPort)) {
                client.send("GET /metrics HTTP/1.1\r\nHost: lb\r\n\r\n");
                client.readHead();
            }
        }).as("closed without an answer").isInstanceOf(IOException.class);
        assertThat(scrape().value("octavia_listener_denied_connections_total", "listener", "closed")).isEqualTo(1);
    }

    private HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create("http://" + VIP + ":" + metricsPort + path))
                .timeout(Duration.ofSeconds(5));
    }

    private Scrape scrape() throws Exception {
        HttpResponse<String> response = http.send(request("/metrics").build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        return new Scrape(response.body());
    }

    /** The samples of one scrape, parsed from the text format. */
    private static final class Scrape {
        private static final Pattern SAMPLE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\\{(.*)})? (\\S+)$");
        private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");

        private record Sample(String name, Map<String, String> labels, double value) {
        }

        private final List<Sample> samples = new ArrayList<>();
        private final String text;

        Scrape(String text) {
            this.text = text;
            for (String line : text.split("\n")) {
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                Matcher sample = SAMPLE.matcher(line);
                assertThat(sample.matches()).as("a sample line: %s", line).isTrue();
                Map<String, String> labels = new HashMap<>();
                if (sample.group(2) != null) {
                    Matcher label = LABEL.matcher(sample.group(2));
                    while (label.find()) {
                        labels.put(label.group(1), label.group(2));
                    }
                }
                samples.add(new Sample(sample.group(1), labels, Double.parseDouble(sample.group(3))));
            }
        }

        /** The value of the one sample of {@code name} whose labels include the given name/value pairs. */
        double value(String name, String... labelPairs) {
            List<Sample> matching = samples.stream()
                    .filter(sample -> sample.name().equals(name))
                    .filter(sample -> {
                        for (int i = 0; i < labelPairs.length; i += 2) {
                            if (!labelPairs[i + 1].equals(sample.labels().get(labelPairs[i]))) {
                                return false;
                            }
                        }
                        return true;
                    })
                    .toList();
            assertThat(matching).as("%s %s in%n%s", name, List.of(labelPairs), text).hasSize(1);
            return matching.get(0).value();
        }
    }
}
