package dev.lbaas.amphora.vip;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lbaas.amphora.config.FailoverConfig;
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
import java.util.function.Supplier;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Puts this amphora's pod address, alone, into the EndpointSlice of its load balancer's VIP
 * Service while it holds the VIP: the Service has no selector, so the endpoints are what the pair
 * says, and a failover needs nothing but the new master's own write (not the operator, not a
 * readiness probe). The slice was created by the operator with the Service's ports and a
 * {@code endpointslice.kubernetes.io/managed-by} label that keeps the cluster's controller away;
 * the amphora's ServiceAccount may {@code get} and {@code patch} that one slice and nothing else.
 *
 * <p>The write is a JSON merge patch of {@code endpoints} only (the operator owns {@code ports}),
 * repeated after {@link #CONFIRM} and then every {@link #REFRESH} while master, so that a slice
 * recreated or edited by someone else, or a late write of the old master, is put right; a failed
 * write is retried after {@link #FIRST_RETRY}, the delay doubling up to {@link #LONGEST_RETRY}. A
 * backup sends the same patch as a dry run at the same pace: its connection to the API server
 * stays open and its permission to patch is checked, so that taking over costs one request and no
 * TLS handshake. Requests are sent without blocking; a change of role cancels the one under way.
 *
 * <p>The JDK's HTTP client is enough for one object's PATCH and GET; a Kubernetes client library
 * would bring its model of every API type into the data plane for that.
 */
public final class EndpointSlicePublisher implements VipPublisher {

    static final Duration REFRESH = Duration.ofSeconds(10);

    /**
     * When a new master writes again after its first write: a refresh the old master sent just
     * before it resigned may reach the API server after that first write.
     */
    static final Duration CONFIRM = Duration.ofSeconds(1);
    static final Duration FIRST_RETRY = Duration.ofMillis(100);
    static final Duration LONGEST_RETRY = Duration.ofSeconds(5);
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(5);
    private static final Path SERVICE_ACCOUNT = Path.of("/var/run/secrets/kubernetes.io/serviceaccount");
    private static final Logger LOG = LoggerFactory.getLogger(EndpointSlicePublisher.class);

    private final Duration refresh;
    private final HttpClient http;
    private final URI slice;
    private final URI dryRun;
    private final Supplier<String> token;
    private final String body;
    private final String description;
    private final ScheduledExecutorService executor;
    /** Moves with every change of role; a request of an older epoch neither reschedules nor reports. */
    private long epoch;
    private boolean holding;
    private boolean closed;
    private Duration retry = FIRST_RETRY;
    private CompletableFuture<?> inFlight;
    /** Writes since this amphora became master. */
    private int writesAsMaster;
    private volatile String problem;
    private volatile Runnable problemChanged = () -> { };
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
        this.body = patch(namespace, podName, podIp);
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
    public synchronized void holding(boolean holdsVip) {
        if (closed || holdsVip == holding) {
            return;
        }
        holding = holdsVip;
        writesAsMaster = 0;
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

    private void problem(String now) {
        if (!Objects.equals(problem, now)) {
            problem = now;
            problemChanged.run();
        }
    }

    /** How many times this amphora's address was written; for tests. */
    long written() {
        return written;
    }

    private void schedule(long forEpoch, Duration delay) {
        executor.schedule(() -> request(forEpoch), delay.toNanos(), TimeUnit.NANOSECONDS);
    }

    /**
     * On the publisher's thread: the write of a master; a backup sends the same write as a dry run,
     * which checks its permission to patch and changes nothing. Sent without waiting: a change of
     * role cancels it, and the answer of an older epoch is ignored.
     */
    private void request(long forEpoch) {
        boolean write;
        synchronized (this) {
            if (closed || forEpoch != epoch) {
                return;
            }
            write = holding;
        }
        CompletableFuture<HttpResponse<String>> response;
        try {
            HttpRequest request = HttpRequest.newBuilder(write ? slice : dryRun).timeout(REQUEST_TIMEOUT)
                    .header("Authorization", "Bearer " + token.get()).header("Accept", "application/json")
                    .header("Content-Type", "application/merge-patch+json")
                    .method("PATCH", HttpRequest.BodyPublishers.ofString(body)).build();
            response = http.sendAsync(request, HttpResponse.BodyHandlers.ofString());
        } catch (RuntimeException e) {
            answered(forEpoch, write, e.toString());
            return;
        }
        synchronized (this) {
            inFlight = response;
        }
        response.whenCompleteAsync((answer, error) -> answered(forEpoch, write, error != null ? error.toString()
                : answer.statusCode() / 100 == 2 ? null : "HTTP " + answer.statusCode() + ": "
                + excerpt(answer.body())), executor);
    }

    /** On the publisher's thread: what the request of {@code forEpoch} came to; null when it succeeded. */
    private synchronized void answered(long forEpoch, boolean write, String failure) {
        if (closed || forEpoch != epoch) {
            return;
        }
        inFlight = null;
        if (failure == null) {
            if (write) {
                written++;
                writesAsMaster++;
            }
            if (problem != null) {
                LOG.info("{}: {} again", description, write ? "written" : "writable");
            }
            problem(null);
            retry = FIRST_RETRY;
            schedule(forEpoch, write && writesAsMaster == 1 ? min(CONFIRM, refresh) : refresh);
        } else {
            if (!failure.equals(problem)) {
                LOG.warn("{} cannot be {} ({}); trying again", description, write
                        ? "given this amphora's address: the VIP does not reach it"
                        : "written (checked by a dry run while standby)", failure);
            }
            problem(failure);
            schedule(forEpoch, retry);
            retry = retry.multipliedBy(2).compareTo(LONGEST_RETRY) > 0 ? LONGEST_RETRY : retry.multipliedBy(2);
        }
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
    static String patch(String namespace, String podName, String podIp) {
        ObjectMapper json = new ObjectMapper();
        ObjectNode endpoint = json.createObjectNode();
        endpoint.putArray("addresses").add(podIp);
        endpoint.set("conditions", json.valueToTree(Map.of("ready", true, "serving", true, "terminating", false)));
        endpoint.set("targetRef", json.valueToTree(Map.of("kind", "Pod", "namespace", namespace, "name", podName)));
        ObjectNode patch = json.createObjectNode();
        patch.putArray("endpoints").add(endpoint);
        return patch.toString();
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
