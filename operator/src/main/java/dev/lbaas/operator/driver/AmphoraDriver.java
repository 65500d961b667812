package dev.lbaas.operator.driver;

import dev.lbaas.amphora.config.AmphoraConfig;
import dev.lbaas.api.v1alpha1.LoadBalancer;
import dev.lbaas.api.v1alpha1.LoadBalancerClass;
import dev.lbaas.api.v1alpha1.VipPort;
import dev.lbaas.operator.pki.CertificateAuthority;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import dev.lbaas.api.v1alpha1.Topology;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
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
     * The VIP of a load balancer, made to exist: {@code wanted} (the one in its status, or the one
     * its spec requests) if there is one, else a new one, the same for the same load balancer until
     * its amphorae are deleted.
     *
     * @param lbClass the load balancer's class, or null for the built-in defaults
     * @param topology one of {@link #topologies()}: how the VIP finds the amphora that serves it
     * @param inUse the VIPs of every other load balancer this operator serves
     */
    String ensureVip(LoadBalancer loadBalancer, LoadBalancerClass lbClass, Topology topology, String wanted,
            Set<String> inUse);

    /**
     * The address the amphorae bind their listeners to for this VIP: the VIP itself where the
     * amphora owns it, the wildcard address of its family where traffic to the VIP is delivered
     * to the amphora's own address.
     */
    default String listenAddress(String vipAddress) {
        return vipAddress;
    }

    /**
     * The ports this driver's amphorae listen on themselves where listeners listen too, by
     * "port/TCP" or "port/UDP", with what uses each: a listener on one is refused. None where the
     * amphora's own ports are on another address than its listeners.
     */
    default Map<String, String> reservedPorts() {
        return Map.of();
    }

    /** The topologies this driver runs; a load balancer asking for another is not accepted. */
    default Set<Topology> topologies() {
        return EnumSet.of(Topology.SINGLE);
    }

    /**
     * Makes sure the amphorae of a load balancer exist and are alive, replacing dead ones, and that
     * the VIP reaches the listeners of {@code config}: one amphora for SINGLE, two for
     * ACTIVE_STANDBY, whose endpoints say where each receives its pair's adverts.
     *
     * @param lbClass the load balancer's class, or null for the built-in defaults
     * @param topology one of {@link #topologies()}
     * @return every amphora of the load balancer that can be reached, in role order
     */
    List<AmphoraEndpoint> ensureAmphorae(LoadBalancer loadBalancer, LoadBalancerClass lbClass, Topology topology,
            String vipAddress, AmphoraConfig config);

    /**
     * Whether the VIP reaches the load balancer's amphorae on every listener port of
     * {@code config}: true at once where the amphora owns the VIP; where the VIP is a Service,
     * once the Service has the listeners' ports and its EndpointSlices route each to a ready
     * amphora.
     */
    default boolean vipReady(LoadBalancer loadBalancer, AmphoraConfig config) {
        return true;
    }

    /**
     * Where the VIP's ports are reachable besides the VIP itself (node ports), for the load
     * balancer's status; none where the VIP is the only way in.
     */
    default List<VipPort> vipPorts(LoadBalancer loadBalancer) {
        return List.of();
    }

    /**
     * What the driver watches to learn that an amphora died or a VIP went away: each event
     * reconciles the load balancer concerned. Called once, when the operator starts.
     */
    default List<EventSource<?, LoadBalancer>> eventSources(EventSourceContext<LoadBalancer> context) {
        return List.of();
    }

    /** Removes every amphora of the load balancer, and its VIP. Idempotent. */
    void deleteAmphorae(LoadBalancer loadBalancer);

    /**
     * The operator is stopping. A driver whose amphorae are children of the operator stops them; one
     * whose amphorae the cluster runs leaves them serving for the next operator to adopt.
     */
    default void shutdown() {
    }
}
