package dev.lbaas.operator.reconciler;

import dev.lbaas.api.v1alpha1.HealthMonitor;
import dev.lbaas.api.v1alpha1.L7Policy;
import dev.lbaas.api.v1alpha1.L7Rule;
import dev.lbaas.api.v1alpha1.Listener;
import dev.lbaas.api.v1alpha1.LoadBalancer;
import dev.lbaas.api.v1alpha1.Member;
import dev.lbaas.api.v1alpha1.Pool;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.Optional;

/**
 * Follows a child's references up to its load balancer: Member and HealthMonitor name a Pool, a
 * Pool names a LoadBalancer or a Listener, a Listener names a LoadBalancer; an L7Rule names an
 * L7Policy, which names a Listener. The lookups are
 * pluggable so the same walk runs over informer caches (event mapping) and over the API server.
 */
final class ParentChain {

    /** Finds objects by namespace and name; empty when absent. */
    interface Lookup {
        Optional<Pool> pool(String namespace, String name);

        Optional<Listener> listener(String namespace, String name);

        Optional<LoadBalancer> loadBalancer(String namespace, String name);

        Optional<L7Policy> l7Policy(String namespace, String name);
    }

    /**
     * Where the walk ended.
     *
     * @param loadBalancerName the load balancer's name when the chain reaches one that exists
     * @param missing otherwise, the first object in the chain that does not exist ("Pool POOL_WEB")
     */
    record Resolution(String loadBalancerName, String missing) {
        boolean resolved() {
            return loadBalancerName != null;
        }
    }

    private ParentChain() {
    }

    /** The name of the load balancer the child would belong to, even if that load balancer does not exist. */
    static Optional<String> loadBalancerNameOf(HasMetadata child, Lookup lookup) {
        String namespace = child.getMetadata().getNamespace();
        if (child instanceof LoadBalancer lb) {
            return Optional.of(lb.getMetadata().getName());
        }
        if (child instanceof Listener listener) {
            return Optional.ofNullable(listener.getSpec().getLoadBalancerRef());
        }
        if (child instanceof L7Rule rule) {
            return lookup.l7Policy(namespace, rule.getSpec().getL7PolicyRef())
                    .flatMap(policy -> loadBalancerNameOf(policy, lookup));
        }
        if (child instanceof L7Policy policy) {
            return lookup.listener(namespace, policy.getSpec().getListenerRef())
                    .map(l -> l.getSpec().getLoadBalancerRef());
        }
        if (child instanceof Pool pool) {
            if (pool.getSpec().getLoadBalancerRef() != null) {
                return Optional.of(pool.getSpec().getLoadBalancerRef());
            }
            return lookup.listener(namespace, pool.getSpec().getListenerRef())
                    .map(l -> l.getSpec().getLoadBalancerRef());
        }
        String poolName = child instanceof Member member ? member.getSpec().getPoolRef()
                : ((HealthMonitor) child).getSpec().getPoolRef();
        return lookup.pool(namespace, poolName).flatMap(pool -> loadBalancerNameOf(pool, lookup));
    }

    /** Walks the chain and reports the load balancer, or the first missing link. */
    static Resolution resolve(HasMetadata child, Lookup lookup) {
        String namespace = child.getMetadata().getNamespace();
        if (child instanceof L7Rule rule) {
            Optional<L7Policy> policy = lookup.l7Policy(namespace, rule.getSpec().getL7PolicyRef());
            return policy.isPresent() ? resolve(policy.get(), lookup)
                    : new Resolution(null, "L7Policy " + rule.getSpec().getL7PolicyRef());
        }
        if (child instanceof L7Policy policy) {
            Optional<Listener> listener = lookup.listener(namespace, policy.getSpec().getListenerRef());
            return listener.isPresent() ? resolve(listener.get(), lookup)
                    : new Resolution(null, "Listener " + policy.getSpec().getListenerRef());
        }
        if (child instanceof Member || child instanceof HealthMonitor) {
            String poolName = child instanceof Member member ? member.getSpec().getPoolRef()
                    : ((HealthMonitor) child).getSpec().getPoolRef();
            Optional<Pool> pool = lookup.pool(namespace, poolName);
            return pool.isPresent() ? resolve(pool.get(), lookup) : new Resolution(null, "Pool " + poolName);
        }
        if (child instanceof Pool pool && pool.getSpec().getLoadBalancerRef() == null) {
            Optional<Listener> listener = lookup.listener(namespace, pool.getSpec().getListenerRef());
            return listener.isPresent() ? resolve(listener.get(), lookup)
                    : new Resolution(null, "Listener " + pool.getSpec().getListenerRef());
        }
        String lbName = child instanceof Pool pool ? pool.getSpec().getLoadBalancerRef()
                : ((Listener) child).getSpec().getLoadBalancerRef();
        return lookup.loadBalancer(namespace, lbName).isPresent() ? new Resolution(lbName, null)
                : new Resolution(null, "LoadBalancer " + lbName);
    }
}
