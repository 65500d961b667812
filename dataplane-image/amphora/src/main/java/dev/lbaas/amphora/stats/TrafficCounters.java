package dev.lbaas.amphora.stats;

import dev.lbaas.amphora.config.TrafficStats;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Live traffic counters of one listener or member. Event loops add to them concurrently; adders
 * keep that contention-free, while the active count is exact because connection limits and
 * least-connections balancing decide on it.
 */
public final class TrafficCounters {

    private final LongAdder bytesIn = new LongAdder();
    private final LongAdder bytesOut = new LongAdder();
    private final AtomicLong active = new AtomicLong();
    private final LongAdder total = new LongAdder();
    private final LongAdder requestErrors = new LongAdder();

    public void addBytesIn(long bytes) {
        bytesIn.add(bytes);
    }

    public void addBytesOut(long bytes) {
        bytesOut.add(bytes);
    }

    /** Counts a new connection and answers how many are open now, this one included. */
    public long connectionOpened() {
        total.increment();
        return active.incrementAndGet();
    }

    /**
     * Counts a new connection unless {@code limit} connections are open already.
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

    /** Answers how many connections stay open. */
    public long connectionClosed() {
        return active.decrementAndGet();
    }

    public long activeConnections() {
        return active.get();
    }

    public void requestFailed() {
        requestErrors.increment();
    }

    public TrafficStats snapshot() {
        return new TrafficStats(bytesIn.sum(), bytesOut.sum(), active.get(), total.sum(), requestErrors.sum());
    }
}
