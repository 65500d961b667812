package dev.lbaas.operator.driver;

import dev.lbaas.amphora.config.AmphoraConfig;
import dev.lbaas.amphora.config.FailoverConfig;
import dev.lbaas.api.v1alpha1.AmphoraInfo;
import dev.lbaas.api.v1alpha1.FailoverTimers;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * What each amphora of an ACTIVE_STANDBY pair is told of the pair: its peer's advert address, its
 * own advert port and priority, and the timers and key both share. A SINGLE load balancer's plan
 * is empty and leaves configurations as they are.
 *
 * <p>The plan is part of what a configuration generation is: a replaced peer (a new address) makes
 * a new generation for the survivor, which applies it without dropping the VIP.
 *
 * @param failovers per amphora, in the order of the endpoints it was made from; empty for SINGLE
 */
public record PairPlan(List<FailoverConfig> failovers) {

    /**
     * The priority of the amphora created to hold the VIP first, and of the other one: Octavia's
     * keepalived priorities. They order only the first election, and preemption where asked for.
     */
    static final int FIRST_PRIORITY = 100;
    static final int SECOND_PRIORITY = 90;

    /** No pair. */
    public static final PairPlan NONE = new PairPlan(List.of());

    public PairPlan {
        failovers = List.copyOf(failovers);
    }

    /**
     * The plan for a pair's amphorae; {@link #NONE} unless there are two and both say where their
     * adverts arrive (a pod not yet running has no address: its peer is configured once it has).
     *
     * @param timers the class's timers, or null for the defaults
     * @param key the pair's key, at least 32 bytes
     */
    public static PairPlan of(List<AmphoraEndpoint> endpoints, FailoverTimers timers, byte[] key) {
        if (endpoints.size() != 2 || endpoints.stream().anyMatch(endpoint -> endpoint.adverts() == null)) {
            return NONE;
        }
        int interval = FailoverTimers.advertIntervalMillis(timers);
        boolean preempt = timers != null && Boolean.TRUE.equals(timers.getPreempt());
        String encodedKey = Base64.getEncoder().encodeToString(key);
        List<FailoverConfig> failovers = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            AmphoraEndpoint self = endpoints.get(i);
            AmphoraEndpoint peer = endpoints.get(1 - i);
            int priority = self.role() == AmphoraInfo.Role.MASTER ? FIRST_PRIORITY : SECOND_PRIORITY;
            failovers.add(new FailoverConfig(peer.adverts().address(), peer.adverts().port(), self.adverts().port(),
                    priority, interval, preempt, encodedKey));
        }
        return new PairPlan(failovers);
    }

    /** Whether this is a pair's plan. */
    public boolean paired() {
        return !failovers.isEmpty();
    }

    /** The configuration of the {@code index}th amphora: {@code desired} with its part of the pair. */
    public AmphoraConfig configFor(int index, AmphoraConfig desired) {
        return paired() ? desired.withFailover(failovers.get(index)) : desired;
    }

    /** Without the key, which configurations and plans never show. */
    @Override
    public String toString() {
        return "PairPlan" + failovers;
    }
}
