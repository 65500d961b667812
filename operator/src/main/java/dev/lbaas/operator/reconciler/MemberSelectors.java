package dev.lbaas.operator.reconciler;

import dev.lbaas.api.v1alpha1.LoadBalancer;
import dev.lbaas.api.v1alpha1.Member;
import dev.lbaas.api.v1alpha1.MemberSpec;
import dev.lbaas.api.v1alpha1.Pool;
import dev.lbaas.operator.model.LoadBalancerTree;
import dev.lbaas.operator.model.MemberSelection;
import dev.lbaas.operator.model.Verdict;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;

/**
 * Pools whose members come from a Service (Pool.spec.memberSelector): the Service's ready
 * endpoints are written as Member objects labelled {@link Member#SELECTED_BY}, owned by the pool,
 * and removed when their endpoint goes, so that the rest of the operator serves them as any member
 * and each shows its own status. Watches Services and EndpointSlices; a change of either
 * reconciles the load balancers of the pools that select that Service.
 */
final class MemberSelectors {

    private static final Logger LOG = Logger.getLogger(MemberSelectors.class);
    private static final String SERVICE_NAME_LABEL = "kubernetes.io/service-name";
    private static final String FIELD_MANAGER = "lbaas-operator-member-selector";

    private final KubernetesClient client;
    private InformerEventSource<Service, LoadBalancer> services;
    private InformerEventSource<EndpointSlice, LoadBalancer> slices;

    MemberSelectors(KubernetesClient client) {
        this.client = client;
    }

    List<EventSource<?, LoadBalancer>> eventSources(EventSourceContext<LoadBalancer> context,
            InformerEventSource<Pool, LoadBalancer> pools, ParentChain.Lookup lookup) {
        Function<String, Function<String, Set<ResourceID>>> selecting = namespace -> service -> pools
                .list(namespace, pool -> pool.getSpec().getMemberSelector() != null
                        && service.equals(pool.getSpec().getMemberSelector().getService()))
                .map(pool -> ParentChain.loadBalancerNameOf(pool, lookup))
                .flatMap(java.util.Optional::stream)
                .map(name -> new ResourceID(name, namespace))
                .collect(Collectors.toSet());
        services = new InformerEventSource<>(InformerEventSourceConfiguration.from(Service.class, LoadBalancer.class)
                .withName("selected-services")
                .withSecondaryToPrimaryMapper(service -> selecting.apply(service.getMetadata().getNamespace())
                        .apply(service.getMetadata().getName()))
                .build(), context);
        slices = new InformerEventSource<>(InformerEventSourceConfiguration.from(EndpointSlice.class, LoadBalancer.class)
                .withName("selected-endpointslices")
                .withLabelSelector(SERVICE_NAME_LABEL)
                .withSecondaryToPrimaryMapper(slice -> selecting.apply(slice.getMetadata().getNamespace())
                        .apply(slice.getMetadata().getLabels().get(SERVICE_NAME_LABEL)))
                .build(), context);
        return List.of(services, slices);
    }

    /**
     * Writes and removes the selected members of every pool of the tree, and says, by pool uid,
     * why a pool's selector selects nothing (a missing Service or port).
     */
    Map<String, Verdict> sync(LoadBalancerTree tree) {
        Map<String, Verdict> problems = new HashMap<>();
        String namespace = tree.loadBalancer().getMetadata().getNamespace();
        Map<String, Pool> selecting = tree.pools().stream().filter(pool -> pool.getSpec().getMemberSelector() != null)
                .collect(Collectors.toMap(pool -> pool.getMetadata().getName(), pool -> pool));
        for (Member member : tree.members()) {
            String selectedBy = member.getMetadata().getLabels().get(Member.SELECTED_BY);
            if (selectedBy != null && !selecting.containsKey(selectedBy)) {
                // Its pool no longer selects (or is gone): the member goes with the selector.
                delete(member);
            }
        }
        for (Pool pool : selecting.values()) {
            String service = pool.getSpec().getMemberSelector().getService();
            MemberSelection selection = MemberSelection.of(pool,
                    services.get(new ResourceID(service, namespace)).orElse(null),
                    slices.list(namespace, slice -> service.equals(slice.getMetadata().getLabels()
                            .get(SERVICE_NAME_LABEL))).toList());
            if (selection.problem() != null) {
                problems.put(pool.getMetadata().getUid(), selection.problem());
            }
            Map<String, Member> existing = tree.members().stream()
                    .filter(m -> pool.getMetadata().getName().equals(m.getMetadata().getLabels().get(Member.SELECTED_BY)))
                    .collect(Collectors.toMap(m -> m.getMetadata().getName(), m -> m));
            for (MemberSelection.Selected selected : selection.members()) {
                Member current = existing.remove(selected.name());
                if (current == null || !holds(current, selected)) {
                    write(pool, selected);
                }
            }
            existing.values().forEach(this::delete);
        }
        return problems;
    }

    private static boolean holds(Member member, MemberSelection.Selected selected) {
        MemberSpec spec = member.getSpec();
        return selected.address().equals(spec.getAddress()) && Objects.equals(selected.port(), spec.getProtocolPort())
                && Objects.equals(selected.weight(), spec.getWeight())
                && Objects.equals(selected.backup(), spec.getBackup());
    }

    private void write(Pool pool, MemberSelection.Selected selected) {
        Member member = new Member();
        member.setMetadata(new ObjectMetaBuilder()
                .withName(selected.name())
                .withNamespace(pool.getMetadata().getNamespace())
                .withLabels(Map.of(Member.SELECTED_BY, pool.getMetadata().getName()))
                // owned from the start, rather than by a second write of the load balancer's reconcile
                .withOwnerReferences(LoadBalancerReconciler.ownedBy(pool))
                .build());
        MemberSpec spec = new MemberSpec();
        spec.setPoolRef(pool.getMetadata().getName());
        spec.setAddress(selected.address());
        spec.setProtocolPort(selected.port());
        spec.setWeight(selected.weight());
        spec.setBackup(selected.backup());
        member.setSpec(spec);
        try {
            client.resource(member).fieldManager(FIELD_MANAGER).forceConflicts().serverSideApply();
            LOG.debugf("member %s of pool %s selected", selected.name(), pool.getMetadata().getName());
        } catch (KubernetesClientException e) {
            // The next event on the Service or its endpoints tries again.
            LOG.warnf("could not write selected member %s of pool %s: %s", selected.name(),
                    pool.getMetadata().getName(), e.getMessage());
        }
    }

    private void delete(Member member) {
        try {
            client.resource(member).delete();
        } catch (KubernetesClientException e) {
            LOG.debugf("could not delete selected member %s: %s", member.getMetadata().getName(), e.getMessage());
        }
    }
}
