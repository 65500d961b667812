package dev.lbaas.operator.status;

import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * How far the configuration of a load balancer has been put onto its amphorae.
 *
 * @param desiredGeneration the generation the operator wants served
 * @param introducedIn for each object uid, the generation that first contained its current spec
 * @param amphorae every amphora of the load balancer
 * @param vipReady the VIP reaches the amphorae (a driver whose VIP is a Service says so once the
 *     amphora pods are ready, so that Ready never comes before traffic can)
 */
public record Programming(long desiredGeneration, Map<String, Long> introducedIn, List<AmphoraView> amphorae,
        boolean vipReady) {

    public Programming {
        introducedIn = Map.copyOf(introducedIn);
        amphorae = List.copyOf(amphorae);
    }

    /** Programming where the VIP reaches every amphora as soon as it exists (the local driver). */
    public Programming(long desiredGeneration, Map<String, Long> introducedIn, List<AmphoraView> amphorae) {
        this(desiredGeneration, introducedIn, amphorae, true);
    }

    /**
     * True when there is at least one amphora, every one serves {@code generation} or later, and
     * the VIP reaches them.
     */
    public boolean servedEverywhere(long generation) {
        return vipReady && amphoraeServe(generation);
    }

    /** True when there is at least one amphora and every one serves {@code generation} or later. */
    public boolean amphoraeServe(long generation) {
        return !amphorae.isEmpty() && amphorae.stream().allMatch(a -> a.reachable() && a.appliedGeneration() >= generation);
    }

    /** The first refusal an amphora gave for the desired configuration, or null. */
    public String rejection() {
        return amphorae.stream().map(AmphoraView::rejection).filter(r -> r != null).findFirst().orElse(null);
    }

    /**
     * The report that speaks for the load balancer's health: the one of the amphora that holds the
     * VIP (a pair's standby runs the same monitors, but the master's verdicts are the ones traffic
     * follows), else the first reachable amphora's.
     */
    public AmphoraView reporter() {
        return amphorae.stream().filter(a -> a.reachable() && a.report() != null)
                .min(Comparator.comparing(a -> !a.holdsVip())).orElse(null);
    }
}
