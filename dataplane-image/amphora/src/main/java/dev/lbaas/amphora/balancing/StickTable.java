package dev.lbaas.amphora.balancing;

import java.util.Comparator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;
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
        /** When the binding was last told to the pair's standby (System.nanoTime). */
        volatile long publishedNanos;

        Entry(String memberId, long now) {
            this.memberId = memberId;
            this.lastUsedNanos = now;
            this.publishedNanos = now;
        }
    }

    /** Told of every new binding, and of bindings in use again, for the pair's standby. */
    interface Listener {
        Listener NONE = (key, memberId) -> { };

        void bound(String key, String memberId);
    }

    private final Map<String, Entry> entries = new ConcurrentHashMap<>();
    private final int capacity;
    private final long idleTimeoutNanos;
    private final LongSupplier nanoClock;
    private final AtomicInteger putsSinceSweep = new AtomicInteger();
    private final AtomicBoolean sweeping = new AtomicBoolean();
    /**
     * How often a binding in use is told again, so that the standby's copy does not expire while
     * clients still use it: half the idle timeout; never without one.
     */
    private final long republishNanos;
    private final Listener listener;

    /**
     * @param idleTimeoutMillis how long an unused entry lives; 0 keeps entries until the table is full
     */
    StickTable(int capacity, long idleTimeoutMillis, LongSupplier nanoClock) {
        this(capacity, idleTimeoutMillis, nanoClock, Listener.NONE);
    }

    StickTable(int capacity, long idleTimeoutMillis, LongSupplier nanoClock, Listener listener) {
        this.capacity = capacity;
        this.idleTimeoutNanos = idleTimeoutMillis * 1_000_000L;
        this.republishNanos = idleTimeoutNanos > 0 ? idleTimeoutNanos / 2 : Long.MAX_VALUE;
        this.nanoClock = nanoClock;
        this.listener = listener;
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
        if (now - entry.publishedNanos > republishNanos) {
            entry.publishedNanos = now;
            listener.bound(key, entry.memberId);
        }
        return entry.memberId;
    }

    /** Binds {@code key} to the member, replacing any earlier binding. */
    void put(String key, String memberId) {
        if (store(key, memberId)) {
            listener.bound(key, memberId);
        }
    }

    /**
     * Binds {@code key} to the member as the pair's master told, without telling anyone: the
     * binding of a standby, which takes over with the master's clients where they were.
     */
    void restore(String key, String memberId) {
        store(key, memberId);
    }

    /** Every binding in force, for a standby that has just connected. */
    void forEach(BiConsumer<String, String> action) {
        long now = nanoClock.getAsLong();
        entries.forEach((key, entry) -> {
            if (!expired(entry, now)) {
                action.accept(key, entry.memberId);
            }
        });
    }

    /** True when the binding is new or moved to another member. */
    private boolean store(String key, String memberId) {
        long now = nanoClock.getAsLong();
        Entry previous = entries.get(key);
        if (previous != null && previous.memberId.equals(memberId)) {
            previous.lastUsedNanos = now;
            return false;
        }
        entries.put(key, new Entry(memberId, now));
        if (entries.size() > capacity || putsSinceSweep.incrementAndGet() >= SWEEP_EVERY_PUTS) {
            sweep(now);
        }
        return true;
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
