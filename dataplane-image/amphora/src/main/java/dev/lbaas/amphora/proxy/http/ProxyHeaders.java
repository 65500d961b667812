package dev.lbaas.amphora.proxy.http;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.util.AsciiString;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Iterator;
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
     * and response, so it allocates next to nothing when Connection holds only keep-alive or close.
     */
    static void removeHopByHop(HttpHeaders headers) {
        if (headers.isEmpty()) {
            return;
        }
        List<String> naming = null;
        if (headers instanceof CompactHttpHeaders compact && compact.count(HttpHeaderNames.CONNECTION) == 1) {
            // the usual case, without an iterator
            String value = headers.get(HttpHeaderNames.CONNECTION);
            if (!isPlainConnectionOption(value)) {
                naming = List.of(value);
            }
        } else if (headers.contains(HttpHeaderNames.CONNECTION)) {
            for (Iterator<String> values = headers.valueStringIterator(HttpHeaderNames.CONNECTION); values.hasNext();) {
                String value = values.next();
                if (!isPlainConnectionOption(value)) {
                    naming = naming == null ? new ArrayList<>(2) : naming;
                    naming.add(value);
                }
            }
        }
        if (naming != null) {
            for (String value : naming) {
                for (String token : value.split(",")) {
                    String name = token.trim();
                    if (!name.isEmpty()) {
                        headers.remove(name);
                    }
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
