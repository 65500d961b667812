package dev.lbaas.amphora.proxy.http;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.util.AsciiString;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;

/**
 * What a member's response head may be and becomes on its way to the client: refused when the
 * amphora could not forward it faithfully, else framed for the client's connection (its HTTP
 * version, whether it goes on) and stripped of the member connection's hop-by-hop fields.
 */
final class ResponseHeads {

    private ResponseHeads() {
    }

    /** Why a member's response head cannot go to the client (answered 502 instead), or null. */
    static String refusal(HttpResponse response) {
        if (response.decoderResult().isFailure()) {
            return "the server sent an invalid response";
        }
        if (response.headers().size() > ProxyHeaders.MAX_HEADER_FIELDS) {
            return "the server sent too many header fields";
        }
        if (response.status().code() == HttpResponseStatus.SWITCHING_PROTOCOLS.code()) {
            // Upgrade never reaches a member (ProxyHeaders), so no member may switch protocols.
            return "the server switched protocols unasked";
        }
        return null;
    }

    /**
     * Adapts the final response head of {@code exchange} to the client connection before it is
     * forwarded, and notes in the exchange whether the member connection and the client connection
     * can serve another request after it.
     */
    private static final AsciiString STRICT_TRANSPORT_SECURITY = AsciiString.cached("strict-transport-security");

    static void adapt(Exchange exchange, HttpResponse response) {
        int code = response.status().code();
        boolean bodyless = exchange.method.equals(HttpMethod.HEAD) || code == 204 || code == 304;
        boolean chunked = ProxyHeaders.isChunked(response);
        boolean delimited = bodyless || chunked || HttpUtil.isContentLengthSet(response);
        exchange.memberReusable = ProxyHeaders.isKeepAlive(response) && delimited;
        ProxyHeaders.removeHopByHop(response.headers());
        if (exchange.strictTransportSecurity != null) {
            response.headers().set(STRICT_TRANSPORT_SECURITY, exchange.strictTransportSecurity);
        }
        response.setProtocolVersion(HttpVersion.HTTP_1_1);
        if (exchange.clientVersion.equals(HttpVersion.HTTP_1_0)) {
            if (chunked) {
                // HTTP/1.0 clients know no chunks: the body ends when the connection does.
                HttpUtil.setTransferEncodingChunked(response, false);
                exchange.clientKeepAlive = false;
            } else if (!delimited) {
                exchange.clientKeepAlive = false;
            }
        } else if (!delimited) {
            // The member ends the body by closing; chunks let the client connection live on.
            HttpUtil.setTransferEncodingChunked(response, true);
        }
        if (!exchange.clientKeepAlive) {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        } else if (exchange.clientVersion.equals(HttpVersion.HTTP_1_0)) {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
        }
    }
}
