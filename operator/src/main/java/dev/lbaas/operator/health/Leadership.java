package dev.lbaas.operator.health;

import dev.lbaas.operator.config.OperatorNamespace;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import jakarta.enterprise.context.Dependent;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Leader election among the operator's replicas (a Lease in the operator's namespace), when
 * {@code lbaas.leader-election} is true: one replica reconciles, the others wait to take over
 * within the lease's duration. Amphorae do not notice: they keep serving through any change of
 * leader. Off by default, for an operator run alone outside a cluster.
 */
@Singleton
public class Leadership {

    private static final Logger LOG = Logger.getLogger(Leadership.class);

    private volatile boolean leader;
    private final boolean enabled;

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
            @ConfigProperty(name = "lbaas.kubernetes.namespace") Optional<String> namespace) {
        if (!enabled) {
            return null;
        }
        String leaseNamespace = OperatorNamespace.resolve(namespace);
        String identity = Objects.requireNonNullElse(System.getenv("HOSTNAME"), "lbaas-operator");
        LOG.infof("leader election on Lease %s/lbaas-operator as %s", leaseNamespace, identity);
        return new LeaderElectionConfiguration("lbaas-operator", leaseNamespace, Duration.ofSeconds(10),
                Duration.ofSeconds(7), Duration.ofSeconds(2), identity,
                new LeaderCallbacks(() -> {
                    leader = true;
                    LOG.info("leading: this replica reconciles");
                }, () -> {
                    leader = false;
                    LOG.info("no longer leading");
                }, newLeader -> LOG.infof("leader: %s", newLeader)),
                // A replica that lost the lease exits and starts again as a follower, rather than
                // reconcile beside the new leader.
                true);
    }
}
