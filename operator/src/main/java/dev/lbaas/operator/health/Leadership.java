package dev.lbaas.operator.health;

import dev.lbaas.operator.config.OperatorNamespace;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import io.quarkus.runtime.ShutdownEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.Dependent;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import jakarta.interceptor.Interceptor;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.util.Objects;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Leader election among the operator's replicas (a Lease in the operator's namespace), when
 * {@code lbaas.leader-election} is true: one replica reconciles, the others wait to take over
 * within the lease's duration. Amphorae do not notice: they keep serving through any change of
 * leader. Off by default, for an operator run alone outside a cluster.
 *
 * <p>A replica stopped the ordinary way (a rolling update, a drained node) hands the lease over
 * as it exits, so that the next leader takes over within one retry period rather than after the
 * lease runs out; one killed outright leaves the lease to expire.
 */
@Singleton
public class Leadership {

    private static final Logger LOG = Logger.getLogger(Leadership.class);
    static final String LEASE = "lbaas-operator";

    private volatile boolean leader;
    private final boolean enabled;
    private volatile boolean stopping;
    /** Set when the operator SDK asks for the configuration; null without leader election. */
    private volatile KubernetesClient client;
    private volatile String leaseNamespace;
    private volatile String identity;

    Leadership(@ConfigProperty(name = "lbaas.leader-election", defaultValue = "false") boolean enabled) {
        this.enabled = enabled;
    }

    /** Whether this replica reconciles: always without leader election, else while it holds the lease. */
    public boolean reconciles() {
        return !enabled || leader;
    }

    public boolean enabled() {
        return enabled;
    }

    /** Read by the operator SDK at start; no configuration (null) means no leader election. */
    @Produces
    @Dependent
    LeaderElectionConfiguration configuration(
            @ConfigProperty(name = "lbaas.kubernetes.namespace") Optional<String> namespace, KubernetesClient client) {
        if (!enabled) {
            return null;
        }
        this.client = client;
        leaseNamespace = OperatorNamespace.resolve(namespace);
        identity = Objects.requireNonNullElse(System.getenv("HOSTNAME"), LEASE);
        LOG.infof("leader election on Lease %s/%s as %s", leaseNamespace, LEASE, identity);
        return new LeaderElectionConfiguration(LEASE, leaseNamespace, Duration.ofSeconds(10),
                Duration.ofSeconds(7), Duration.ofSeconds(2), identity,
                new LeaderCallbacks(() -> {
                    leader = true;
                    LOG.info("leading: this replica reconciles");
                }, this::stoppedLeading, newLeader -> LOG.infof("leader: %s", newLeader)),
                // The SDK's own exit on losing the lease would block a shutdown in progress (an exit
                // during shutdown waits forever); stoppedLeading exits itself when that is right.
                false);
    }

    /** Before the operator SDK stops (its observer has the default priority): what stoppedLeading needs to know. */
    void shuttingDown(@Observes @Priority(Interceptor.Priority.PLATFORM_BEFORE) ShutdownEvent event) {
        stopping = true;
    }

    /**
     * The SDK calls this when the lease is no longer held. Stopping the ordinary way, the replica
     * hands the lease over. Having lost it otherwise (renewals failed), it exits and starts again as
     * a follower, rather than reconcile beside the new leader.
     */
    private void stoppedLeading() {
        leader = false;
        if (stopping) {
            handOver();
            return;
        }
        LOG.error("lost the lease: exiting, to start again as a follower");
        System.exit(1);
    }

    /**
     * Clears the holder of the lease, which the other replicas take for a free lease at their next
     * try (within the retry period) instead of waiting for it to expire; the SDK does not release
     * it itself. The update is conditional on the lease as read, so a lease that has already moved
     * on is left alone.
     */
    private void handOver() {
        try {
            Lease lease = client.leases().inNamespace(leaseNamespace).withName(LEASE).get();
            if (lease == null || lease.getSpec() == null || !identity.equals(lease.getSpec().getHolderIdentity())) {
                return;
            }
            lease.getSpec().setHolderIdentity(null);
            lease.getSpec().setRenewTime(ZonedDateTime.now());
            client.resource(lease).update();
            LOG.infof("stopping: handed Lease %s/%s over", leaseNamespace, LEASE);
        } catch (KubernetesClientException e) {
            LOG.warnf("stopping: could not hand Lease %s/%s over (it expires on its own): %s", leaseNamespace, LEASE,
                    e.getMessage());
        }
    }
}
