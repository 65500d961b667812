package dev.lbaas.operator.reconciler;

import dev.lbaas.api.v1alpha1.LoadBalancer;
import io.javaoperatorsdk.operator.processing.event.source.filter.OnUpdateFilter;
import java.util.Map;
import java.util.Objects;

/**
 * Which updates of a load balancer are worth a reconcile: a new spec (generation), a deletion, a
 * change of finalizers, and a failover request, which is an annotation and so no new generation.
 * The operator's own status writes are not.
 */
public final class LoadBalancerUpdates implements OnUpdateFilter<LoadBalancer> {

    @Override
    public boolean accept(LoadBalancer newer, LoadBalancer older) {
        return !Objects.equals(newer.getMetadata().getGeneration(), older.getMetadata().getGeneration())
                || newer.isMarkedForDeletion()
                || !Objects.equals(newer.getMetadata().getFinalizers(), older.getMetadata().getFinalizers())
                || !Objects.equals(failoverRequest(newer), failoverRequest(older));
    }

    private static String failoverRequest(LoadBalancer lb) {
        Map<String, String> annotations = lb.getMetadata().getAnnotations();
        return annotations == null ? null : annotations.get(LoadBalancer.FAILOVER_ANNOTATION);
    }
}
