package dev.lbaas.operator.driver;

import dev.lbaas.api.v1alpha1.LoadBalancer;
import java.util.List;
import java.util.Set;

/**
 * Where amphorae run. The operator asks a driver to make a load balancer's amphorae exist and to
 * remove them; everything else (configuration, health) goes over the agent API and is the same
 * for every driver.
 *
 * <p>Implementations: {@code local} (child processes, loopback VIPs) for laptops and end-to-end
 * tests; {@code kubernetes} (pods and a VIP Service) for clusters. Calls come from reconciles and
 * must return quickly: a driver starts amphorae and returns, it does not wait for them to be ready
 * (the agent session notices when they are).
 */
public interface AmphoraDriver {

    /**
     * A VIP for a load balancer that did not request one; the same one for the same load balancer
     * until its amphorae are deleted.
     *
     * @param inUse the VIPs of every other load balancer this operator serves
     */
    String allocateVip(LoadBalancer loadBalancer, Set<String> inUse);

    /**
     * Makes sure the amphorae of a load balancer exist and are alive, replacing dead ones.
     *
     * @return every amphora of the load balancer, in role order
     */
    List<AmphoraEndpoint> ensureAmphorae(LoadBalancer loadBalancer, String vipAddress);

    /** Removes every amphora of the load balancer with this uid. Idempotent. */
    void deleteAmphorae(String loadBalancerUid);
}
