package dev.lbaas.operator.driver;

import dev.lbaas.api.v1alpha1.LoadBalancer;
import dev.lbaas.operator.pki.CertificateAuthority;
import java.util.List;
import java.util.Set;

/**
 * Where amphorae run. The operator asks a driver to make a load balancer's amphorae exist and to
 * remove them; everything else (configuration, health) goes over the agent API and is the same
 * for every driver.
 *
 * <p>Implementations are CDI beans named after the value of {@code lbaas.driver} that selects them
 * ({@link AmphoraDrivers}): {@code local} (child processes, loopback VIPs) for laptops and
 * end-to-end tests; {@code kubernetes} (pods and a VIP Service) for clusters. Calls come from
 * reconciles and must return quickly: a driver starts amphorae and returns, it does not wait for
 * them to be ready (the agent session notices when they are).
 */
public interface AmphoraDriver {

    /**
     * The CA that issues the agent certificates of this driver's amphorae and of the operator, kept
     * where a restarted operator (or another replica) finds the same one again: amphorae that keep
     * running across an operator restart only take configuration from a holder of its certificates.
     */
    CertificateAuthority certificateAuthority();

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

    /**
     * The operator is stopping. A driver whose amphorae are children of the operator stops them; one
     * whose amphorae the cluster runs leaves them serving for the next operator to adopt.
     */
    default void shutdown() {
    }
}
