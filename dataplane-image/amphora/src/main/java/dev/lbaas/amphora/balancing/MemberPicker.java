package dev.lbaas.amphora.balancing;

import dev.lbaas.amphora.config.LbAlgorithm;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * Chooses the member for a new connection or request. Implementations are shared by every event
 * loop and lock-free.
 */
public interface MemberPicker {

    /** The member to use for this client, or null when no member may take traffic. */
    PoolMember pick(InetSocketAddress client);

    /**
     * @param healthVersion moves whenever a member's health changes, so the pickers know when to
     *     recompute which members are eligible
     */
    static MemberPicker create(LbAlgorithm algorithm, List<PoolMember> members, LongSupplier healthVersion) {
        EligibleMembers eligible = new EligibleMembers(members, healthVersion);
        return switch (algorithm) {
            case ROUND_ROBIN -> new SmoothWeightedRoundRobin(eligible);
            case LEAST_CONNECTIONS -> new LeastConnections(eligible);
            case SOURCE_IP -> new SourceHash(eligible, false);
            case SOURCE_IP_PORT -> new SourceHash(eligible, true);
        };
    }
}
