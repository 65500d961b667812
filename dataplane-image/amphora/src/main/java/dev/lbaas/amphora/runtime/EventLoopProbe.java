package dev.lbaas.amphora.runtime;

import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.EventExecutorGroup;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Whether every event loop of the data plane still runs its tasks: each time it is asked, it
 * gives every loop a no-op task and answers false if one has left an earlier task waiting longer
 * than the bound. A loop stuck in a handler that blocks, or spinning, serves none of its
 * connections: a master in that state should give its VIP up, as keepalived's check script makes
 * Octavia's do when HAProxy stops answering. Never blocks, so it may be asked from an event loop.
 */
final class EventLoopProbe {

    /**
     * Longer than any pause a healthy loop makes (a collection, a burst of connections): the pair's
     * peer would mistake a short pause of the whole process for death anyway.
     */
    static final long DEFAULT_BOUND_MILLIS = 1_000;

    private final EventExecutorGroup group;
    private final long boundNanos;
    private final LongSupplier nanoClock;
    /** When the probe now waiting on each loop was given to it. */
    private final Map<EventExecutor, Long> waitingSince = new ConcurrentHashMap<>();

    EventLoopProbe(EventExecutorGroup group, long boundMillis, LongSupplier nanoClock) {
        this.group = group;
        this.boundNanos = TimeUnit.MILLISECONDS.toNanos(boundMillis);
        this.nanoClock = nanoClock;
    }

    /** False when a loop has not run a probe given to it more than the bound ago. */
    boolean everyLoopAnswers() {
        long now = nanoClock.getAsLong();
        boolean answering = true;
        for (EventExecutor loop : group) {
            Long since = waitingSince.get(loop);
            if (since == null) {
                waitingSince.put(loop, now);
                loop.execute(() -> waitingSince.remove(loop));
            } else if (now - since > boundNanos) {
                answering = false;
            }
        }
        return answering;
    }
}
