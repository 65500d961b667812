package dev.lbaas.operator.agent;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.lbaas.amphora.config.AgentApi;
import dev.lbaas.amphora.config.AmphoraConfig;
import dev.lbaas.amphora.config.AmphoraStatus;
import dev.lbaas.amphora.config.ApiError;
import dev.lbaas.amphora.config.ConfigAck;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import javax.net.ssl.SSLContext;

/**
 * Talks to amphora agents over two-way TLS. Every call is asynchronous: reconciles and health
 * watches never hold a thread while an amphora answers.
 */
public final class AgentClient {

    /** The answer to a configuration push. */
    public sealed interface PushResult {
        /** The amphora serves {@code appliedGeneration} (which may be newer than the one pushed). */
        record Applied(long appliedGeneration) implements PushResult {
        }

        /** The amphora refused the configuration; it keeps serving the previous one. */
        record Rejected(String message) implements PushResult {
        }
    }

    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(3);
    private static final Duration PUSH_TIMEOUT = Duration.ofSeconds(30);

    private final HttpClient http;

    public AgentClient(SSLContext sslContext, Executor executor) {
        this.http = HttpClient.newBuilder()
                .sslContext(sslContext)
                .connectTimeout(CONNECT_TIMEOUT)
                .version(HttpClient.Version.HTTP_1_1)
                .executor(executor)
                .build();
    }

    public CompletableFuture<PushResult> push(URI agent, AmphoraConfig config) {
        HttpRequest request = HttpRequest.newBuilder(agent.resolve(AgentApi.CONFIG_PATH))
                .timeout(PUSH_TIMEOUT)
                .header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofByteArray(toJson(config)))
                .build();
        return http.sendAsync(request, HttpResponse.BodyHandlers.ofByteArray()).thenApply(response -> {
            int code = response.statusCode();
            if (code == 200 || code == 409) {
                return new PushResult.Applied(read(response.body(), ConfigAck.class).appliedGeneration());
            }
            if (code == 400) {
                return new PushResult.Rejected(read(response.body(), ApiError.class).message());
            }
            throw new IllegalStateException("agent " + agent + " answered " + code + " to a configuration push");
        });
    }

    /**
     * The amphora's status. When {@code afterHealthVersion} is the current health version the
     * amphora holds the answer until health changes or {@code waitSeconds} pass.
     */
    public CompletableFuture<AmphoraStatus> status(URI agent, long afterHealthVersion, int waitSeconds) {
        URI uri = agent.resolve(AgentApi.STATUS_PATH + "?" + AgentApi.AFTER_PARAM + "=" + afterHealthVersion + "&"
                + AgentApi.WAIT_SECONDS_PARAM + "=" + waitSeconds);
        HttpRequest request = HttpRequest.newBuilder(uri)
                .timeout(Duration.ofSeconds(waitSeconds + 10L))
                .GET()
                .build();
        return http.sendAsync(request, HttpResponse.BodyHandlers.ofByteArray()).thenApply(response -> {
            if (response.statusCode() != 200) {
                throw new IllegalStateException("agent " + agent + " answered " + response.statusCode()
                        + " to a status request");
            }
            return read(response.body(), AmphoraStatus.class);
        });
    }

    /**
     * Asks a pair's master to hand the VIP to its peer (a planned failover); completes with the
     * amphora's status once the peer holds it, or fails with the amphora's reason (it is not
     * master, serves no pair, or no peer took over).
     *
     * @param timeout how long the handover may take: it waits for the successor's takeover
     */
    public CompletableFuture<AmphoraStatus> failover(URI agent, Duration timeout) {
        HttpRequest request = HttpRequest.newBuilder(agent.resolve(AgentApi.FAILOVER_PATH))
                .timeout(timeout)
                .POST(HttpRequest.BodyPublishers.noBody())
                .build();
        return http.sendAsync(request, HttpResponse.BodyHandlers.ofByteArray()).thenApply(response -> {
            if (response.statusCode() == 200) {
                return read(response.body(), AmphoraStatus.class);
            }
            // 409 carries the status of a backup, or the error of an amphora without a pair
            JsonNode answer = read(response.body(), JsonNode.class);
            String reason = answer.has("message") ? answer.get("message").asText()
                    : answer.has("pair") ? "it is " + answer.get("pair").path("role").asText() + ", not the master"
                    : "answered " + response.statusCode();
            throw new IllegalStateException("amphora refused the failover: " + reason);
        });
    }

    private static byte[] toJson(Object value) {
        try {
            return AgentApi.json().writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static <T> T read(byte[] body, Class<T> type) {
        try {
            return AgentApi.json().readValue(body, type);
        } catch (IOException e) {
            throw new UncheckedIOException("unreadable agent answer: " + new String(body), e);
        }
    }
}
