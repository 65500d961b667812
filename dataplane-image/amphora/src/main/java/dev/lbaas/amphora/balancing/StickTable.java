package dev.lbaas.amphora.balancing;

import java.util.Comparator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;

/**
 * A session persistence table: which member a key (a client's address, an application's session
 * cookie) is bound to. Shared by every event loop and lock-free on lookups; it outlives
 * configuration generations, so a reload does not move anyone.
 *
 * <p>Bounded like HAProxy's stick tables: when it holds more than {@code capacity} entries the
 * least recently used tenth is dropped. Entries unused for longer than the idle timeout (if any)
 * are dropped when met, and swept from time to time.
 */
final class StickTable {

    /** Octavia's default HAProxy stick table size. */
    static final int DEFAULT_CAPACITY = 10_000;

    private static final int SWEEP_EVERY_PUTS = 1024;

    private static final class Entry {
        final String memberId;
        volatile long lastUsedNanos;

        Entry(String memberId, long now) {
            this.memberId = memberId;
            this.lastUsedNanos = now;
        }
    }

    private final Map<String, Entry> entries = new ConcurrentHashMap<>();
    private final int capacity;
    private final long idleTimeoutNanos;
    private final LongSupplier nanoClock;
    private final AtomicInteger putsSinceSweep = new AtomicInteger();
    private final AtomicBoolean sweeping = new AtomicBoolean();

    /**
     * @param idleTimeoutMillis how long an unused entry lives; 0 keeps entries until the table is full
     */
    StickTable(int capacity, long idleTimeoutMillis, LongSupplier nanoClock) {
        this.capacity = capacity;
        this.idleTimeoutNanos = idleTimeoutMillis * 1_000_000L;
        this.nanoClock = nanoClock;
    }

    /** The member id bound to {@code key}, or null; a hit counts as a use. */
    String get(String key) {
        Entry entry = entries.get(key);
        if (entry == null) {
            return null;
        }
        long now = nanoClock.getAsLong();
        if (expired(entry, now)) {
            entries.remove(key, entry);
            return null;
        }
        entry.lastUsedNanos = now;
        return entry.memberId;
    }

    /** Binds {@code key} to the member, replacing any earlier binding. */
    void put(String key, String memberId) {
        long now = nanoClock.getAsLong();
        Entry previous = entries.get(key);
        if (previous != null && previous.memberId.equals(memberId)) {
            previous.lastUsedNanos = now;
            return;
        }
        entries.put(key, new Entry(memberId, now));
        if (entries.size() > capacity || putsSinceSweep.incrementAndGet() >= SWEEP_EVERY_PUTS) {
            sweep(now);
        }
    }

    int size() {
        return entries.size();
    }

    private boolean expired(Entry entry, long now) {
        return idleTimeoutNanos > 0 && now - entry.lastUsedNanos > idleTimeoutNanos;
    }

    /**
     * Drops expired entries and, while over capacity, the least recently used ones. One event loop
     * sweeps at a time; the others go on rather than wait for it.
     */
    private void sweep(long now) {
        if (!sweeping.compareAndSet(false, true)) {
            return;
        }
        try {
            sweepNow(now);
        } finally {
            sweeping.set(false);
        }
    }

    private void sweepNow(long now) {
        putsSinceSweep.set(0);
        entries.values().removeIf(entry -> expired(entry, now));
        int excess = entries.size() - capacity;
        if (excess > 0) {
            int drop = excess + capacity / 10;
            entries.entrySet().stream()
                    .sorted(Comparator.comparingLong(e -> e.getValue().lastUsedNanos))
                    .limit(drop)
                    .toList()
                    .forEach(e -> entries.remove(e.getKey(), e.getValue()));
        }
    }
}
