package dev.lbaas.amphora.balancing;

import dev.lbaas.amphora.config.PoolConfig;
import java.net.InetSocketAddress;
import java.util.List;

/**
 * A pool as one configuration generation serves it.
 *
 * @param members every configured member, eligible or not, for status reports
 */
public record Pool(PoolConfig config, List<PoolMember> members, MemberPicker picker) {

    public Pool {
        members = List.copyOf(members);
    }

    /** The member for a new connection from {@code client}, or null when none may take it. */
    public PoolMember pick(InetSocketAddress client) {
        return config.adminStateUp() ? picker.pick(client) : null;
    }
}
