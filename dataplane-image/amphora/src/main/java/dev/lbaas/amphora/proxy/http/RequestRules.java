package dev.lbaas.amphora.proxy.http;

import dev.lbaas.amphora.proxy.http.codec.ClientHttpCodec;
import io.netty.handler.codec.PrematureChannelClosureException;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.util.AsciiString;
import java.util.List;

/**
 * What a request must be to reach a member, beyond what Netty's decoder already refuses (framing
 * conflicts, bad line endings, bad field syntax): the rules that keep the amphora and every member
 * reading the same requests from the same bytes (docs/http-request-rules.md lists them all, with
 * HAProxy's answers to the same bytes). A request that breaks one is answered with the
 * {@link Refusal} and its connection closed; nothing of it reaches a member.
 */
final class RequestRules {

    /** Why a request is not forwarded: the status it is answered with and a reason for its sender. */
    record Refusal(HttpResponseStatus status, String reason) {
    }

    /** A request's body stopped arriving: the listener's clientData timeout passed. */
    static final Refusal BODY_TIMEOUT = new Refusal(HttpResponseStatus.REQUEST_TIMEOUT,
            "the request's body stopped arriving before it was complete");

    private RequestRules() {
    }

    /** The refusal for a request the decoder could not read, from the cause it gave. */
    static Refusal ofUnreadableHead(Throwable cause) {
        if (cause instanceof TooLongHttpHeaderException) {
            return new Refusal(HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE, "the header section is too large");
        }
        if (cause instanceof TooLongHttpLineException) {
            return new Refusal(HttpResponseStatus.REQUEST_URI_TOO_LONG, "the request line is too long");
        }
        if (cause instanceof TooLongFrameException) {
            return new Refusal(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, "the request is too large");
        }
        if (cause instanceof ClientHttpCodec.HeadTimeout || cause instanceof ClientHttpCodec.MalformedRequest) {
            return new Refusal(cause instanceof ClientHttpCodec.HeadTimeout ? HttpResponseStatus.REQUEST_TIMEOUT
                    : HttpResponseStatus.BAD_REQUEST, cause.getMessage());
        }
        if (cause instanceof PrematureChannelClosureException) {
            return new Refusal(HttpResponseStatus.BAD_REQUEST, "the connection ended inside the request's headers");
        }
        return new Refusal(HttpResponseStatus.BAD_REQUEST, "malformed request");
    }

    /** The refusal for a body the decoder could not read (bad chunk syntax, or cut short). */
    static Refusal ofUnreadableBody(Throwable cause) {
        if (cause instanceof PrematureChannelClosureException) {
            return new Refusal(HttpResponseStatus.BAD_REQUEST, "the connection ended inside the request's body");
        }
        if (cause instanceof ClientHttpCodec.MalformedRequest) {
            return new Refusal(HttpResponseStatus.BAD_REQUEST, "malformed chunked body: " + cause.getMessage());
        }
        return new Refusal(HttpResponseStatus.BAD_REQUEST, "malformed chunked body");
    }

    /** The refusal for a decoded request head, or null when it may be forwarded. */
    static Refusal check(HttpRequest request) {
        HttpVersion version = request.protocolVersion();
        if (version.majorVersion() != 1 || version.minorVersion() > 1) {
            return new Refusal(HttpResponseStatus.HTTP_VERSION_NOT_SUPPORTED, "only HTTP/1.0 and HTTP/1.1 are served");
        }
        if (HttpMethod.CONNECT.equals(request.method())) {
            // A member's tunnel would outlive the request on a pooled connection.
            return new Refusal(HttpResponseStatus.NOT_IMPLEMENTED, "CONNECT is not served");
        }
        if (request.method().name().equals("PRI")) {
            // the start of HTTP/2's connection preface (RFC 9113, 3.4), which parsers treat apart
            return new Refusal(HttpResponseStatus.BAD_REQUEST, "PRI begins HTTP/2's connection preface, not a request");
        }
        HttpHeaders headers = request.headers();
        if (headers.size() > ProxyHeaders.MAX_HEADER_FIELDS) {
            return new Refusal(HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE, "too many header fields");
        }
        Refusal connection = checkConnection(headers);
        if (connection != null) {
            return connection;
        }
        Refusal coding = checkTransferEncoding(headers);
        if (coding != null) {
            return coding;
        }
        return checkHostAndTarget(request, headers);
    }

    /**
     * One Transfer-Encoding field, and it says chunked: the amphora decodes the chunks and sends
     * them on chunked anew, so another coding would reach the member undecoded (501, RFC 9112,
     * 6.1). A list, even {@code chunked,} with an empty element that RFC 9110 lets a recipient
     * ignore, is refused: llhttp refuses it, and its lenient mode does not read it as chunked.
     * The member gets the one spelling ({@link ProxyHeaders#normaliseFraming}).
     */
    private static Refusal checkTransferEncoding(HttpHeaders headers) {
        if (!headers.contains(HttpHeaderNames.TRANSFER_ENCODING)) {
            return null;
        }
        List<String> values = headers.getAll(HttpHeaderNames.TRANSFER_ENCODING);
        if (values.size() == 1 && values.get(0).strip().equalsIgnoreCase("chunked")) {
            return null;
        }
        for (String value : values) {
            for (String element : value.split(",", -1)) {
                String coding = element.strip();
                if (!coding.isEmpty() && !coding.equalsIgnoreCase("chunked")) {
                    return new Refusal(HttpResponseStatus.NOT_IMPLEMENTED, "only the chunked transfer coding is served");
                }
            }
        }
        return new Refusal(HttpResponseStatus.BAD_REQUEST, "Transfer-Encoding must be one field that says chunked");
    }

