package dev.lbaas.amphora.config;

/**
 * Octavia's four listener timeouts, and the deadline for a request's headers, in milliseconds.
 *
 * @param clientDataMillis idle time allowed on the client side
 * @param memberConnectMillis time allowed to connect to a member
 * @param memberDataMillis idle time allowed on the member side
 * @param tcpInspectMillis time to wait for content inspection (0: none)
 * @param httpRequestMillis time allowed for a request's headers to arrive whole, from the start of
 *     the connection for its first request and from the first byte of each later one (HTTP
 *     listeners)
 */
public record ListenerTimeouts(long clientDataMillis, long memberConnectMillis, long memberDataMillis,
        long tcpInspectMillis, long httpRequestMillis) {

    /** The default deadline for a request's headers, HAProxy's usual {@code timeout http-request}. */
    public static final long DEFAULT_HTTP_REQUEST_MILLIS = 10_000;

    /** Octavia's defaults: 50 s, 5 s, 50 s, 0; and 10 s for a request's headers. */
    public static final ListenerTimeouts DEFAULTS = new ListenerTimeouts(50_000, 5_000, 50_000, 0,
            DEFAULT_HTTP_REQUEST_MILLIS);

    /** Octavia's longest timeout (MAX_TIMEOUT): 24 days. */
    public static final long MAX_MILLIS = 24L * 86_400_000;

    public ListenerTimeouts {
        Validation.requireRange(clientDataMillis, 1, MAX_MILLIS, "timeouts.clientDataMillis");
        Validation.requireRange(memberConnectMillis, 1, MAX_MILLIS, "timeouts.memberConnectMillis");
        Validation.requireRange(memberDataMillis, 1, MAX_MILLIS, "timeouts.memberDataMillis");
        Validation.requireRange(tcpInspectMillis, 0, MAX_MILLIS, "timeouts.tcpInspectMillis");
        Validation.requireRange(httpRequestMillis, 1, MAX_MILLIS, "timeouts.httpRequestMillis");
    }

    /** Octavia's four, with the default deadline for a request's headers. */
    public ListenerTimeouts(long clientDataMillis, long memberConnectMillis, long memberDataMillis,
            long tcpInspectMillis) {
        this(clientDataMillis, memberConnectMillis, memberDataMillis, tcpInspectMillis, DEFAULT_HTTP_REQUEST_MILLIS);
    }
}
