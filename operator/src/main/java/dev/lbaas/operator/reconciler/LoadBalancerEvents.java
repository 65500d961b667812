package dev.lbaas.operator.reconciler;

import dev.lbaas.api.v1alpha1.LoadBalancer;
import io.javaoperatorsdk.operator.processing.event.Event;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.AbstractEventSource;
import java.util.Set;

/**
 * Turns what amphorae tell the operator (a generation served, a member down) into reconciles of
 * their load balancer. Agent sessions call {@link #trigger}; the reconcile reads their latest view.
 */
final class LoadBalancerEvents extends AbstractEventSource<Void, LoadBalancer> {

    LoadBalancerEvents() {
        super(Void.class, "amphora-reports");
    }

    @Override
    public Set<Void> getSecondaryResources(LoadBalancer primary) {
        return Set.of();
    }

    void trigger(ResourceID loadBalancer) {
        if (isRunning()) {
            getEventHandler().handleEvent(new Event(loadBalancer));
        }
    }
}
