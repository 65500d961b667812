package dev.lbaas.operator.health;

import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.health.InformerHealthIndicator;
import io.javaoperatorsdk.operator.health.InformerWrappingEventSourceHealthIndicator;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Map;
import java.util.TreeMap;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Liveness;
import org.jboss.logging.Logger;

/**
 * The operator is alive only while every informer watches. An informer that stopped (a watch that
 * failed for good) would leave its kind unreconciled in every namespace until a restart, so it makes
 * {@code /q/health/live} fail and a supervisor (the kubelet) restart the operator; it is logged as an
 * error once.
 */
@Liveness
@ApplicationScoped
public class InformersLiveness implements HealthCheck {

    private static final Logger LOG = Logger.getLogger(InformersLiveness.class);

    private final Operator operator;
    private final Leadership leadership;
    private volatile boolean reported;

    InformersLiveness(Operator operator, Leadership leadership) {
        this.operator = operator;
        this.leadership = leadership;
    }

    @Override
    public HealthCheckResponse call() {
        HealthCheckResponseBuilder response = HealthCheckResponse.named("informers");
        if (!leadership.reconciles()) {
            // A follower watches nothing until it leads.
            return response.up().withData("leader", false).build();
        }
        if (!operator.getRuntimeInfo().isStarted()) {
            // Still starting: informers that have not synced yet are no reason for a restart.
            return response.up().withData("started", false).build();
        }
        Map<String, String> stopped = new TreeMap<>();
        operator.getRuntimeInfo().unhealthyInformerWrappingEventSourceHealthIndicator().forEach(
                (controller, sources) -> sources.forEach((source, indicator) -> stopped.put(controller + "/" + source,
                        describe(indicator))));
        if (stopped.isEmpty()) {
            reported = false;
            return response.up().build();
        }
        if (!reported) {
            reported = true;
            LOG.errorf("informers stopped, so their kinds are no longer reconciled; the operator reports itself "
                    + "not alive to be restarted: %s", stopped);
        }
        stopped.forEach(response::withData);
        return response.down().build();
    }

    private static String describe(InformerWrappingEventSourceHealthIndicator<?> indicator) {
        Map<String, InformerHealthIndicator> informers = indicator.informerHealthIndicators();
        return informers.values().stream()
                .map(informer -> "running=" + informer.isRunning() + " watching=" + informer.isWatching()
                        + " synced=" + informer.hasSynced())
                .findFirst().orElse(indicator.getStatus().toString());
    }
}
