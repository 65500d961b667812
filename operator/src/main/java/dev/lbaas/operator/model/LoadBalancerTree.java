package dev.lbaas.operator.model;

import dev.lbaas.api.v1alpha1.HealthMonitor;
import dev.lbaas.api.v1alpha1.L7Policy;
import dev.lbaas.api.v1alpha1.L7Rule;
import dev.lbaas.api.v1alpha1.Listener;
import dev.lbaas.api.v1alpha1.LoadBalancer;
import dev.lbaas.api.v1alpha1.Member;
import dev.lbaas.api.v1alpha1.Pool;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Stream;

/**
 * A load balancer and every object that belongs to it, as read from the informer caches at the
 * start of one reconcile. Lists are sorted by creation time then name, so that rendering is
 * deterministic and the older of two conflicting objects wins. With the class chosen for the load
 * balancer among the cluster's classes ({@link #withClass}; none unless it says otherwise), and the
 * ports the driver's amphorae use themselves ({@link #withReservedPorts}).
 *
 * @param reservedPorts what uses each port an amphora listens on itself, by "port/TCP" or "port/UDP"
 * @param secrets the Secrets its TERMINATED_HTTPS listeners name, and the time their certificates
 *     must be valid at ({@link #withSecrets}; none unless given)
 */
public record LoadBalancerTree(
        LoadBalancer loadBalancer,
        List<Listener> listeners,
        List<Pool> pools,
        List<Member> members,
        List<HealthMonitor> healthMonitors,
        List<L7Policy> l7Policies,
        List<L7Rule> l7Rules,
        ClassChoice classChoice,
        Map<String, String> reservedPorts,
        TlsSecrets secrets) {

    private static final Comparator<HasMetadata> OLDEST_FIRST = Comparator
            .comparing((HasMetadata o) -> Objects.requireNonNullElse(o.getMetadata().getCreationTimestamp(), ""))
            .thenComparing(o -> o.getMetadata().getName());

    public LoadBalancerTree {
        Objects.requireNonNull(loadBalancer, "loadBalancer");
        listeners = sorted(listeners);
        pools = sorted(pools);
        members = sorted(members);
        healthMonitors = sorted(healthMonitors);
        l7Policies = sorted(l7Policies);
        l7Rules = sorted(l7Rules);
        classChoice = Objects.requireNonNullElseGet(classChoice, () -> ClassChoice.of(loadBalancer, List.of()));
        reservedPorts = Map.copyOf(Objects.requireNonNullElse(reservedPorts, Map.of()));
        secrets = Objects.requireNonNullElse(secrets, TlsSecrets.NONE);
    }

    public LoadBalancerTree(LoadBalancer loadBalancer, List<Listener> listeners, List<Pool> pools, List<Member> members,
            List<HealthMonitor> healthMonitors, ClassChoice classChoice) {
        this(loadBalancer, listeners, pools, members, healthMonitors, null, null, classChoice, null, null);
    }

    /** A tree in a cluster without LoadBalancerClasses. */
    public LoadBalancerTree(LoadBalancer loadBalancer, List<Listener> listeners, List<Pool> pools, List<Member> members,
            List<HealthMonitor> healthMonitors) {
        this(loadBalancer, listeners, pools, members, healthMonitors, null, null, null, null, null);
    }

    /** The same tree with the class chosen for its load balancer. */
    public LoadBalancerTree withClass(ClassChoice choice) {
        return new LoadBalancerTree(loadBalancer, listeners, pools, members, healthMonitors, l7Policies, l7Rules, choice,
                reservedPorts, secrets);
    }

    /** The same tree with the ports the driver's amphorae use themselves. */
    public LoadBalancerTree withReservedPorts(Map<String, String> ports) {
        return new LoadBalancerTree(loadBalancer, listeners, pools, members, healthMonitors, l7Policies, l7Rules,
                classChoice, ports, secrets);
    }

    /** The same tree with these L7 policies and rules. */
    public LoadBalancerTree withL7(List<L7Policy> policies, List<L7Rule> rules) {
        return new LoadBalancerTree(loadBalancer, listeners, pools, members, healthMonitors, policies, rules,
                classChoice, reservedPorts, secrets);
    }

    /** The same tree with the Secrets its listeners name. */
    public LoadBalancerTree withSecrets(TlsSecrets tlsSecrets) {
        return new LoadBalancerTree(loadBalancer, listeners, pools, members, healthMonitors, l7Policies, l7Rules,
                classChoice, reservedPorts, tlsSecrets);
    }

    private static <T extends HasMetadata> List<T> sorted(List<T> objects) {
        List<T> copy = new ArrayList<>(Objects.requireNonNullElse(objects, List.of()));
        copy.sort(OLDEST_FIRST);
        return List.copyOf(copy);
    }

    /** {@link #select(LoadBalancer, List, List, List, List, List, List)} in a namespace without L7 policies. */
    public static LoadBalancerTree select(LoadBalancer loadBalancer, List<Listener> allListeners, List<Pool> allPools,
            List<Member> allMembers, List<HealthMonitor> allMonitors) {
        return select(loadBalancer, allListeners, allPools, allMembers, allMonitors, List.of(), List.of());
    }

    /**
     * Selects, from everything in a namespace, the objects that belong to the load balancer:
     * listeners naming it, pools naming it or one of its listeners, the members and monitors of
     * those pools, the L7 policies of those listeners and the rules of those policies.
     */
    public static LoadBalancerTree select(LoadBalancer loadBalancer, List<Listener> allListeners, List<Pool> allPools,
            List<Member> allMembers, List<HealthMonitor> allMonitors, List<L7Policy> allPolicies,
            List<L7Rule> allRules) {
        String name = loadBalancer.getMetadata().getName();
        List<Listener> listeners = allListeners.stream()
                .filter(l -> name.equals(l.getSpec().getLoadBalancerRef()))
                .toList();
        List<String> listenerNames = listeners.stream().map(l -> l.getMetadata().getName()).toList();
        List<Pool> pools = allPools.stream()
                .filter(p -> name.equals(p.getSpec().getLoadBalancerRef())
                        || (p.getSpec().getLoadBalancerRef() == null && listenerNames.contains(p.getSpec().getListenerRef())))
                .toList();
        List<String> poolNames = pools.stream().map(p -> p.getMetadata().getName()).toList();
        List<Member> members = allMembers.stream().filter(m -> poolNames.contains(m.getSpec().getPoolRef())).toList();
        List<HealthMonitor> monitors = allMonitors.stream()
                .filter(h -> poolNames.contains(h.getSpec().getPoolRef()))
                .toList();
        List<L7Policy> policies = allPolicies.stream()
                .filter(p -> listenerNames.contains(p.getSpec().getListenerRef()))
                .toList();
        List<String> policyNames = policies.stream().map(p -> p.getMetadata().getName()).toList();
        List<L7Rule> rules = allRules.stream().filter(r -> policyNames.contains(r.getSpec().getL7PolicyRef())).toList();
        return new LoadBalancerTree(loadBalancer, listeners, pools, members, monitors, policies, rules, null, null,
                null);
    }

    /** Every child object (not the load balancer itself). */
    public Stream<HasMetadata> children() {
        return Stream.of(listeners, pools, members, healthMonitors, l7Policies, l7Rules).flatMap(List::stream);
    }
}
