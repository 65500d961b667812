package dev.lbaas.amphora.balancing;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Nginx's smooth weighted round robin. Rather than running the algorithm under a lock on every
 * pick, one full cycle of its choices is computed whenever the eligible members change, and event
 * loops walk that cycle with a shared atomic counter. Weights 5, 1, 1 give a a b a c a a rather
 * than a a a a a b c.
 */
final class SmoothWeightedRoundRobin implements MemberPicker {

    private record Schedule(List<PoolMember> members, PoolMember[] cycle) {
    }

    private final EligibleMembers eligible;
    private final AtomicReference<Schedule> schedule = new AtomicReference<>(new Schedule(List.of(), new PoolMember[0]));
    private final AtomicLong position = new AtomicLong();

    SmoothWeightedRoundRobin(EligibleMembers eligible) {
        this.eligible = eligible;
    }

    @Override
    public PoolMember pick(InetSocketAddress client) {
        List<PoolMember> members = eligible.current();
        Schedule current = schedule.get();
        if (current.members() != members) {
            current = new Schedule(members, cycle(members));
            schedule.set(current);
        }
        PoolMember[] cycle = current.cycle();
        if (cycle.length == 0) {
            return null;
        }
        return cycle[(int) Math.floorMod(position.getAndIncrement(), (long) cycle.length)];
    }

    /** One cycle of nginx's algorithm: add each weight to its current value, take the largest, subtract the total. */
    static PoolMember[] cycle(List<PoolMember> members) {
        int divisor = 0;
        for (PoolMember member : members) {
            divisor = gcd(divisor, member.weight());
        }
        int size = members.size();
        int[] weights = new int[size];
        int total = 0;
        for (int i = 0; i < size; i++) {
            weights[i] = members.get(i).weight() / divisor;
            total += weights[i];
        }
        int[] current = new int[size];
        PoolMember[] cycle = new PoolMember[total];
        for (int step = 0; step < total; step++) {
            int best = 0;
            for (int i = 0; i < size; i++) {
                current[i] += weights[i];
                if (current[i] > current[best]) {
                    best = i;
                }
            }
            current[best] -= total;
            cycle[step] = members.get(best);
        }
        return cycle;
    }

    private static int gcd(int a, int b) {
        return b == 0 ? a : gcd(b, a % b);
    }
}
