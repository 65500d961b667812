package dev.lbaas.operator.model;

import dev.lbaas.api.v1alpha1.HealthMonitor;
import dev.lbaas.api.v1alpha1.HealthMonitorSpec;
import dev.lbaas.api.v1alpha1.L7Policy;
import dev.lbaas.api.v1alpha1.L7PolicySpec;
import dev.lbaas.api.v1alpha1.L7Rule;
import dev.lbaas.api.v1alpha1.L7RuleSpec;
import dev.lbaas.api.v1alpha1.Listener;
import dev.lbaas.api.v1alpha1.ListenerProtocol;
import dev.lbaas.api.v1alpha1.ListenerSpec;
import dev.lbaas.api.v1alpha1.LoadBalancer;
import dev.lbaas.api.v1alpha1.LoadBalancerClass;
import dev.lbaas.api.v1alpha1.LoadBalancerClassSpec;
import dev.lbaas.api.v1alpha1.LoadBalancerSpec;
import dev.lbaas.api.v1alpha1.Member;
import dev.lbaas.api.v1alpha1.MemberSpec;
import dev.lbaas.api.v1alpha1.Pool;
import dev.lbaas.api.v1alpha1.PoolProtocol;
import dev.lbaas.api.v1alpha1.PoolSpec;
import dev.lbaas.api.v1alpha1.Topology;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/** Small builders for the objects of the seed walkthrough; uids are the names, creation order is call order. */
public final class Fixtures {

    private static final AtomicInteger CLOCK = new AtomicInteger();

    private Fixtures() {
    }

    public static <T extends HasMetadata> T named(T object, String name) {
        object.setMetadata(new ObjectMetaBuilder()
                .withName(name)
                .withNamespace("default")
                .withUid(name)
                .withGeneration(1L)
                .withCreationTimestamp(Instant.parse("2026-01-01T00:00:00Z").plusSeconds(CLOCK.incrementAndGet()).toString())
                .build());
        return object;
    }

    /** A LoadBalancerClass (cluster-scoped: no namespace), the default one if {@code isDefault}. */
    public static LoadBalancerClass loadBalancerClass(String name, Topology topology, boolean isDefault) {
        LoadBalancerClass lbClass = named(new LoadBalancerClass(), name);
        lbClass.getMetadata().setNamespace(null);
        if (isDefault) {
            lbClass.getMetadata().getAnnotations().put(LoadBalancerClass.DEFAULT_ANNOTATION, "true");
        }
        LoadBalancerClassSpec spec = new LoadBalancerClassSpec();
        spec.setTopology(topology);
        lbClass.setSpec(spec);
        return lbClass;
    }

    public static LoadBalancer loadBalancer(String name) {
        LoadBalancer lb = named(new LoadBalancer(), name);
        lb.setSpec(new LoadBalancerSpec());
        return lb;
    }

    public static Listener listener(String name, String lb, ListenerProtocol protocol, int port, String pool) {
        Listener listener = named(new Listener(), name);
        ListenerSpec spec = new ListenerSpec();
        spec.setLoadBalancerRef(lb);
        spec.setProtocol(protocol);
        spec.setProtocolPort(port);
        spec.setDefaultPoolRef(pool);
        listener.setSpec(spec);
        return listener;
    }

    public static Pool pool(String name, String lb, PoolProtocol protocol) {
        Pool pool = named(new Pool(), name);
        PoolSpec spec = new PoolSpec();
        spec.setLoadBalancerRef(lb);
        spec.setProtocol(protocol);
        pool.setSpec(spec);
        return pool;
    }

    public static Member member(String name, String pool, int port) {
        Member member = named(new Member(), name);
        MemberSpec spec = new MemberSpec();
        spec.setPoolRef(pool);
        spec.setAddress("127.0.0.1");
        spec.setProtocolPort(port);
        member.setSpec(spec);
        return member;
    }

    public static HealthMonitor monitor(String name, String pool, HealthMonitorSpec.Type type) {
        HealthMonitor monitor = named(new HealthMonitor(), name);
        HealthMonitorSpec spec = new HealthMonitorSpec();
        spec.setPoolRef(pool);
        spec.setType(type);
        spec.setDelaySeconds(5);
        spec.setTimeoutSeconds(4);
        spec.setMaxRetries(3);
        monitor.setSpec(spec);
        return monitor;
    }

    public static L7Policy l7Policy(String name, String listener, L7PolicySpec.Action action, Integer position) {
        L7Policy policy = named(new L7Policy(), name);
        L7PolicySpec spec = new L7PolicySpec();
        spec.setListenerRef(listener);
        spec.setAction(action);
        spec.setPosition(position);
        policy.setSpec(spec);
        return policy;
    }

    public static L7Rule l7Rule(String name, String policy, L7RuleSpec.Type type, L7RuleSpec.CompareType compare,
            String value) {
        L7Rule rule = named(new L7Rule(), name);
        L7RuleSpec spec = new L7RuleSpec();
        spec.setL7PolicyRef(policy);
        spec.setType(type);
        spec.setCompareType(compare);
        spec.setValue(value);
        rule.setSpec(spec);
        return rule;
    }

    /** LB_WEB of the seed walkthrough: HTTP listener, ROUND_ROBIN HTTP pool, web1 and web2, TCP monitor. */
    public static LoadBalancerTree seedScenario() {
        LoadBalancer lb = loadBalancer("lb-web");
        Pool pool = pool("pool-web", "lb-web", PoolProtocol.HTTP);
        return LoadBalancerTree.select(lb,
                List.of(listener("listener-web", "lb-web", ListenerProtocol.HTTP, 80, "pool-web")),
                List.of(pool),
                List.of(member("web1", "pool-web", 8081), member("web2", "pool-web", 8082)),
                List.of(monitor("monitor-web", "pool-web", HealthMonitorSpec.Type.TCP)));
    }
}
