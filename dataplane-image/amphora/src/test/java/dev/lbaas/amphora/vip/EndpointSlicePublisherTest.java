package dev.lbaas.amphora.vip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lbaas.amphora.vrrp.MasterClaim;
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
import java.util.concurrent.atomic.AtomicReference;
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
    /** While set, answers leave the slice's resourceVersion out. */
    private final java.util.concurrent.atomic.AtomicBoolean withoutVersion =
            new java.util.concurrent.atomic.AtomicBoolean();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final MasterClaim MINE = new MasterClaim(3, 100, "amphora-1");
    /** The slice as the stand-in API server holds it. */
    private final AtomicReference<ObjectNode> stored = new AtomicReference<>(initialSlice());
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
            int status;
            String answer;
            if (refuse) {
                status = 403;
                answer = "{\"reason\":\"Forbidden\"}";
            } else if (exchange.getRequestMethod().equals("GET")) {
                status = 200;
                answer = stored.get().toString();
            } else {
                Answer patched = patch(body, "dryRun=All".equals(exchange.getRequestURI().getQuery()));
                status = patched.status();
                answer = patched.body();
            }
            if (withoutVersion.get() && status == 200) {
                ObjectNode stripped = (ObjectNode) JSON.readTree(answer);
                ((ObjectNode) stripped.path("metadata")).remove("resourceVersion");
                answer = stripped.toString();
            }
            byte[] bytes = answer.getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(status, bytes.length);
            exchange.getResponseBody().write(bytes);
            exchange.close();
        });
        server.start();
    }

    private record Answer(int status, String body) {
    }

    /**
     * A JSON merge patch as the API server applies it to the slice: refused (409) when it names a
     * resourceVersion that is not the slice's, the version moved on by a change, nothing stored by
     * a dry run.
     */
    private synchronized Answer patch(String body, boolean dryRun) {
        try {
            ObjectNode patch = (ObjectNode) JSON.readTree(body);
            ObjectNode current = stored.get();
            String version = current.path("metadata").path("resourceVersion").asText();
            JsonNode precondition = patch.path("metadata").path("resourceVersion");
            if (!precondition.isMissingNode() && !precondition.asText().equals(version)) {
                return new Answer(409, "{\"reason\":\"Conflict\"}");
            }
            ObjectNode next = current.deepCopy();
            ObjectNode metadata = (ObjectNode) next.get("metadata");
            patch.path("metadata").path("annotations").fields().forEachRemaining(annotation ->
                    metadata.with("annotations").set(annotation.getKey(), annotation.getValue()));
            if (patch.has("endpoints")) {
                next.set("endpoints", patch.get("endpoints"));
            }
            if (!dryRun && !next.equals(current)) {
                metadata.put("resourceVersion", Integer.toString(Integer.parseInt(version) + 1));
                stored.set(next);
            }
            return new Answer(200, next.toString());
        } catch (IOException e) {
            return new Answer(400, "{}");
        }
    }

    /** Someone else changes the slice (the operator its ports, another amphora its claim). */
    private synchronized void changedByOthers(MasterClaim claim) {
        ObjectNode next = stored.get().deepCopy();
        ObjectNode metadata = (ObjectNode) next.get("metadata");
        metadata.put("resourceVersion", Integer.toString(metadata.get("resourceVersion").asInt() + 1));
        if (claim != null) {
            metadata.with("annotations").put(EndpointSlicePublisher.CLAIM_ANNOTATION, claim.text());
        }
        next.putArray("ports").addObject().put("port", 8080 + metadata.get("resourceVersion").asInt());
        stored.set(next);
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

    private static ObjectNode initialSlice() {
        ObjectNode slice = JSON.createObjectNode();
        slice.putObject("metadata").put("name", "lb-pair-vip").put("resourceVersion", "7");
        slice.putArray("endpoints");
        return slice;
    }

    /** The writes, not a backup's dry runs. */
    private List<Request> patches() {
        return requests.stream().filter(Request::write).toList();
    }

    @Test
    void aMasterWritesItselfAloneAndReadyIntoTheSliceWithItsClaimAtTheVersionItRead() throws Exception {
        EndpointSlicePublisher publisher = publisher(Duration.ofMinutes(1));
        // the check answered: the version it found is known
        await().atMost(Duration.ofSeconds(5)).until(publisher::sliceKnown);
        Request check = requests.get(0);
        assertThat(check.query()).as("a backup only checks that it may write").isEqualTo("dryRun=All");
        assertThat(check.method()).isEqualTo("PATCH");
        assertThat(check.authorization()).isEqualTo("Bearer token-1");

        publisher.holding(MINE);

        await().atMost(Duration.ofSeconds(5)).until(() -> patches().size() == 1);
        Request patch = patches().get(0);
        assertThat(patch.path()).isEqualTo(SLICE_PATH);
        assertThat(patch.contentType()).isEqualTo("application/merge-patch+json");
        assertThat(patch.authorization()).isEqualTo("Bearer token-1");
        JsonNode body = JSON.readTree(patch.body());
        assertThat(body.fieldNames()).toIterable().containsExactly("metadata", "endpoints");
        assertThat(body.get("endpoints")).as("the dry run's endpoints").isEqualTo(JSON.readTree(check.body())
                .get("endpoints"));
        assertThat(body.get("metadata").get("resourceVersion").asText()).as("as the dry run found it")
                .isEqualTo("7");
        assertThat(body.get("metadata").get("annotations").get(EndpointSlicePublisher.CLAIM_ANNOTATION).asText())
                .isEqualTo("amphora-1 term=3 priority=100");
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
        assertThat(requests).as("taking over costs one request").hasSize(2);
        assertThat(stored.get().get("endpoints")).isEqualTo(body.get("endpoints"));
    }

    @Test
    void aWriteRefusedForAVersionChangedSinceIsReadAgainAndWritten() {
        EndpointSlicePublisher publisher = publisher(Duration.ofMinutes(1));
        await().atMost(Duration.ofSeconds(5)).until(publisher::sliceKnown);
        // the operator changed the ports (or an older master wrote) after the backup's last check
        changedByOthers(new MasterClaim(2, 100, "amphora-2"));

        publisher.holding(MINE);

        await().atMost(Duration.ofSeconds(5)).until(() -> publisher.written() == 1);
        assertThat(requests.stream().skip(1).map(Request::method).toList()).as("refused, read, written")
                .containsExactly("PATCH", "GET", "PATCH");
        assertThat(claimOfTheSlice()).isEqualTo(MINE.text());
        assertThat(stored.get().get("ports")).as("the operator's ports are kept").hasSize(1);
        assertThat(publisher.problem()).isNull();
    }

    @Test
    void aMasterNeverWritesOverANewerClaimAndTellsThePairOfIt() throws Exception {
        EndpointSlicePublisher publisher = publisher(Duration.ofMinutes(1));
        List<MasterClaim> seen = new CopyOnWriteArrayList<>();
        publisher.whenClaimSeen(seen::add);
        await().atMost(Duration.ofSeconds(5)).until(publisher::sliceKnown);
        // its successor took over while this master was paused
        MasterClaim successor = new MasterClaim(4, 100, "amphora-2");
        changedByOthers(successor);
        String endpointsOfTheSuccessor = stored.get().get("endpoints").toString();

        publisher.holding(MINE);

        await().atMost(Duration.ofSeconds(5)).until(() -> publisher.problem() != null);
        assertThat(publisher.problem()).contains("newer master").contains(successor.text());
        assertThat(seen).contains(successor);
        Thread.sleep(500);
        assertThat(publisher.written()).isZero();
        assertThat(claimOfTheSlice()).isEqualTo(successor.text());
        assertThat(stored.get().get("endpoints").toString()).isEqualTo(endpointsOfTheSuccessor);

        // the pair stood over the claim (its master was gone): a newer term writes
        publisher.holding(new MasterClaim(5, 100, "amphora-1"));

        await().atMost(Duration.ofSeconds(5)).until(() -> publisher.written() == 1);
        assertThat(claimOfTheSlice()).isEqualTo("amphora-1 term=5 priority=100");
        assertThat(publisher.problem()).isNull();
    }

    @Test
    void aBackupTellsThePairTheClaimItsCheckFinds() {
        changedByOthers(new MasterClaim(8, 120, "amphora-2"));
        EndpointSlicePublisher publisher = publisher(Duration.ofMinutes(1));
        List<MasterClaim> seen = new CopyOnWriteArrayList<>();
        publisher.whenClaimSeen(seen::add);

        await().atMost(Duration.ofSeconds(5)).until(() -> !seen.isEmpty());

        assertThat(seen).containsOnly(new MasterClaim(8, 120, "amphora-2"));
        assertThat(requests).allMatch(request -> "dryRun=All".equals(request.query()));
    }

    @Test
    void anAnswerWithoutTheSlicesVersionIsNoReadAndNoWriteGoesUnfenced() throws Exception {
        withoutVersion.set(true);
        EndpointSlicePublisher publisher = publisher(Duration.ofMinutes(1));

        publisher.holding(MINE);

        await().atMost(Duration.ofSeconds(5)).until(() -> publisher.problem() != null
                && publisher.problem().contains("without the slice's resourceVersion"));
        Thread.sleep(300);
        assertThat(publisher.written()).isZero();
        assertThat(patches()).as("every write names a version").isEmpty();

        withoutVersion.set(false);
        await().atMost(Duration.ofSeconds(5)).until(() -> publisher.written() == 1);
        assertThat(publisher.problem()).isNull();
    }

    private String claimOfTheSlice() {
        return stored.get().path("metadata").path("annotations").path(EndpointSlicePublisher.CLAIM_ANNOTATION)
                .asText();
    }

    @Test
    void aNewMasterWritesOnceMoreAfterASecondInCaseTheOldMastersLastWriteArrivedLate() throws Exception {
        EndpointSlicePublisher publisher = publisher(Duration.ofMinutes(1));
        publisher.holding(MINE);
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
        await().atMost(Duration.ofSeconds(5)).until(publisher::sliceKnown);
        refusals.set(3);
        AtomicInteger changes = new AtomicInteger();
        publisher.whenProblemChanges(changes::incrementAndGet);
        long start = System.nanoTime();

        publisher.holding(MINE);

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
        publisher.holding(MINE);
        await().atMost(Duration.ofSeconds(5)).until(() -> patches().size() >= 3);

        publisher.holding(null);
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
            publisher.holding(i % 2 == 0 ? MINE : null);
        }
        publisher.holding(MINE);
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

        publisher.holding(MINE);

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

        publisher.holding(MINE);

        await().atMost(Duration.ofSeconds(5)).until(() -> publisher.written() == 1);
        assertThat(asked.get()).isGreaterThanOrEqualTo(3);
    }

    @Test
    void afterCloseNothingIsSent() throws Exception {
        EndpointSlicePublisher publisher = publisher(Duration.ofMillis(100));
        await().atMost(Duration.ofSeconds(5)).until(() -> !requests.isEmpty());
        publisher.close();
        publisher.holding(MINE);
        int before = requests.size();
        Thread.sleep(400);

        assertThat(requests).hasSize(before);
    }
}
