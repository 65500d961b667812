package dev.lbaas.amphora.proxy.http;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.util.AsciiString;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Set;

/** Header rules of a proxy: hop-by-hop headers stay on their hop, and the headers Octavia inserts. */
public final class ProxyHeaders {

    /** The insertHeaders values this amphora knows. */
    public static final Set<String> INSERTABLE = Set.of("X-Forwarded-For", "X-Forwarded-Port", "X-Forwarded-Proto",
            "X-Real-IP");

    /**
     * Connection-specific headers (RFC 9110, 7.6.1). Transfer-Encoding is not among them here: the
     * proxy streams bodies in the framing they came in, and the codecs re-frame as needed. Upgrade
     * is dropped so that members never switch protocols under the proxy.
     */
    private static final List<AsciiString> HOP_BY_HOP = List.of(HttpHeaderNames.CONNECTION,
            HttpHeaderNames.KEEP_ALIVE, HttpHeaderNames.PROXY_CONNECTION, HttpHeaderNames.TE,
            HttpHeaderNames.TRAILER, HttpHeaderNames.UPGRADE);

    private ProxyHeaders() {
    }

    /**
     * Removes the hop-by-hop headers and those the Connection header names. Runs for every request
     * and response, so for a plain {@code Connection: keep-alive} or {@code close} it allocates no
     * more than the list of the header's values.
     */
    static void removeHopByHop(HttpHeaders headers) {
        if (headers.isEmpty()) {
            return;
        }
        // a copy of the values, so that removing the headers they name does not disturb the loop
        List<String> connection = headers.getAll(HttpHeaderNames.CONNECTION);
        for (int i = 0; i < connection.size(); i++) {
            String value = connection.get(i);
            if (isPlainConnectionOption(value)) {
                continue;
            }
            for (String token : value.split(",")) {
                String name = token.trim();
                if (!name.isEmpty()) {
                    headers.remove(name);
                }
            }
        }
        for (int i = 0; i < HOP_BY_HOP.size(); i++) {
            headers.remove(HOP_BY_HOP.get(i));
        }
    }

    /**
     * {@link HttpUtil#isTransferEncodingChunked}, answered by one lookup for the messages without
     * Transfer-Encoding (most of them): Netty's scan of the header's values showed in profiles.
     */
    static boolean isChunked(HttpMessage message) {
        return message.headers().contains(HttpHeaderNames.TRANSFER_ENCODING) && HttpUtil.isTransferEncodingChunked(message);
    }

    /** {@link HttpUtil#isKeepAlive}, answered by one lookup for the messages without Connection. */
    static boolean isKeepAlive(HttpMessage message) {
        return message.headers().contains(HttpHeaderNames.CONNECTION)
                ? HttpUtil.isKeepAlive(message)
                : message.protocolVersion().isKeepAliveDefault();
    }

    /** "keep-alive" or "close" alone: options that name no other header to remove. */
    private static boolean isPlainConnectionOption(String value) {
        return HttpHeaderValues.KEEP_ALIVE.contentEqualsIgnoreCase(value)
                || HttpHeaderValues.CLOSE.contentEqualsIgnoreCase(value);
    }

    static void insert(HttpHeaders headers, List<String> names, InetSocketAddress client, InetSocketAddress local) {
        if (names.isEmpty()) {
            return;
        }
        String clientIp = client.getAddress().getHostAddress();
        for (String name : names) {
            switch (name) {
                case "X-Forwarded-For" -> headers.add(name, clientIp);
                case "X-Forwarded-Port" -> headers.set(name, local.getPort());
                case "X-Forwarded-Proto" -> headers.set(name, "http");
                case "X-Real-IP" -> headers.set(name, clientIp);
                default -> throw new IllegalStateException("insert header " + name + " passed validation");
            }
        }
    }
}
