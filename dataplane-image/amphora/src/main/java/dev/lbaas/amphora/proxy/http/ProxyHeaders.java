package dev.lbaas.amphora.proxy.http;

import dev.lbaas.amphora.proxy.http.codec.CompactHttpHeaders;
import dev.lbaas.amphora.proxy.tls.ClientCertificate;
import dev.lbaas.amphora.proxy.tls.ClientTls;
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

    /** Octavia's client certificate headers, which a TERMINATED_HTTPS listener can add too. */
    public static final Set<String> INSERTABLE_WITH_TLS = Set.of("X-SSL-Client-Verify", "X-SSL-Client-Has-Cert",
            "X-SSL-Client-DN", "X-SSL-Client-CN", "X-SSL-Issuer", "X-SSL-Client-SHA1", "X-SSL-Client-Not-Before",
            "X-SSL-Client-Not-After");

    /**
     * The most header fields a request or response may carry: HAProxy's default is 101
     * ({@code tune.http.maxhdr}). Header maps are scanned ({@link CompactHttpHeaders}), and a
     * message of thousands of tiny fields within the size limit would make every lookup long.
     */
    static final int MAX_HEADER_FIELDS = 128;

    /**
     * Connection-specific headers (RFC 9110, 7.6.1). Transfer-Encoding is not among them here: the
     * proxy streams bodies in the framing they came in, and the codecs re-frame as needed. Upgrade
     * is dropped so that members never switch protocols under the proxy.
     */
    private static final List<AsciiString> HOP_BY_HOP = List.of(HttpHeaderNames.CONNECTION,
            HttpHeaderNames.KEEP_ALIVE, HttpHeaderNames.PROXY_CONNECTION, HttpHeaderNames.TE,
            HttpHeaderNames.TRAILER, HttpHeaderNames.UPGRADE);

    /** What frames a message, and whom it is for: never removed on the way, whatever Connection says. */
    static final List<AsciiString> END_TO_END = List.of(HttpHeaderNames.CONTENT_LENGTH,
            HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderNames.HOST);

    private ProxyHeaders() {
    }

    /**
     * Removes the hop-by-hop headers and those the Connection header names, except the framing
     * headers and Host: what frames a message, and whom it is for, is never the sender's to take
     * off on the way (a request whose Connection names them is refused before this, see
     * {@link RequestRules}). Runs for every request and response, so for a plain
     * {@code Connection: keep-alive} or {@code close} it allocates nothing.
     */
    static void removeHopByHop(HttpHeaders headers) {
        if (headers.isEmpty()) {
            return;
        }
        String first = headers.get(HttpHeaderNames.CONNECTION);
        if (first != null && !(isPlainConnectionOption(first) && count(headers, HttpHeaderNames.CONNECTION) == 1)) {
            removeNamedByConnection(headers);
        }
        for (int i = 0; i < HOP_BY_HOP.size(); i++) {
            headers.remove(HOP_BY_HOP.get(i));
        }
    }

    private static void removeNamedByConnection(HttpHeaders headers) {
        // a copy of the values, so that removing the headers they name does not disturb the loop
        List<String> connection = headers.getAll(HttpHeaderNames.CONNECTION);
        for (int i = 0; i < connection.size(); i++) {
            String value = connection.get(i);
            if (isPlainConnectionOption(value)) {
                continue;
            }
            for (String token : value.split(",")) {
                String name = token.trim();
                if (!name.isEmpty() && !isEndToEnd(name)) {
                    headers.remove(name);
                }
            }
        }
    }

    private static boolean isEndToEnd(String name) {
        for (int i = 0; i < END_TO_END.size(); i++) {
            if (END_TO_END.get(i).contentEqualsIgnoreCase(name)) {
                return true;
            }
        }
        return false;
    }

    /** Whether the comma-separated {@code value} has {@code token} among its elements, ignoring case and spaces. */
    static boolean listsToken(String value, AsciiString token) {
        int start = 0;
        while (start <= value.length()) {
            int comma = value.indexOf(',', start);
            int end = comma < 0 ? value.length() : comma;
            int from = start;
            while (from < end && (value.charAt(from) == ' ' || value.charAt(from) == '\t')) {
                from++;
            }
            int to = end;
            while (to > from && (value.charAt(to - 1) == ' ' || value.charAt(to - 1) == '\t')) {
                to--;
            }
            if (to - from == token.length() && token.regionMatches(true, 0, value, from, to - from)) {
                return true;
            }
            start = end + 1;
        }
        return false;
    }

    /**
     * Gives a chunked request the one spelling of its framing, {@code Transfer-Encoding: chunked},
     * whatever case and spaces it came in ({@link RequestRules} has checked that it is one field
     * that says chunked).
     */
    static void normaliseFraming(HttpMessage message) {
        HttpHeaders headers = message.headers();
        String coding = headers.get(HttpHeaderNames.TRANSFER_ENCODING);
        if (coding != null && !HttpHeaderValues.CHUNKED.contentEquals(coding)) {
            headers.set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
        }
    }

    /** How many fields are named {@code name}; without a list of their values for the decoders' headers. */
    static int count(HttpHeaders headers, CharSequence name) {
        return headers instanceof CompactHttpHeaders compact ? compact.count(name) : headers.getAll(name).size();
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

    /**
     * Adds the listener's insert headers to a request.
     *
     * @param tls the client connection's TLS, or null on plain HTTP
     */
    static void insert(HttpHeaders headers, List<String> names, InetSocketAddress client, InetSocketAddress local,
            ClientTls tls) {
        if (names.isEmpty()) {
            return;
        }
        String clientIp = client.getAddress().getHostAddress();
        for (String name : names) {
            switch (name) {
                case "X-Forwarded-For" -> headers.add(name, clientIp);
                case "X-Forwarded-Port" -> headers.set(name, local.getPort());
                case "X-Forwarded-Proto" -> headers.set(name, tls == null ? "http" : "https");
                case "X-Real-IP" -> headers.set(name, clientIp);
                default -> insertCertificateHeader(headers, name, tls);
            }
        }
    }

    /**
     * One of Octavia's X-SSL-* headers, set whatever the client sent under that name (so that no
     * client can claim a certificate it did not present); the certificate's own fields only when
     * it presented one.
     */
    private static void insertCertificateHeader(HttpHeaders headers, String name, ClientTls tls) {
        if (tls == null || !INSERTABLE_WITH_TLS.contains(name)) {
            throw new IllegalStateException("insert header " + name + " passed validation");
        }
        headers.remove(name);
        ClientCertificate certificate = tls.certificate();
        switch (name) {
            case "X-SSL-Client-Verify" -> headers.set(name, "0");
            case "X-SSL-Client-Has-Cert" -> headers.set(name, certificate == null ? "0" : "1");
            default -> {
                if (certificate == null) {
                    return;
                }
                headers.set(name, switch (name) {
                    case "X-SSL-Client-DN" -> certificate.subject();
                    case "X-SSL-Client-CN" -> java.util.Objects.requireNonNullElse(certificate.commonName(), "");
                    case "X-SSL-Issuer" -> certificate.issuer();
                    case "X-SSL-Client-SHA1" -> certificate.sha1();
                    case "X-SSL-Client-Not-Before" -> certificate.notBefore();
                    default -> certificate.notAfter();
                });
            }
        }
    }
}
