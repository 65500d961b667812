package dev.lbaas.amphora.balancing;

import dev.lbaas.amphora.config.PoolConfig;
import dev.lbaas.amphora.stats.TrafficCounters;
import java.net.InetSocketAddress;
import java.util.List;

/**
 * A pool as one configuration generation serves it.
 *
 * @param members every configured member, eligible or not, for status reports
 * @param counters the pool's traffic, shared by every generation; its members count into it
 */
public record Pool(PoolConfig config, List<PoolMember> members, MemberPicker picker, TrafficCounters counters) {

    public Pool {
        members = List.copyOf(members);
    }

    /** The member for a new connection from {@code client}, or null when none may take it. */
    public PoolMember pick(InetSocketAddress client) {
        return config.adminStateUp() ? picker.pick(client) : null;
    }
}
