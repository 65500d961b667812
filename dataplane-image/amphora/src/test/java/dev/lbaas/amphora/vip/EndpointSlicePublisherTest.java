package dev.lbaas.amphora.vip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The publisher against a stand-in API server on loopback that records each request; the real
 * API server, RBAC and kube-proxy are the end-to-end test's (ClusterSuite).
 */
class EndpointSlicePublisherTest {

    private static final String SLICE_PATH = "/apis/discovery.k8s.io/v1/namespaces/shop/endpointslices/lb-pair-vip";

    private record Request(String method, String path, String query, String contentType, String authorization,
            String body) {

        boolean write() {
            return method.equals("PATCH") && query == null;
        }
    }

    private final List<Request> requests = new CopyOnWriteArrayList<>();
    /** Requests answered 403 before the server starts answering 200. */
    private final AtomicInteger refusals = new AtomicInteger();
    /** While set, requests get no answer for 5 s: an API server that hangs. */
    private final java.util.concurrent.atomic.AtomicBoolean slow = new java.util.concurrent.atomic.AtomicBoolean();
    private final AtomicInteger hanging = new AtomicInteger();
    private HttpServer server;
    private EndpointSlicePublisher publisher;

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
        server.createContext("/", exchange -> {
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            requests.add(new Request(exchange.getRequestMethod(), exchange.getRequestURI().getPath(),
                    exchange.getRequestURI().getQuery(), exchange.getRequestHeaders().getFirst("Content-Type"),
                    exchange.getRequestHeaders().getFirst("Authorization"), body));
            if (slow.get()) {
                hanging.incrementAndGet();
                try {
                    Thread.sleep(5_000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            boolean refuse = refusals.getAndUpdate(n -> Math.max(0, n - 1)) > 0;
            byte[] answer = (refuse ? "{\"reason\":\"Forbidden\"}" : "{}").getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(refuse ? 403 : 200, answer.length);
            exchange.getResponseBody().write(answer);
            exchange.close();
        });
        server.start();
    }

    @AfterEach
    void stop() {
        if (publisher != null) {
            publisher.close();
        }
        server.stop(0);
    }

    private EndpointSlicePublisher publisher(Duration refresh) {
        URI api = URI.create("http://127.0.0.1:" + server.getAddress().getPort());
        publisher = new EndpointSlicePublisher(HttpClient.newHttpClient(), api, () -> "token-1", "shop",
                "lb-pair-vip", "lb-pair-amphora-1", "10.88.0.7", refresh);
        return publisher;
    }

    /** The writes, not a backup's dry runs. */
    private List<Request> patches() {
        return requests.stream().filter(Request::write).toList();
    }

    @Test
    void aMasterWritesItselfAloneAndReadyIntoTheSliceWithItsToken() throws Exception {
        EndpointSlicePublisher publisher = publisher(Duration.ofMinutes(1));
        await().atMost(Duration.ofSeconds(5)).until(() -> requests.size() == 1);
        Request check = requests.get(0);
        assertThat(check.query()).as("a backup only checks that it may write").isEqualTo("dryRun=All");
        assertThat(check.method()).isEqualTo("PATCH");
        assertThat(check.authorization()).isEqualTo("Bearer token-1");

        publisher.holding(true);

        await().atMost(Duration.ofSeconds(5)).until(() -> patches().size() == 1);
        Request patch = patches().get(0);
        assertThat(patch.path()).isEqualTo(SLICE_PATH);
        assertThat(patch.body()).as("the dry run is the same patch").isEqualTo(check.body());
        assertThat(patch.contentType()).isEqualTo("application/merge-patch+json");
        assertThat(patch.authorization()).isEqualTo("Bearer token-1");
        JsonNode body = new ObjectMapper().readTree(patch.body());
        assertThat(body.fieldNames()).toIterable().containsExactly("endpoints");
        assertThat(body.get("endpoints")).hasSize(1);
        JsonNode endpoint = body.get("endpoints").get(0);
        assertThat(endpoint.get("addresses").toString()).isEqualTo("[\"10.88.0.7\"]");
        assertThat(endpoint.get("conditions").get("ready").asBoolean()).isTrue();
        assertThat(endpoint.get("conditions").get("serving").asBoolean()).isTrue();
        assertThat(endpoint.get("conditions").get("terminating").asBoolean()).isFalse();
        assertThat(endpoint.get("targetRef").get("kind").asText()).isEqualTo("Pod");
        assertThat(endpoint.get("targetRef").get("name").asText()).isEqualTo("lb-pair-amphora-1");
        assertThat(endpoint.get("targetRef").get("namespace").asText()).isEqualTo("shop");
        assertThat(publisher.written()).isEqualTo(1);
        assertThat(publisher.problem()).isNull();
    }

    @Test
    void aNewMasterWritesOnceMoreAfterASecondInCaseTheOldMastersLastWriteArrivedLate() throws Exception {
        EndpointSlicePublisher publisher = publisher(Duration.ofMinutes(1));
        publisher.holding(true);
        await().atMost(Duration.ofSeconds(5)).until(() -> patches().size() == 1);
        long first = System.nanoTime();

        await().atMost(Duration.ofSeconds(5)).until(() -> patches().size() == 2);

        assertThat((System.nanoTime() - first) / 1_000_000).isBetween(900L, 2_000L);
        Thread.sleep(1_500);
        assertThat(patches()).as("then only every refresh").hasSize(2);
    }

    @Test
    void aRefusedWriteIsTriedAgainSoonAndTheProblemIsKnownUntilItSucceeds() {
        EndpointSlicePublisher publisher = publisher(Duration.ofMinutes(1));
        await().atMost(Duration.ofSeconds(5)).until(() -> requests.size() == 1);
        refusals.set(3);
        AtomicInteger changes = new AtomicInteger();
        publisher.whenProblemChanges(changes::incrementAndGet);
        long start = System.nanoTime();

        publisher.holding(true);

        await().atMost(Duration.ofSeconds(5)).until(() -> publisher.problem() != null);
        assertThat(publisher.problem()).startsWith("HTTP 403").contains("Forbidden");
        await().atMost(Duration.ofSeconds(5)).until(() -> publisher.written() == 1);
        long took = (System.nanoTime() - start) / 1_000_000;
        // Three refusals, retried after 100, 200 and 400 ms.
        assertThat(took).isBetween(650L, 3_000L);
        assertThat(patches()).hasSize(4);
        assertThat(publisher.problem()).isNull();
        assertThat(changes.get()).as("told when the problem came and when it went").isEqualTo(2);
    }

    @Test
    void aMasterWritesAgainEveryRefreshAndStopsOnceItLetsTheVipGo() throws Exception {
        EndpointSlicePublisher publisher = publisher(Duration.ofMillis(200));
        publisher.holding(true);
        await().atMost(Duration.ofSeconds(5)).until(() -> patches().size() >= 3);

        publisher.holding(false);
        Thread.sleep(100);
        int afterLettingGo = patches().size();
        Thread.sleep(600);

        assertThat(patches()).as("no write once a backup").hasSize(afterLettingGo);
        assertThat(requests.size()).as("a backup keeps checking").isGreaterThan(afterLettingGo + 1);
    }

    @Test
    void roleChangesInQuickSuccessionLeaveOneChainOfRequests() throws Exception {
        EndpointSlicePublisher publisher = publisher(Duration.ofMillis(300));
        for (int i = 0; i < 20; i++) {
            publisher.holding(i % 2 == 0);
        }
        publisher.holding(true);
        Thread.sleep(200);
        int settled = requests.size();
        Thread.sleep(1_000);

        // One request every 300 ms, not one per change of role.
        assertThat(requests.size() - settled).isBetween(2, 5);
    }

    @Test
    void aSlowCheckOfTheBackupDoesNotHoldUpItsFirstWriteAsMaster() throws Exception {
        slow.set(true);
        EndpointSlicePublisher publisher = publisher(Duration.ofMinutes(1));
        await().atMost(Duration.ofSeconds(5)).until(() -> hanging.get() == 1);
        slow.set(false);
        long start = System.nanoTime();

        publisher.holding(true);

        await().atMost(Duration.ofSeconds(2)).until(() -> publisher.written() == 1);
        assertThat((System.nanoTime() - start) / 1_000_000).as("written while the check still hangs").isLessThan(1_000);
    }

    @Test
    void aTokenThatCannotBeReadIsAProblemNotTheEndOfThePublisher() {
        URI api = URI.create("http://127.0.0.1:" + server.getAddress().getPort());
        AtomicInteger asked = new AtomicInteger();
        publisher = new EndpointSlicePublisher(HttpClient.newHttpClient(), api, () -> {
            if (asked.incrementAndGet() < 3) {
                throw new IllegalStateException("no token yet");
            }
            return "token-1";
        }, "shop", "lb-pair-vip", "lb-pair-amphora-1", "10.88.0.7", Duration.ofMinutes(1));

        publisher.holding(true);

        await().atMost(Duration.ofSeconds(5)).until(() -> publisher.written() == 1);
        assertThat(asked.get()).isGreaterThanOrEqualTo(3);
    }

    @Test
    void afterCloseNothingIsSent() throws Exception {
        EndpointSlicePublisher publisher = publisher(Duration.ofMillis(100));
        await().atMost(Duration.ofSeconds(5)).until(() -> !requests.isEmpty());
        publisher.close();
        publisher.holding(true);
        int before = requests.size();
        Thread.sleep(400);

        assertThat(requests).hasSize(before);
    }
}