    /** Connection may name hop-by-hop fields only: never framing, nor Host. */
    private static Refusal checkConnection(HttpHeaders headers) {
        if (!headers.contains(HttpHeaderNames.CONNECTION)) {
            return null;
        }
        for (String value : headers.getAll(HttpHeaderNames.CONNECTION)) {
            for (int i = 0; i < ProxyHeaders.END_TO_END.size(); i++) {
                AsciiString named = ProxyHeaders.END_TO_END.get(i);
                if (ProxyHeaders.listsToken(value, named)) {
                    return new Refusal(HttpResponseStatus.BAD_REQUEST,
                            "the Connection header names " + named + ", which must reach the server");
                }
            }
        }
        return null;
    }

    /** RFC 9112, 3.2: one valid Host (HTTP/1.1 requires it), matching an absolute-form target. */
    private static Refusal checkHostAndTarget(HttpRequest request, HttpHeaders headers) {
        int hosts = ProxyHeaders.count(headers, HttpHeaderNames.HOST);
        if (hosts > 1) {
            return new Refusal(HttpResponseStatus.BAD_REQUEST, "more than one Host header field");
        }
        String host = headers.get(HttpHeaderNames.HOST);
        if (host == null && request.protocolVersion().minorVersion() == 1) {
            return new Refusal(HttpResponseStatus.BAD_REQUEST, "an HTTP/1.1 request must have a Host header field");
        }
        if (host != null && !isValidHost(host)) {
            return new Refusal(HttpResponseStatus.BAD_REQUEST, "the Host header field is not a valid host[:port]");
        }
        String target = request.uri();
        for (int i = 0; i < target.length(); i++) {
            char c = target.charAt(i);
            if (c <= ' ' || c >= 0x7f) {
                return new Refusal(HttpResponseStatus.BAD_REQUEST, "the request target has characters a URI cannot have");
            }
        }
        if (target.startsWith("/")) {
            return null;
        }
        if (target.equals("*")) {
            return HttpMethod.OPTIONS.equals(request.method()) ? null
                    : new Refusal(HttpResponseStatus.BAD_REQUEST, "the request target * is for OPTIONS only");
        }
        return checkAbsoluteTarget(target, host);
    }

    private static Refusal checkAbsoluteTarget(String target, String host) {
        int schemeEnd = target.indexOf("://");
        String scheme = schemeEnd < 0 ? "" : target.substring(0, schemeEnd);
        if (!scheme.equalsIgnoreCase("http") && !scheme.equalsIgnoreCase("https")) {
            return new Refusal(HttpResponseStatus.BAD_REQUEST,
                    "the request target must be a path, or an absolute http or https URI");
        }
        int start = schemeEnd + 3;
        String authority = target.substring(start, authorityEnd(target, start));
        if (authority.isEmpty() || authority.indexOf('@') >= 0 || !isValidHost(authority)) {
            return new Refusal(HttpResponseStatus.BAD_REQUEST, "the request target's authority is not a valid host[:port]");
        }
        if (host != null && !sameAuthority(authority, host, scheme.equalsIgnoreCase("https") ? ":443" : ":80")) {
            return new Refusal(HttpResponseStatus.BAD_REQUEST, "the Host header field differs from the request target's host");
        }
        return null;
    }

    /** Where the authority of an absolute-form target that starts at {@code start} ends. */
    static int authorityEnd(String target, int start) {
        int end = start;
        while (end < target.length() && "/?#".indexOf(target.charAt(end)) < 0) {
            end++;
        }
        return end;
    }

    /** Equal ignoring case, and ignoring the scheme's default port on either side. */
    private static boolean sameAuthority(String a, String b, String defaultPort) {
        return withoutPort(a, defaultPort).equalsIgnoreCase(withoutPort(b, defaultPort));
    }

    private static String withoutPort(String authority, String defaultPort) {
        return authority.endsWith(defaultPort) ? authority.substring(0, authority.length() - defaultPort.length())
                : authority;
    }

    /**
     * RFC 3986's {@code host [ ":" port ]}: an IP literal in brackets, or a registered name or
     * IPv4 address of unreserved characters, percent-encodings and sub-delimiters; the port digits.
     * Empty is valid: a target without an authority has an empty Host.
     */
    static boolean isValidHost(String value) {
        int end = value.length();
        int hostEnd;
        if (value.startsWith("[")) {
            hostEnd = value.indexOf(']');
            if (hostEnd < 0) {
                return false;
            }
            for (int i = 1; i < hostEnd; i++) {
                char c = value.charAt(i);
                if (!isHexDigit(c) && c != ':' && c != '.' && !isUnreserved(c) && !isSubDelimiter(c)) {
                    return false;
                }
            }
            hostEnd++;
        } else {
            hostEnd = value.indexOf(':');
            if (hostEnd < 0) {
                hostEnd = end;
            }
            for (int i = 0; i < hostEnd; i++) {
                char c = value.charAt(i);
                if (c == '%') {
                    if (i + 2 >= hostEnd || !isHexDigit(value.charAt(i + 1)) || !isHexDigit(value.charAt(i + 2))) {
                        return false;
                    }
                    i += 2;
                } else if (!isUnreserved(c) && !isSubDelimiter(c)) {
                    return false;
                }
            }
        }
        if (hostEnd == end) {
            return true;
        }
        if (value.charAt(hostEnd) != ':') {
            return false;
        }
        for (int i = hostEnd + 1; i < end; i++) {
            if (value.charAt(i) < '0' || value.charAt(i) > '9') {
                return false;
            }
        }
        return true;
    }

    private static boolean isUnreserved(char c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '.'
                || c == '_' || c == '~';
    }

    private static boolean isSubDelimiter(char c) {
        return "!$&'()*+,;=".indexOf(c) >= 0;
    }

    private static boolean isHexDigit(char c) {
        return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F';
    }
}
