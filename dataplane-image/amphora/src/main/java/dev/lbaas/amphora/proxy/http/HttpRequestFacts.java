package dev.lbaas.amphora.proxy.http;

import dev.lbaas.amphora.l7.RequestFacts;
import dev.lbaas.amphora.proxy.tls.ClientCertificate;
import dev.lbaas.amphora.proxy.tls.ClientTls;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;

/**
 * What L7 rules look at in a request head the amphora admitted ({@link RequestRules}: one valid
 * Host, agreeing with an absolute-form target), and the client certificate of its connection.
 * Each value is worked out when a rule first asks for it.
 */
final class HttpRequestFacts implements RequestFacts {

    private final HttpRequest request;
    private final ClientCertificate certificate;
    private String path;

    /** @param tls the connection's TLS, or null on plain HTTP (no client certificate) */
    HttpRequestFacts(HttpRequest request, ClientTls tls) {
        this.request = request;
        this.certificate = tls == null ? null : tls.certificate();
    }

    @Override
    public String host() {
        String host = request.headers().get(HttpHeaderNames.HOST);
        if (host == null) {
            String target = request.uri();
            int schemeEnd = target.indexOf("://");
            if (schemeEnd < 0) {
                return null;
            }
            host = target.substring(schemeEnd + 3, RequestRules.authorityEnd(target, schemeEnd + 3));
        }
        return withoutPort(host);
    }

    @Override
    public String path() {
        if (path == null) {
            String target = request.uri();
            int start = 0;
            int schemeEnd = target.indexOf("://");
            if (!target.startsWith("/") && schemeEnd >= 0) {
                start = RequestRules.authorityEnd(target, schemeEnd + 3);
            }
            int end = start;
            while (end < target.length() && target.charAt(end) != '?' && target.charAt(end) != '#') {
                end++;
            }
            path = start == end && start > 0 ? "/" : target.substring(start, end);
        }
        return path;
    }

    /** The request target as origin-form: its path and query, for a prefix redirect to append. */
    String pathAndQuery() {
        String target = request.uri();
        int schemeEnd = target.indexOf("://");
        if (target.startsWith("/") || schemeEnd < 0) {
            return target;
        }
        int start = RequestRules.authorityEnd(target, schemeEnd + 3);
        int fragment = target.indexOf('#', start);
        String rest = target.substring(start, fragment < 0 ? target.length() : fragment);
        return rest.startsWith("/") ? rest : "/" + rest;
    }

    @Override
    public String header(String name) {
        return request.headers().get(name);
    }

    @Override
    public String cookie(String name) {
        return PersistenceCookies.find(request.headers(), name, false);
    }

    @Override
    public boolean clientCertificate() {
        return certificate != null;
    }

    /** 0: a certificate the listener's CA does not accept fails the handshake, so none gets here. */
    @Override
    public int verifyResult() {
        return 0;
    }

    @Override
    public String subjectField(String field) {
        return certificate == null ? null : certificate.subjectField(field);
    }

    /** A host[:port] without its port; an IPv6 literal keeps its brackets. */
    private static String withoutPort(String authority) {
        int colon = authority.lastIndexOf(':');
        return colon < 0 || authority.indexOf(']', colon) >= 0 ? authority : authority.substring(0, colon);
    }
}
