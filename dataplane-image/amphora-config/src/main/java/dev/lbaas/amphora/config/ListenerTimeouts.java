package dev.lbaas.amphora.config;

/**
 * Octavia's four listener timeouts, in milliseconds.
 *
 * @param clientDataMillis idle time allowed on the client side
 * @param memberConnectMillis time allowed to connect to a member
 * @param memberDataMillis idle time allowed on the member side
 * @param tcpInspectMillis time to wait for content inspection (0: none)
 */
public record ListenerTimeouts(long clientDataMillis, long memberConnectMillis, long memberDataMillis,
        long tcpInspectMillis) {

    /** Octavia's defaults: 50 s, 5 s, 50 s, 0. */
    public static final ListenerTimeouts DEFAULTS = new ListenerTimeouts(50_000, 5_000, 50_000, 0);

    public ListenerTimeouts {
        Validation.requireRange(clientDataMillis, 1, 86_400_000, "timeouts.clientDataMillis");
        Validation.requireRange(memberConnectMillis, 1, 86_400_000, "timeouts.memberConnectMillis");
        Validation.requireRange(memberDataMillis, 1, 86_400_000, "timeouts.memberDataMillis");
        Validation.requireRange(tcpInspectMillis, 0, 86_400_000, "timeouts.tcpInspectMillis");
    }
}
