package dev.lbaas.amphora.balancing;

import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongSupplier;

/**
 * The members that may take new connections right now: the eligible non-backup members, or, when
 * there is none, the eligible backup members. The list is recomputed only when the amphora's
 * health version moves, and keeps its identity while its content stays the same, so pickers can
 * cache what they derive from it.
 */
final class EligibleMembers {

    private record Snapshot(long healthVersion, List<PoolMember> members) {
    }

    private final List<PoolMember> all;
    private final LongSupplier healthVersion;
    private final AtomicReference<Snapshot> snapshot;

    EligibleMembers(List<PoolMember> all, LongSupplier healthVersion) {
        this.all = List.copyOf(all);
        this.healthVersion = healthVersion;
        this.snapshot = new AtomicReference<>(new Snapshot(Long.MIN_VALUE, List.of()));
    }

    List<PoolMember> current() {
        Snapshot seen = snapshot.get();
        long version = healthVersion.getAsLong();
        if (seen.healthVersion() == version) {
            return seen.members();
        }
        List<PoolMember> fresh = compute(all);
        Snapshot next = new Snapshot(version, fresh.equals(seen.members()) ? seen.members() : fresh);
        // Losing this race only means another event loop stored an equally fresh snapshot.
        snapshot.compareAndSet(seen, next);
        return next.members();
    }

    static List<PoolMember> compute(List<PoolMember> members) {
        List<PoolMember> primaries = members.stream().filter(m -> !m.backup() && m.takesNewConnections()).toList();
        if (!primaries.isEmpty()) {
            return primaries;
        }
        return members.stream().filter(m -> m.backup() && m.takesNewConnections()).toList();
    }
}
