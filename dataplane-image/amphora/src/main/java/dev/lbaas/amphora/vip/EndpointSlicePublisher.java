package dev.lbaas.amphora.vip;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lbaas.amphora.config.FailoverConfig;
import dev.lbaas.amphora.vrrp.MasterClaim;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Puts this amphora's pod address, alone, into the EndpointSlice of its load balancer's VIP
 * Service while it is master: the Service has no selector, so the endpoints are what the pair
 * says, and a failover needs nothing but the new master's own write (not the operator, not a
 * readiness probe). The slice was created by the operator with the Service's ports and a
 * {@code endpointslice.kubernetes.io/managed-by} label that keeps the cluster's controller away;
 * the amphora's ServiceAccount may {@code get} and {@code patch} that one slice and nothing else.
 *
 * <p>The write is a JSON merge patch of {@code endpoints} (the operator owns {@code ports}) and of
 * the annotation {@value #CLAIM_ANNOTATION}, the writer's {@link MasterClaim}: its term and
 * priority. Writes are fenced: each carries the {@code resourceVersion} the master last read, so
 * that the API server refuses it if anyone wrote in between, and a master never writes over a
 * claim that outranks its own. A master paused while its backup took over (SIGSTOP, a stalled
 * node) therefore cannot take the traffic back with a write sent as it resumes: it reads the newer
 * claim, tells the pair, and steps down at its successor's advert. Every claim read is told to the
 * pair ({@link #whenClaimSeen}): a backup learns the newest term, so that its takeover outranks the
 * claim there, even one of an amphora that is gone.
 *
 * <p>A master writes again after {@link #CONFIRM} and then every {@link #REFRESH}, so that a slice
 * recreated or edited by someone else is put right; a failed write is retried after
 * {@link #FIRST_RETRY}, the delay doubling up to {@link #LONGEST_RETRY}. A backup sends the write
 * as a dry run at the same pace: its connection to the API server stays open, its permission to
 * patch is checked, and what it reads keeps the slice's version and claim known, so that taking
 * over costs one request and no TLS handshake. Requests are sent without blocking; a change of
 * role cancels the one under way.
 *
 * <p>The JDK's HTTP client is enough for one object's PATCH and GET; a Kubernetes client library
 * would bring its model of every API type into the data plane for that.
 */
public final class EndpointSlicePublisher implements VipPublisher {

    /** Where the master's claim is written, beside its address. */
    public static final String CLAIM_ANNOTATION = "amphora.lbaas.dev/master";
    static final Duration REFRESH = Duration.ofSeconds(10);

    /**
     * When a new master writes again after its first write: the slice may have been recreated, or
     * edited by hand, right after the first.
     */
    static final Duration CONFIRM = Duration.ofSeconds(1);
    static final Duration FIRST_RETRY = Duration.ofMillis(100);
    static final Duration LONGEST_RETRY = Duration.ofSeconds(5);
    /** Writes refused for a version read just before, in a row, before they wait as failures do. */
    private static final int CONFLICTS_RETRIED_AT_ONCE = 3;
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(5);
    private static final Path SERVICE_ACCOUNT = Path.of("/var/run/secrets/kubernetes.io/serviceaccount");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Logger LOG = LoggerFactory.getLogger(EndpointSlicePublisher.class);

    /** The slice as last read: its version and the claim it carried (null: none, or not one). */
    private record Slice(String resourceVersion, MasterClaim claim) {
    }

    /** What one request is for. */
    private enum Kind {
        /** A backup's dry run of the write. */
        CHECK,
        /** A master reads the slice before writing. */
        READ,
        WRITE
    }

    private final Duration refresh;
    private final HttpClient http;
    private final URI slice;
    private final URI dryRun;
    private final Supplier<String> token;
    /** This amphora alone, ready: what every write and check puts in the slice. */
    private final ArrayNode endpoints;
    private final String checkBody;
    private final String description;
    private final ScheduledExecutorService executor;
    /** Moves with every change of role; a request of an older epoch neither reschedules nor reports. */
    private long epoch;
    /** This amphora's claim while master, else null. */
    private MasterClaim claim;
    /** The slice as last read or written; null when it must be read before the next write. */
    private Slice known;
    private boolean closed;
    private Duration retry = FIRST_RETRY;
    private int conflicts;
    private CompletableFuture<?> inFlight;
    /** Writes since this amphora became master. */
    private int writesAsMaster;
    private volatile String problem;
    private volatile Runnable problemChanged = () -> { };
    private volatile Consumer<MasterClaim> claimSeen = claim -> { };
    private volatile long written;

    /**
     * @param apiServer the API server's base address
     * @param token the ServiceAccount token, asked before every request (projected tokens rotate)
     */
    public EndpointSlicePublisher(HttpClient http, URI apiServer, Supplier<String> token, String namespace,
            String sliceName, String podName, String podIp) {
        this(http, apiServer, token, namespace, sliceName, podName, podIp, REFRESH);
    }

    EndpointSlicePublisher(HttpClient http, URI apiServer, Supplier<String> token, String namespace,
            String sliceName, String podName, String podIp, Duration refresh) {
        this.refresh = refresh;
        this.http = http;
        this.slice = apiServer.resolve("/apis/discovery.k8s.io/v1/namespaces/" + namespace + "/endpointslices/"
                + sliceName);
        this.dryRun = URI.create(slice + "?dryRun=All");
        this.token = token;
        this.endpoints = endpoints(namespace, podName, podIp);
        this.checkBody = patch(endpoints, null, null);
        this.description = "EndpointSlice " + namespace + "/" + sliceName;
        this.executor = Executors.newSingleThreadScheduledExecutor(task -> {
            Thread thread = new Thread(task, "vip-publisher");
            thread.setDaemon(true);
            return thread;
        });
        synchronized (this) {
            schedule(epoch, Duration.ZERO);
        }
    }

    /**
     * In a pod: the API server from the environment the kubelet gives every container, the
     * token and CA the pod's ServiceAccount mounts.
     */
    public static EndpointSlicePublisher inCluster(String namespaceAndSlice, String podName, String podIp) {
        int slash = namespaceAndSlice.indexOf('/');
        String host = System.getenv("KUBERNETES_SERVICE_HOST");
        String port = System.getenv("KUBERNETES_SERVICE_PORT");
        if (host == null || port == null) {
            throw new IllegalStateException("the VIP's EndpointSlice needs the API server: KUBERNETES_SERVICE_HOST "
                    + "and KUBERNETES_SERVICE_PORT are not set");
        }
        HttpClient http = HttpClient.newBuilder().sslContext(trusting(SERVICE_ACCOUNT.resolve("ca.crt")))
                .connectTimeout(REQUEST_TIMEOUT).build();
        URI apiServer = URI.create("https://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port);
        Path tokenFile = SERVICE_ACCOUNT.resolve("token");
        return new EndpointSlicePublisher(http, apiServer, () -> {
            try {
                return Files.readString(tokenFile).strip();
            } catch (IOException e) {
                throw new UncheckedIOException("the ServiceAccount token " + tokenFile, e);
            }
        }, namespaceAndSlice.substring(0, slash), namespaceAndSlice.substring(slash + 1), podName, podIp);
    }

    @Override
    public synchronized void holding(MasterClaim newClaim) {
        if (closed || Objects.equals(newClaim, claim)) {
            return;
        }
        claim = newClaim;
        writesAsMaster = 0;
        conflicts = 0;
        epoch++;
        retry = FIRST_RETRY;
        // A backup's check still under way (the API server slow to answer) must not hold up a
        // new master's write, nor a write the step-down of a master.
        cancelInFlight();
        schedule(epoch, Duration.ZERO);
    }

    @Override
    public Duration linger() {
        return FailoverConfig.LINGER_BEHIND_ENDPOINT_SLICE;
    }

    /** What went wrong with the last request, or null once one succeeded again. */
    @Override
    public String problem() {
        return problem;
    }

    @Override
    public void whenProblemChanges(Runnable changed) {
        this.problemChanged = changed;
    }

    @Override
    public void whenClaimSeen(Consumer<MasterClaim> seen) {
        this.claimSeen = seen;
    }

    private void problem(String now) {
        if (!Objects.equals(problem, now)) {
            problem = now;
            problemChanged.run();
        }
    }

    /** Whether the slice's version and claim are known from an answer; for tests. */
    synchronized boolean sliceKnown() {
        return known != null;
    }

    /** How many times this amphora's address was written; for tests. */
    long written() {
        return written;
    }

    private void schedule(long forEpoch, Duration delay) {
        executor.schedule(() -> request(forEpoch), delay.toNanos(), TimeUnit.NANOSECONDS);
    }

    /**
     * On the publisher's thread: a backup's dry run; a master's read of the slice when its version
     * is not known, its write when no claim there outranks its own. Sent without waiting: a change
     * of role cancels it, and the answer of an older epoch is ignored.
     */
    private void request(long forEpoch) {
        Kind kind;
        String body;
        synchronized (this) {
            if (closed || forEpoch != epoch) {
                return;
            }
            if (claim == null) {
                kind = Kind.CHECK;
                body = checkBody;
            } else if (known == null) {
                kind = Kind.READ;
                body = null;
            } else if (known.claim() != null && known.claim().outranks(claim)) {
                // A newer master wrote (the pair was told when it was read): this one waits, and
                // reads again before any write. (A write that failed otherwise keeps what was
                // read: if it did change the slice, the next one is refused for its version.)
                MasterClaim newer = known.claim();
                known = null;
                failed(forEpoch, "it names a newer master (" + newer + "), over which this amphora does "
                        + "not write", Kind.WRITE);
                return;
            } else {
                kind = Kind.WRITE;
                body = patch(endpoints, claim, known.resourceVersion());
            }
        }
        CompletableFuture<HttpResponse<String>> response;
        try {
            HttpRequest.Builder request = HttpRequest.newBuilder(kind == Kind.CHECK ? dryRun : slice)
                    .timeout(REQUEST_TIMEOUT).header("Authorization", "Bearer " + token.get())
                    .header("Accept", "application/json");
            if (body == null) {
                request.GET();
            } else {
                request.header("Content-Type", "application/merge-patch+json")
                        .method("PATCH", HttpRequest.BodyPublishers.ofString(body));
            }
            response = http.sendAsync(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (RuntimeException e) {
            synchronized (this) {
                failed(forEpoch, e.toString(), kind);
            }
            return;
        }
        synchronized (this) {
            if (closed || forEpoch != epoch) {
                // the role changed while it was being sent: it is not this role's to finish
                response.cancel(true);
                return;
            }
            inFlight = response;
        }
        response.whenCompleteAsync((answer, error) -> answered(forEpoch, kind, answer, error), executor);
    }

    /** On the publisher's thread: what the request of {@code forEpoch} came to. */
    private synchronized void answered(long forEpoch, Kind kind, HttpResponse<String> answer, Throwable error) {
        if (closed || forEpoch != epoch) {
            return;
        }
        inFlight = null;
        if (error != null) {
            failed(forEpoch, error.toString(), kind);
            return;
        }
        int status = answer.statusCode();
        if (status == 409 && kind == Kind.WRITE) {
            // Written by someone since it was read: read it again, and decide again.
            known = null;
            if (++conflicts <= CONFLICTS_RETRIED_AT_ONCE) {
                schedule(forEpoch, Duration.ZERO);
            } else {
                failed(forEpoch, "HTTP 409: written by others each time this amphora read it", kind);
            }
            return;
        }
        if (status / 100 != 2) {
            failed(forEpoch, "HTTP " + status + ": " + excerpt(answer.body()), kind);
            return;
        }
        Slice read = read(answer.body());
        if (read == null) {
            // Without its version a write would not be fenced: as good as no answer.
            failed(forEpoch, "HTTP " + status + " without the slice's resourceVersion: " + excerpt(answer.body()),
                    kind);
            return;
        }
        // A dry run answers with the slice as the write would leave it, under its present version.
        known = read;
        if (read.claim() != null) {
            tellClaim(read.claim());
        }
        if (kind == Kind.READ) {
            schedule(forEpoch, Duration.ZERO);
            return;
        }
        conflicts = 0;
        if (kind == Kind.WRITE) {
            written++;
            writesAsMaster++;
        }
        if (problem != null) {
            LOG.info("{}: {} again", description, kind == Kind.WRITE ? "written" : "writable");
        }
        problem(null);
        retry = FIRST_RETRY;
        schedule(forEpoch, kind == Kind.WRITE && writesAsMaster == 1 ? min(CONFIRM, refresh) : refresh);
    }

    /** A request of {@code forEpoch} failed: said, and tried again after the current retry delay. */
    private void failed(long forEpoch, String failure, Kind kind) {
        if (!failure.equals(problem)) {
            LOG.warn("{} cannot be {} ({}); trying again", description, kind == Kind.CHECK
                    ? "written (checked by a dry run while standby)"
                    : "given this amphora's address: the VIP does not reach it", failure);
        }
        problem(failure);
        schedule(forEpoch, retry);
        retry = retry.multipliedBy(2).compareTo(LONGEST_RETRY) > 0 ? LONGEST_RETRY : retry.multipliedBy(2);
    }

    private void cancelInFlight() {
        CompletableFuture<?> request = inFlight;
        inFlight = null;
        if (request != null) {
            request.cancel(true);
        }
    }

    @Override
    public void close() {
        synchronized (this) {
            closed = true;
            cancelInFlight();
        }
        executor.shutdownNow();
    }

    /** This amphora alone, ready: a merge patch replaces the whole list. */
    private static ArrayNode endpoints(String namespace, String podName, String podIp) {
        ObjectNode endpoint = JSON.createObjectNode();
        endpoint.putArray("addresses").add(podIp);
        endpoint.set("conditions", JSON.valueToTree(Map.of("ready", true, "serving", true, "terminating", false)));
        endpoint.set("targetRef", JSON.valueToTree(Map.of("kind", "Pod", "namespace", namespace, "name", podName)));
        return JSON.createArrayNode().add(endpoint);
    }

    /**
     * The endpoints; with a claim, that claim as the annotation, and the version the write must
     * find (the API server refuses it otherwise).
     */
    private static String patch(ArrayNode endpoints, MasterClaim claim, String resourceVersion) {
        ObjectNode patch = JSON.createObjectNode();
        if (claim != null) {
            ObjectNode metadata = patch.putObject("metadata");
            metadata.put("resourceVersion", resourceVersion);
            metadata.putObject("annotations").put(CLAIM_ANNOTATION, claim.text());
        }
        patch.set("endpoints", endpoints);
        return patch.toString();
    }

    /** The pair hears of a claim; whatever becomes of that, this publisher goes on. */
    private void tellClaim(MasterClaim claim) {
        try {
            claimSeen.accept(claim);
        } catch (RuntimeException e) {
            LOG.warn("{}: the pair could not take the claim {} into account: {}", description, claim, e.toString());
        }
    }

    /** The version and claim of a slice the API server answered with; null without a version. */
    private static Slice read(String body) {
        try {
            JsonNode metadata = JSON.readTree(body).path("metadata");
            String version = metadata.path("resourceVersion").asText("");
            if (version.isEmpty()) {
                return null;
            }
            JsonNode claim = metadata.path("annotations").path(CLAIM_ANNOTATION);
            return new Slice(version, MasterClaim.parse(claim.isTextual() ? claim.asText() : null));
        } catch (IOException e) {
            return null;
        }
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    private static String excerpt(String text) {
        String line = text == null ? "" : text.strip().replaceAll("\\s+", " ");
        return line.length() <= 300 ? line : line.substring(0, 300) + "...";
    }

    private static SSLContext trusting(Path caFile) {
        try (InputStream in = Files.newInputStream(caFile)) {
            KeyStore trusted = KeyStore.getInstance(KeyStore.getDefaultType());
            trusted.load(null, null);
            int i = 0;
            for (Certificate certificate : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                trusted.setCertificateEntry("ca-" + i++, certificate);
            }
            TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trust.init(trusted);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, trust.getTrustManagers(), null);
            return context;
        } catch (IOException e) {
            throw new UncheckedIOException("the API server's CA " + caFile, e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the API server's CA " + caFile + ": " + e.getMessage(), e);
        }
    }
}
