package dev.lbaas.amphora.config;

import java.util.List;
import java.util.Objects;

/**
 * What an amphora reports: the generation it serves, the health of every member and traffic
 * statistics.
 *
 * @param amphoraId which amphora reports
 * @param appliedGeneration the configuration generation being served, 0 before the first one
 * @param healthVersion increases whenever a member's health or a listener's fullness changes;
 *     statistics alone do not move it
 * @param listeners one entry per configured listener
 * @param pools one entry per configured pool
 * @param pair the amphora's part in its ACTIVE_STANDBY pair; null for SINGLE
 */
public record AmphoraStatus(
        String amphoraId,
        long appliedGeneration,
        long healthVersion,
        List<ListenerStatus> listeners,
        List<PoolStatus> pools,
        PairStatus pair) {

    public AmphoraStatus {
        listeners = List.copyOf(Objects.requireNonNullElse(listeners, List.of()));
        pools = List.copyOf(Objects.requireNonNullElse(pools, List.of()));
    }

    /** A SINGLE amphora's report. */
    public AmphoraStatus(String amphoraId, long appliedGeneration, long healthVersion, List<ListenerStatus> listeners,
            List<PoolStatus> pools) {
        this(amphoraId, appliedGeneration, healthVersion, listeners, pools, null);
    }

    /**
     * @param role MASTER (holds the VIP), BACKUP or FAULT (its own data plane failed a self-check)
     * @param term the newest mastership term the amphora knows
     * @param holdsVip whether its listeners accept on the VIP now: a new master may still be
     *     waiting for the old one to let go of the address
     * @param vipProblem why the network cannot be told that this amphora holds the VIP (where it
     *     must be: a Kubernetes Service's EndpointSlice), checked by a backup before it takes over;
     *     null when nothing is wrong
     * @param sessionBindingsReceived the session-persistence bindings received from the master
     *     (session sync) since this amphora started
     */
    public record PairStatus(String role, long term, boolean holdsVip, String vipProblem,
            long sessionBindingsReceived) {
        public PairStatus {
            Validation.requireText(role, "pair.role");
        }

        /** Nothing wrong with telling the network, no binding received. */
        public PairStatus(String role, long term, boolean holdsVip) {
            this(role, term, holdsVip, null, 0);
        }
    }

    /**
     * @param id the listener's id
     * @param atConnectionLimit true while the listener holds connectionLimit connections
     * @param stats traffic through the listener
     */
    public record ListenerStatus(String id, boolean atConnectionLimit, TrafficStats stats) {
    }

    /**
     * @param id the pool's id
     * @param members one entry per configured member
     * @param stats traffic to the pool's members, summed as it happens (so it keeps what members
     *     that left the pool counted), plus the requests none of its members could take; zero when
     *     an amphora too old to report it answers
     */
    public record PoolStatus(String id, List<MemberStatus> members, TrafficStats stats) {
        public PoolStatus {
            members = List.copyOf(Objects.requireNonNullElse(members, List.of()));
            stats = Objects.requireNonNullElse(stats, TrafficStats.ZERO);
        }
    }

    /**
     * @param id the member's id
     * @param health what the health monitor concluded
     * @param stats traffic to the member
     */
    public record MemberStatus(String id, MemberHealth health, TrafficStats stats) {
    }
}
