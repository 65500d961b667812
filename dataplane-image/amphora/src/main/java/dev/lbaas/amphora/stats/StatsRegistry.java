package dev.lbaas.amphora.stats;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * Counters by listener and member id. They outlive configuration generations, so a listener or
 * member that stays across a change keeps counting where it was.
 */
public final class StatsRegistry {

    private final ConcurrentMap<String, TrafficCounters> listeners = new ConcurrentHashMap<>();
    private final ConcurrentMap<String, TrafficCounters> members = new ConcurrentHashMap<>();

    public TrafficCounters listener(String listenerId) {
        return listeners.computeIfAbsent(listenerId, id -> new TrafficCounters());
    }

    public TrafficCounters member(String memberId) {
        return members.computeIfAbsent(memberId, id -> new TrafficCounters());
    }

    /**
     * Forgets listeners and members no longer configured. Connections that still run on them keep
     * their counter objects; only the report no longer shows them.
     */
    public void retain(Set<String> listenerIds, Set<String> memberIds) {
        listeners.keySet().retainAll(listenerIds);
        members.keySet().retainAll(memberIds);
    }
}
