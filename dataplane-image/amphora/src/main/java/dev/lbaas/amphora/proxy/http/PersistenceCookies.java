package dev.lbaas.amphora.proxy.http;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.cookie.ClientCookieDecoder;
import io.netty.handler.codec.http.cookie.Cookie;
import io.netty.handler.codec.http.cookie.DefaultCookie;
import io.netty.handler.codec.http.cookie.ServerCookieEncoder;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/** The cookies of session persistence, read from requests and written to or read from responses. */
final class PersistenceCookies {

    private PersistenceCookies() {
    }

    /**
     * The value of the cookie {@code name} in the request's Cookie headers, or null.
     *
     * @param strip whether to remove that cookie from the request: the amphora's own cookie is
     *     none of the member's business (HAProxy's "indirect" mode); other cookies are left
     *     exactly as the client wrote them
     */
    static String find(HttpHeaders request, String name, boolean strip) {
        List<String> headers = request.getAll(HttpHeaderNames.COOKIE);
        if (headers.isEmpty()) {
            return null;
        }
        String found = null;
        List<String> rewritten = strip ? new ArrayList<>(headers.size()) : null;
        for (String header : headers) {
            StringBuilder kept = strip ? new StringBuilder(header.length()) : null;
            for (String pair : header.split(";")) {
                int equals = pair.indexOf('=');
                String cookieName = (equals < 0 ? pair : pair.substring(0, equals)).trim();
                if (cookieName.equals(name)) {
                    if (found == null && equals >= 0) {
                        found = unquote(pair.substring(equals + 1).trim());
                    }
                    continue;
                }
                if (strip && !pair.isBlank()) {
                    kept.append(kept.isEmpty() ? pair.stripLeading() : ";" + pair);
                }
            }
            if (strip && !kept.isEmpty()) {
                rewritten.add(kept.toString());
            }
        }
        if (strip && found != null) {
            request.remove(HttpHeaderNames.COOKIE);
            rewritten.forEach(header -> request.add(HttpHeaderNames.COOKIE, header));
        }
        return found;
    }

    /**
     * Adds the cookie that binds the client to {@code memberId}: a session cookie for the whole
     * site, kept from scripts, and the response made private so that no shared cache hands it to
     * another client (HAProxy's "nocache").
     */
    static void insert(HttpHeaders response, String name, String memberId) {
        DefaultCookie cookie = new DefaultCookie(name, memberId);
        cookie.setPath("/");
        cookie.setHttpOnly(true);
        response.add(HttpHeaderNames.SET_COOKIE, ServerCookieEncoder.STRICT.encode(cookie));
        if (!response.contains(HttpHeaderNames.CACHE_CONTROL)) {
            response.set(HttpHeaderNames.CACHE_CONTROL, "private");
        }
    }

    /** Tells {@code values} the value of every Set-Cookie of {@code name} in the response. */
    static void setCookies(HttpHeaders response, String name, Consumer<String> values) {
        for (String header : response.getAll(HttpHeaderNames.SET_COOKIE)) {
            Cookie cookie = ClientCookieDecoder.LAX.decode(header);
            if (cookie != null && cookie.name().equals(name)) {
                values.accept(cookie.value());
            }
        }
    }

    private static String unquote(String value) {
        return value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")
                ? value.substring(1, value.length() - 1)
                : value;
    }
}
