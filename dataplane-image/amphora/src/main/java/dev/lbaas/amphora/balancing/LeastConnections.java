package dev.lbaas.amphora.balancing;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Weighted least connections: the member with the fewest active connections per unit of weight.
 * Ties are broken by a rotating start so that equally loaded members share new connections.
 */
final class LeastConnections implements MemberPicker {

    private final EligibleMembers eligible;
    private final AtomicLong rotation = new AtomicLong();

    LeastConnections(EligibleMembers eligible) {
        this.eligible = eligible;
    }

    @Override
    public PoolMember pick(InetSocketAddress client) {
        List<PoolMember> members = eligible.current();
        int size = members.size();
        if (size == 0) {
            return null;
        }
        int start = (int) Math.floorMod(rotation.getAndIncrement(), (long) size);
        PoolMember best = null;
        long bestActive = 0;
        for (int i = 0; i < size; i++) {
            PoolMember candidate = members.get((start + i) % size);
            long active = candidate.counters().activeConnections();
            // active / weight < bestActive / bestWeight, without division
            if (best == null || active * best.weight() < bestActive * candidate.weight()) {
                best = candidate;
                bestActive = active;
            }
        }
        return best;
    }
}
