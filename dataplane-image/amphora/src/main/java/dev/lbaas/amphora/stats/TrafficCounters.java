package dev.lbaas.amphora.stats;

import dev.lbaas.amphora.config.TrafficStats;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Live traffic counters of one listener, pool or member. Event loops add to them concurrently;
 * adders keep that contention-free, while the active count is exact because connection limits and
 * least-connections balancing decide on it.
 *
 * <p>A member's counters have its pool's as parent: whatever is counted on the member is counted
 * on the pool too, so a pool's figures are the sum of its members' and keep counting up when a
 * member leaves it. The pool also counts on its own the requests none of its members could take.
 *
 * <p>What a count means on each kind of listener (see also docs/metrics.md):
 * <ul>
 *   <li>Listener: bytes on the client connections, client connections admitted, and requests the
 *       amphora failed: its own 4xx and 5xx answers on HTTP, TCP connections it could not connect
 *       to a member, responses cut short.
 *   <li>Member: bytes on the member connections. On TCP a session is a member connection. On HTTP,
 *       where member connections are reused across requests and clients, a session is a request
 *       being served by the member (HAProxy counts its server sessions the same way), so idle
 *       pooled connections do not count as active and least-connections balancing sees the
 *       requests in flight. Errors are split into connection errors (a connect that failed or timed
 *       out) and response errors (no answer in time, an invalid answer, an answer cut short).
 * </ul>
 */
public final class TrafficCounters {

    private final TrafficCounters parent;
    private final LongAdder bytesIn = new LongAdder();
    private final LongAdder bytesOut = new LongAdder();
    private final AtomicLong active = new AtomicLong();
    private final LongAdder total = new LongAdder();
    private final LongAdder requestErrors = new LongAdder();
    private final LongAdder connectErrors = new LongAdder();
    private final LongAdder deniedConnections = new LongAdder();

    /** Counters of a listener or a pool. */
    public TrafficCounters() {
        this(null);
    }

    /** @param parent counts everything this one counts as well (a member's pool), or null */
    public TrafficCounters(TrafficCounters parent) {
        this.parent = parent;
    }

    public void addBytesIn(long bytes) {
        bytesIn.add(bytes);
        if (parent != null) {
            parent.addBytesIn(bytes);
        }
    }

    public void addBytesOut(long bytes) {
        bytesOut.add(bytes);
        if (parent != null) {
            parent.addBytesOut(bytes);
        }
    }

    /** Counts a new session and answers how many are open now, this one included. */
    public long connectionOpened() {
        if (parent != null) {
            parent.connectionOpened();
        }
        total.increment();
        return active.incrementAndGet();
    }

    /**
     * Counts a new connection unless {@code limit} connections are open already. Only listeners
     * have a limit, so this does not go to a parent.
     *
     * @param limit the most connections allowed, -1 for no limit
     * @return how many are open now, this one included, or -1 if the connection is refused
     */
    public long tryOpenConnection(long limit) {
        if (limit < 0) {
            return connectionOpened();
        }
        long open;
        do {
            open = active.get();
            if (open >= limit) {
                return -1;
            }
        } while (!active.compareAndSet(open, open + 1));
        total.increment();
        return open + 1;
    }

    /** Answers how many sessions stay open. */
    public long connectionClosed() {
        if (parent != null) {
            parent.connectionClosed();
        }
        return active.decrementAndGet();
    }

    public long activeConnections() {
        return active.get();
    }

    /** A request failed: the amphora answered it with an error, cut it short, or could not serve it. */
    public void requestFailed() {
        requestErrors.increment();
        if (parent != null) {
            parent.requestFailed();
        }
    }

    /** A connection to a member failed or timed out; counted as a request error too. */
    public void connectFailed() {
        connectErrors.increment();
        if (parent != null) {
            parent.connectFailed();
        }
    }

    /** A client connection was refused (not from an allowed network, or at the connection limit). */
    public void connectionDenied() {
        deniedConnections.increment();
    }

    /** Failed connections to members (connection errors in HAProxy's and Octavia's terms). */
    public long connectErrors() {
        return connectErrors.sum();
    }

    /** Request errors other than failed member connections (response errors, for a member or pool). */
    public long otherRequestErrors() {
        return requestErrors.sum();
    }

    public long deniedConnections() {
        return deniedConnections.sum();
    }

    /** A count that moves whenever traffic does: bytes both ways and sessions opened. */
    public long activity() {
        return bytesIn.sum() + bytesOut.sum() + total.sum();
    }

    /** The counters now; request errors include the failed member connections. */
    public TrafficStats snapshot() {
        return new TrafficStats(bytesIn.sum(), bytesOut.sum(), active.get(), total.sum(),
                requestErrors.sum() + connectErrors.sum());
    }
}
