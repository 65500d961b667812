package dev.lbaas.amphora.health;

import dev.lbaas.amphora.config.MemberHealth;

/**
 * A member's live health, read by the pickers and the status report, and told by the proxy when
 * the member fails a connection (passive detection). Thread-safe: any event loop may call it.
 */
@FunctionalInterface
public interface MemberHealthTracker {

    /** The health reported to the operator. */
    MemberHealth health();

    /** Whether health allows new connections; every state but DOWN does. */
    default boolean takesTraffic() {
        return health() != MemberHealth.DOWN;
    }

    /**
     * A connection to the member's traffic port could not be opened (refused, timed out,
     * unreachable). Trackers that observe traffic take the member out of rotation before this
     * returns, so that the proxy's next pick already avoids it.
     */
    default void connectionFailed() {
    }
}
