package dev.lbaas.operator.status;

import dev.lbaas.amphora.config.AmphoraStatus;
import dev.lbaas.api.v1alpha1.AmphoraInfo;

/**
 * What the operator knows of one amphora at the start of a reconcile.
 *
 * @param id the amphora's id
 * @param role its role in the load balancer
 * @param location where it runs (process id, pod name)
 * @param reachable the agent answered the last request
 * @param appliedGeneration the configuration generation it serves, 0 for none yet
 * @param rejection why it refused the last configuration pushed, or null
 * @param report the last status report, or null before the first one
 */
public record AmphoraView(
        String id,
        AmphoraInfo.Role role,
        String location,
        boolean reachable,
        long appliedGeneration,
        String rejection,
        AmphoraStatus report) {

    /** The pair role of a master, as amphorae report it. */
    public static final String MASTER = "MASTER";
    /** The pair role of an amphora whose data plane failed its own check, as amphorae report it. */
    public static final String FAULT = "FAULT";

    /**
     * Reachable and, in a pair, joined to it (an amphora reports its pair once its first
     * configuration is served, after the JIT warm-up of a new amphora), neither FAULT nor unable to
     * tell the network it holds the VIP: it serves, or can take over. A standby still starting
     * could not take over, so a pair with one is not yet whole.
     */
    public boolean healthy() {
        if (!reachable) {
            return false;
        }
        if (role == AmphoraInfo.Role.STANDALONE) {
            return true;
        }
        return report != null && report.pair() != null && !FAULT.equals(report.pair().role())
                && report.pair().vipProblem() == null;
    }

    /** Why it cannot tell the network that it holds the VIP, as it last reported; or null. */
    public String vipProblem() {
        return report == null || report.pair() == null ? null : report.pair().vipProblem();
    }

    /** Whether its listeners accept on the VIP now, as it last reported; always for a single amphora. */
    public boolean holdsVip() {
        return reachable && report != null && (report.pair() == null || report.pair().holdsVip());
    }
}
