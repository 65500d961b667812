package dev.lbaas.amphora.config;

/** A member's health as the amphora sees it; the operator maps it to Octavia's operating status. */
public enum MemberHealth {
    /** The pool has no (enabled) health monitor: the member is taken as up. */
    NO_MONITOR,
    /** Monitored, but no check has finished yet; the member takes traffic meanwhile. */
    CHECKING,
    /** The checks pass (maxRetries successes since it was last down). */
    UP,
    /** The checks fail (maxRetriesDown failures since it was last up); it takes no traffic. */
    DOWN
}
