package dev.lbaas.amphora.proxy.http;

import dev.lbaas.amphora.proxy.tls.ClientTls;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import java.net.InetSocketAddress;
import java.util.List;

/**
 * What a client's request head may be and becomes on its way to a member: refused when a member
 * could read it otherwise than the amphora ({@link RequestRules}), else readied for the member
 * connection (framing normalised, hop-by-hop fields gone, the listener's inserted fields added).
 * The counterpart of {@link ResponseHeads}.
 */
final class RequestHeads {

    private RequestHeads() {
    }

    /** Why a request head cannot go to any member (it is answered with this, and its connection closed), or null. */
    static RequestRules.Refusal refusal(HttpRequest request) {
        return request.decoderResult().isFailure()
                ? RequestRules.ofUnreadableHead(request.decoderResult().cause())
                : RequestRules.check(request);
    }

    /**
     * Readies an admitted head for its member connection.
     *
     * @param insertHeaders the listener's fields to add (X-Forwarded-For and friends)
     * @param client the client connection's remote address
     * @param local the address the client connected to
     */
    static void adapt(HttpRequest request, List<String> insertHeaders, InetSocketAddress client,
            InetSocketAddress local, ClientTls tls) {
        ProxyHeaders.normaliseFraming(request);
        ProxyHeaders.removeHopByHop(request.headers());
        ProxyHeaders.insert(request.headers(), insertHeaders, client, local, tls);
    }

    /**
     * Whether the request may be sent again, on a new connection, when the pooled connection it
     * went on turns out closed by the member before any answer: bodyless and idempotent, so that
     * sending it twice changes nothing.
     */
    static boolean retryable(HttpRequest request) {
        HttpMethod method = request.method();
        return (method.equals(HttpMethod.GET) || method.equals(HttpMethod.HEAD) || method.equals(HttpMethod.OPTIONS))
                && !ProxyHeaders.isChunked(request) && HttpUtil.getContentLength(request, 0L) == 0L;
    }
}
