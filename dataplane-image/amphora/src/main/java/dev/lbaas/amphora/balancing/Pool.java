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
 * @param persistence how a client keeps its member
 */
public record Pool(PoolConfig config, List<PoolMember> members, MemberPicker picker, TrafficCounters counters,
        SessionPersistence persistence) {

    public Pool {
        members = List.copyOf(members);
    }

    /** The member for a new connection from {@code client}, or null when none may take it. */
    public PoolMember pick(InetSocketAddress client) {
        return pick(client, null);
    }

    /**
     * The member for a new connection or request, or null when none may take it: the member the
     * session is bound to while it may serve, or else the algorithm's pick.
     *
     * @param persistenceCookie the value of the request's {@link SessionPersistence#cookieName()}
     *     cookie, or null
     */
    public PoolMember pick(InetSocketAddress client, String persistenceCookie) {
        if (!config.adminStateUp()) {
            return null;
        }
        PoolMember bound = persistence.bound(client, persistenceCookie);
        if (bound != null) {
            return bound;
        }
        PoolMember picked = picker.pick(client);
        if (picked != null) {
            persistence.picked(client, persistenceCookie, picked);
        }
        return picked;
    }
}
