package dev.lbaas.operator.reconciler;

import dev.lbaas.api.v1alpha1.L7Policy;
import dev.lbaas.api.v1alpha1.LbaasStatus;
import dev.lbaas.api.v1alpha1.Listener;
import dev.lbaas.api.v1alpha1.LoadBalancer;
import dev.lbaas.api.v1alpha1.OperatingStatus;
import dev.lbaas.api.v1alpha1.Pool;
import dev.lbaas.api.v1alpha1.ProvisioningStatus;
import dev.lbaas.operator.status.Conditions;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import jakarta.inject.Inject;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Speaks for children whose load balancer cannot be reached yet: objects may be applied in any
 * order, and a Member created before its Pool must say that it waits, not stay silent. Once the
 * chain up to an existing load balancer is complete, that load balancer's reconciler owns the
 * child's status and this one does nothing.
 */
abstract class ChildReconciler<T extends CustomResource<?, LbaasStatus>> implements Reconciler<T> {

    @Inject
    KubernetesClient client;

    @Override
    public UpdateControl<T> reconcile(T child, Context<T> context) {
        ParentChain.Resolution resolution = ParentChain.resolve(child, new ApiLookup(client));
        if (resolution.resolved()) {
            return UpdateControl.noUpdate();
        }
        StatusWriter.write(client, child, waitingStatus(child, resolution.missing()));
        return UpdateControl.noUpdate();
    }

    private static LbaasStatus waitingStatus(CustomResource<?, LbaasStatus> child, String missing) {
        LbaasStatus previous = child.getStatus();
        List<io.fabric8.kubernetes.api.model.Condition> before = previous == null ? List.of() : previous.getConditions();
        Long generation = child.getMetadata().getGeneration();
        Instant now = Instant.now();
        String message = "waiting for " + missing + " to exist in namespace " + child.getMetadata().getNamespace();
        LbaasStatus status = new LbaasStatus();
        status.setProvisioningStatus(ProvisioningStatus.PENDING_CREATE);
        status.setOperatingStatus(OperatingStatus.OFFLINE);
        status.setObservedGeneration(generation);
        status.setConditions(List.of(
                Conditions.condition(before, Conditions.ACCEPTED, true, "Accepted", "", generation, now),
                Conditions.condition(before, Conditions.RESOLVED_REFS, false, "ParentNotFound", message, generation, now),
                Conditions.condition(before, Conditions.PROGRAMMED, false, "Pending", message, generation, now),
                Conditions.condition(before, Conditions.READY, false, "ParentNotFound", message, generation, now)));
        return status;
    }

    /** Reads the chain from the API server: these reconciles are rare and must not act on stale caches. */
    private record ApiLookup(KubernetesClient client) implements ParentChain.Lookup {
        @Override
        public Optional<Pool> pool(String namespace, String name) {
            return Optional.ofNullable(client.resources(Pool.class).inNamespace(namespace).withName(name).get());
        }

        @Override
        public Optional<Listener> listener(String namespace, String name) {
            return Optional.ofNullable(client.resources(Listener.class).inNamespace(namespace).withName(name).get());
        }

        @Override
        public Optional<L7Policy> l7Policy(String namespace, String name) {
            return Optional.ofNullable(client.resources(L7Policy.class).inNamespace(namespace).withName(name).get());
        }

        @Override
        public Optional<LoadBalancer> loadBalancer(String namespace, String name) {
            return Optional.ofNullable(client.resources(LoadBalancer.class).inNamespace(namespace).withName(name).get())
                    .filter(lb -> lb.getMetadata().getDeletionTimestamp() == null);
        }
    }
}
