package dev.lbaas.amphora.proxy.http;

import dev.lbaas.amphora.balancing.Pool;
import dev.lbaas.amphora.l7.L7Policy;
import dev.lbaas.amphora.proxy.ListenerRuntime;
import dev.lbaas.amphora.proxy.tls.ClientTls;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;

/**
 * Where a request goes by its listener's L7 policies: the first policy that matches decides, and
 * a request none matches goes to the listener's default pool.
 */
final class L7Routing {

    /** The outcome for one request. */
    sealed interface Route {
    }

    /** Served by {@code pool}; null when the listener or the policy has no pool that can serve. */
    record ToPool(Pool pool) implements Route {
    }

    /**
     * Answered by the amphora, no member involved.
     *
     * @param location the redirect's target, or null for a refusal
     */
    record Answer(HttpResponseStatus status, String location) implements Route {
    }

    private L7Routing() {
    }

    /** @param tls the client connection's TLS, or null on plain HTTP */
    static Route route(ListenerRuntime listener, HttpRequest request, ClientTls tls) {
        if (listener.router().policies().isEmpty()) {
            return new ToPool(listener.pool());
        }
        HttpRequestFacts facts = new HttpRequestFacts(request, tls);
        L7Policy policy = listener.router().route(facts);
        if (policy == null) {
            return new ToPool(listener.pool());
        }
        L7Policy.Action action = policy.action();
        if (action instanceof L7Policy.RedirectToPool toPool) {
            return new ToPool(toPool.poolId() == null ? null : listener.pools().get(toPool.poolId()));
        }
        if (action instanceof L7Policy.RedirectToUrl redirect) {
            return new Answer(HttpResponseStatus.valueOf(redirect.code()), redirect.url());
        }
        if (action instanceof L7Policy.RedirectPrefix redirect) {
            return new Answer(HttpResponseStatus.valueOf(redirect.code()),
                    prefixed(redirect.prefix(), facts.pathAndQuery()));
        }
        return new Answer(HttpResponseStatus.FORBIDDEN, null);
    }

    /** The prefix and the request's path and query, with one slash between them (as HAProxy's redirect prefix). */
    static String prefixed(String prefix, String pathAndQuery) {
        String base = prefix.endsWith("/") ? prefix.substring(0, prefix.length() - 1) : prefix;
        return "*".equals(pathAndQuery) ? base + "/" : base + pathAndQuery;
    }
}
