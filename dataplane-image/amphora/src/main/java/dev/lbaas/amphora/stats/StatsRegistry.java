package dev.lbaas.amphora.stats;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * Counters by listener, pool and member id. They outlive configuration generations, so an object
 * that stays across a change keeps counting where it was.
 */
public final class StatsRegistry {

    /** A member is counted within its pool: the pool's counters are its parent. */
    public record MemberKey(String poolId, String memberId) {
    }

    private final ConcurrentMap<String, TrafficCounters> listeners = new ConcurrentHashMap<>();
    private final ConcurrentMap<String, TrafficCounters> pools = new ConcurrentHashMap<>();
    private final ConcurrentMap<MemberKey, TrafficCounters> members = new ConcurrentHashMap<>();

    /** The {@link TrafficCounters#activity()} of all listeners: it moves while any traffic flows. */
    public long listenerActivity() {
        long sum = 0;
        for (TrafficCounters listener : listeners.values()) {
            sum += listener.activity();
        }
        return sum;
    }

    public TrafficCounters listener(String listenerId) {
        return listeners.computeIfAbsent(listenerId, id -> new TrafficCounters());
    }

    public TrafficCounters pool(String poolId) {
        return pools.computeIfAbsent(poolId, id -> new TrafficCounters());
    }

    public TrafficCounters member(String poolId, String memberId) {
        TrafficCounters pool = pool(poolId);
        return members.computeIfAbsent(new MemberKey(poolId, memberId), key -> new TrafficCounters(pool));
    }

    /**
     * Forgets the objects no longer configured. Connections that still run on them keep their
     * counter objects; only the reports no longer show them.
     */
    public void retain(Set<String> listenerIds, Set<String> poolIds, Set<MemberKey> memberKeys) {
        listeners.keySet().retainAll(listenerIds);
        pools.keySet().retainAll(poolIds);
        members.keySet().retainAll(memberKeys);
    }
}
