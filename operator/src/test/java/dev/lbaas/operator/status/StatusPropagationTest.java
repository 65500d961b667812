package dev.lbaas.operator.status;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lbaas.amphora.config.AmphoraStatus;
import dev.lbaas.amphora.config.MemberHealth;
import dev.lbaas.amphora.config.TrafficStats;
import dev.lbaas.api.v1alpha1.AmphoraInfo;
import dev.lbaas.api.v1alpha1.HealthMonitor;
import dev.lbaas.api.v1alpha1.HealthMonitorSpec;
import dev.lbaas.api.v1alpha1.LbaasStatus;
import dev.lbaas.api.v1alpha1.Listener;
import dev.lbaas.api.v1alpha1.ListenerProtocol;
import dev.lbaas.api.v1alpha1.LoadBalancer;
import dev.lbaas.api.v1alpha1.LoadBalancerStatus;
import dev.lbaas.api.v1alpha1.Member;
import dev.lbaas.api.v1alpha1.OperatingStatus;
import dev.lbaas.api.v1alpha1.Pool;
import dev.lbaas.api.v1alpha1.PoolProtocol;
import dev.lbaas.api.v1alpha1.ProvisioningStatus;
import dev.lbaas.api.v1alpha1.StatusTree;
import dev.lbaas.operator.model.ConfigRenderer;
import dev.lbaas.operator.model.Fixtures;
import dev.lbaas.operator.model.LoadBalancerTree;
import dev.lbaas.operator.model.RenderedConfig;
import dev.lbaas.operator.model.Verdict;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.CustomResource;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Octavia's status propagation holds for every status the operator writes, the first ones included:
 * members give their pool its operating status, pools and listeners give the load balancer its own,
 * conditions and provisioning statuses agree with each other, and the status tree repeats exactly
 * what each object says. Trees, verdicts, amphorae and their health reports are generated; each case
 * is computed twice, the second time over the statuses of the first, as the operator does.
 */
class StatusPropagationTest {

    private static final Instant NOW = Instant.parse("2026-12-01T00:00:00Z");

    /** A generated load balancer: objects, what the amphorae report, whether they serve the generation. */
    record Scenario(LoadBalancerTree tree, List<Amphora> amphorae, Map<String, MemberHealth> health,
            Map<String, Boolean> full) {
    }

    record Amphora(boolean reachable, boolean serves, boolean reports) {
    }

    @Provide
    Arbitrary<Scenario> scenarios() {
        Arbitrary<List<int[]>> listeners = Arbitraries.integers().between(0, 99).array(int[].class).ofSize(4)
                .list().ofMaxSize(3);
        Arbitrary<List<int[]>> pools = Arbitraries.integers().between(0, 99).array(int[].class).ofSize(4)
                .list().ofMaxSize(3);
        Arbitrary<List<int[]>> members = Arbitraries.integers().between(0, 99).array(int[].class).ofSize(5)
                .list().ofMaxSize(6);
        Arbitrary<List<Amphora>> amphorae = Combinators.combine(Arbitraries.of(true, true, true, false),
                Arbitraries.of(true, true, false), Arbitraries.of(true, true, false)).as(Amphora::new).list()
                .ofMaxSize(2);
        Arbitrary<Boolean> lbUp = Arbitraries.of(true, true, true, false);
        return Combinators.combine(listeners, pools, members, amphorae, lbUp).as(StatusPropagationTest::scenario);
    }

    private static Scenario scenario(List<int[]> listenerDice, List<int[]> poolDice, List<int[]> memberDice,
            List<Amphora> amphorae, boolean lbUp) {
        LoadBalancer lb = Fixtures.loadBalancer("lb");
        lb.getSpec().setAdminStateUp(lbUp);
        List<Pool> pools = new ArrayList<>();
        List<HealthMonitor> monitors = new ArrayList<>();
        for (int i = 0; i < poolDice.size(); i++) {
            int[] dice = poolDice.get(i);
            Pool pool = Fixtures.pool("pool-" + i, "lb", dice[0] < 20 ? PoolProtocol.UDP
                    : dice[0] < 30 ? PoolProtocol.SCTP : PoolProtocol.HTTP);
            pool.getSpec().setAdminStateUp(dice[1] >= 15);
            pools.add(pool);
            if (dice[2] < 70) {
                HealthMonitor monitor = Fixtures.monitor("monitor-" + i, pool.getMetadata().getName(),
                        dice[3] < 10 ? HealthMonitorSpec.Type.PING : HealthMonitorSpec.Type.TCP);
                monitor.getSpec().setAdminStateUp(dice[3] >= 5);
                monitors.add(monitor);
            }
        }
        List<Listener> listeners = new ArrayList<>();
        Map<String, Boolean> full = new HashMap<>();
        for (int i = 0; i < listenerDice.size(); i++) {
            int[] dice = listenerDice.get(i);
            String pool = pools.isEmpty() || dice[0] < 20 ? null : pools.get(dice[0] % pools.size()).getMetadata().getName();
            Listener listener = Fixtures.listener("listener-" + i, "lb", dice[1] < 30 ? ListenerProtocol.UDP
                    : ListenerProtocol.HTTP, 80 + dice[2] % 3, pool);
            listener.getSpec().setAdminStateUp(dice[3] >= 10);
            listeners.add(listener);
            full.put(listener.getMetadata().getUid(), dice[3] % 4 == 0);
        }
        List<Member> members = new ArrayList<>();
        Map<String, MemberHealth> health = new HashMap<>();
        for (int i = 0; i < memberDice.size() && !pools.isEmpty(); i++) {
            int[] dice = memberDice.get(i);
            Member member = Fixtures.member("member-" + i, pools.get(dice[0] % pools.size()).getMetadata().getName(),
                    8000 + dice[1] % 4);
            member.getSpec().setWeight(dice[2] < 15 ? 0 : 1);
            member.getSpec().setAdminStateUp(dice[3] >= 10);
            members.add(member);
            if (dice[4] < 85) {
                health.put(member.getMetadata().getUid(), dice[4] < 30 ? MemberHealth.DOWN : MemberHealth.UP);
            }
        }
        return new Scenario(LoadBalancerTree.select(lb, listeners, pools, members, monitors), amphorae, health, full);
    }

    @Property
    void octaviaStatusRulesHoldForTheFirstStatusAndTheNext(@ForAll("scenarios") Scenario scenario) {
        RenderedConfig rendered = ConfigRenderer.render(scenario.tree(), "127.100.0.1", 1);
        Programming programming = programming(scenario, rendered);

        StatusComputer.Result first = StatusComputer.compute(scenario.tree(), rendered, programming, NOW);
        check(scenario, rendered, programming, first);

        // The statuses written, read back by the next reconcile.
        scenario.tree().children().forEach(child -> setStatus(child, first.children().get(uid(child))));
        scenario.tree().loadBalancer().setStatus(first.loadBalancer());
        StatusComputer.Result next = StatusComputer.compute(scenario.tree(), rendered, programming, NOW.plusSeconds(5));
        check(scenario, rendered, programming, next);
        assertThat(next.children()).as("nothing changed, so nothing is written again").isEqualTo(first.children());
    }

    private static void check(Scenario scenario, RenderedConfig rendered, Programming programming,
            StatusComputer.Result result) {
        LoadBalancerTree tree = scenario.tree();
        boolean programmed = !programming.amphorae().isEmpty() && programming.servedEverywhere(1);
        for (HasMetadata child : tree.children().toList()) {
            LbaasStatus status = result.children().get(uid(child));
            Verdict verdict = rendered.verdict(uid(child));
            checkConditions(child.getKind() + " " + name(child), status, verdict);
            if (!verdict.served() || !programmed) {
                assertThat(status.getOperatingStatus()).as(child.getKind() + " " + name(child) + " not served")
                        .isEqualTo(OperatingStatus.OFFLINE);
            }
        }
        AmphoraStatus report = programming.reporter() == null ? null : programming.reporter().report();

        for (Member member : tree.members()) {
            OperatingStatus status = result.children().get(uid(member)).getOperatingStatus();
            MemberHealth health = report == null ? null : scenario.health().get(uid(member));
            boolean monitored = tree.healthMonitors().stream().anyMatch(m -> m.getSpec().getPoolRef()
                    .equals(member.getSpec().getPoolRef()) && rendered.verdict(uid(m)).served()
                    && !Boolean.FALSE.equals(m.getSpec().getAdminStateUp()));
            String what = "member " + name(member) + " health " + health + " monitored " + monitored;
            if (status == OperatingStatus.ERROR) {
                assertThat(health).as(what).isEqualTo(MemberHealth.DOWN);
            }
            if (status == OperatingStatus.ONLINE) {
                assertThat(health).as(what).isEqualTo(MemberHealth.UP);
                assertThat(monitored).as(what).isTrue();
            }
            if (status == OperatingStatus.NO_MONITOR) {
                assertThat(monitored).as(what).isFalse();
            }
            if (status == OperatingStatus.DRAINING) {
                assertThat(member.getSpec().getWeight()).as(what).isZero();
            }
            if (Boolean.FALSE.equals(member.getSpec().getAdminStateUp())) {
                assertThat(status).as(what).isEqualTo(OperatingStatus.OFFLINE);
            }
        }

        for (Pool pool : tree.pools()) {
            OperatingStatus status = result.children().get(uid(pool)).getOperatingStatus();
            List<OperatingStatus> members = tree.members().stream()
                    .filter(m -> m.getSpec().getPoolRef().equals(name(pool)))
                    .map(m -> result.children().get(uid(m)).getOperatingStatus()).toList();
            long down = members.stream().filter(s -> s == OperatingStatus.ERROR).count();
            String what = "pool " + name(pool) + " over members " + members;
            if (status == OperatingStatus.OFFLINE) {
                continue;
            }
            assertThat(Boolean.FALSE.equals(pool.getSpec().getAdminStateUp())).as(what).isFalse();
            OperatingStatus expected = down > 0 && down == members.size() ? OperatingStatus.ERROR
                    : down > 0 ? OperatingStatus.DEGRADED : OperatingStatus.ONLINE;
            assertThat(status).as(what).isEqualTo(expected);
        }

        for (Listener listener : tree.listeners()) {
            OperatingStatus status = result.children().get(uid(listener)).getOperatingStatus();
            String what = "listener " + name(listener);
            if (status == OperatingStatus.DEGRADED) {
                assertThat(scenario.full().get(uid(listener))).as(what + " is at its connection limit").isTrue();
            }
            if (Boolean.FALSE.equals(listener.getSpec().getAdminStateUp())
                    || Boolean.FALSE.equals(tree.loadBalancer().getSpec().getAdminStateUp())) {
                assertThat(status).as(what).isEqualTo(OperatingStatus.OFFLINE);
            }
        }

        LoadBalancerStatus lb = result.loadBalancer();
        List<OperatingStatus> pools = tree.pools().stream()
                .map(p -> result.children().get(uid(p)).getOperatingStatus()).toList();
        List<OperatingStatus> listeners = tree.listeners().stream()
                .map(l -> result.children().get(uid(l)).getOperatingStatus()).toList();
        boolean someUnreachable = programming.amphorae().stream().anyMatch(a -> !a.reachable());
        boolean noneReachable = programming.amphorae().stream().noneMatch(AmphoraView::reachable);
        String what = "load balancer over pools " + pools + ", listeners " + listeners + ", amphorae "
                + programming.amphorae();
        switch (lb.getOperatingStatus()) {
            case ERROR -> assertThat(pools.contains(OperatingStatus.ERROR) || noneReachable).as(what).isTrue();
            case DEGRADED -> assertThat(pools.contains(OperatingStatus.DEGRADED)
                    || listeners.contains(OperatingStatus.DEGRADED) || someUnreachable).as(what).isTrue();
            case ONLINE -> {
                assertThat(pools).as(what).doesNotContain(OperatingStatus.ERROR, OperatingStatus.DEGRADED);
                assertThat(listeners).as(what).doesNotContain(OperatingStatus.DEGRADED);
                assertThat(someUnreachable).as(what).isFalse();
            }
            case OFFLINE -> assertThat(!Boolean.FALSE.equals(tree.loadBalancer().getSpec().getAdminStateUp())
                    && report != null && programmed && !noneReachable).as(what + ": OFFLINE while it serves")
                    .isFalse();
            default -> throw new AssertionError(what + ": " + lb.getOperatingStatus());
        }
        if (report != null && programmed && !Boolean.FALSE.equals(tree.loadBalancer().getSpec().getAdminStateUp())
                && pools.contains(OperatingStatus.ERROR)) {
            assertThat(lb.getOperatingStatus()).as(what).isEqualTo(OperatingStatus.ERROR);
        }
        assertThat(lb.getTopology()).as("the topology that runs")
                .isEqualTo(programming.amphorae().isEmpty() ? null : dev.lbaas.api.v1alpha1.Topology.SINGLE);
        checkConditions("load balancer", lb, rendered.verdict(uid(tree.loadBalancer())));
        checkTree(tree, result);
    }

    /** Ready is the conjunction of the other three; ACTIVE means Programmed; ERROR means the object is at fault. */
    private static void checkConditions(String what, LbaasStatus status, Verdict verdict) {
        Map<String, Condition> conditions = new HashMap<>();
        status.getConditions().forEach(c -> conditions.put(c.getType(), c));
        assertThat(conditions).as(what).containsOnlyKeys("Accepted", "ResolvedRefs", "Programmed", "Ready");
        boolean allTrue = Stream.of("Accepted", "ResolvedRefs", "Programmed")
                .allMatch(type -> "True".equals(conditions.get(type).getStatus()));
        assertThat(conditions.get("Ready").getStatus()).as(what).isEqualTo(allTrue ? "True" : "False");
        if (status.getProvisioningStatus() == ProvisioningStatus.ACTIVE) {
            assertThat(conditions.get("Programmed").getStatus()).as(what).isEqualTo("True");
        }
        assertThat(conditions.get("Accepted").getStatus()).as(what).isEqualTo(verdict.accepted() ? "True" : "False");
        if (verdict.isError()) {
            assertThat(status.getProvisioningStatus()).as(what).isEqualTo(ProvisioningStatus.ERROR);
        }
        conditions.values().stream().filter(c -> "False".equals(c.getStatus()))
                .forEach(c -> assertThat(c.getMessage()).as(what + " " + c.getType()).isNotBlank());
    }

    /**
     * Every listener is in the tree, every pool under each listener that it serves or else among the
     * pools, every member under its pool, each node as its object's own status says.
     */
    private static void checkTree(LoadBalancerTree tree, StatusComputer.Result result) {
        StatusTree statusTree = result.loadBalancer().getTree();
        assertThat(statusTree.getListeners()).extracting(StatusTree.Node::getName)
                .containsExactlyElementsOf(tree.listeners().stream().map(StatusPropagationTest::name).toList());
        List<StatusTree.PoolNode> served = statusTree.getListeners().stream().flatMap(l -> l.getPools().stream())
                .toList();
        List<String> servedNames = served.stream().map(StatusTree.Node::getName).distinct().toList();
        assertThat(statusTree.getPools()).extracting(StatusTree.Node::getName)
                .noneMatch(servedNames::contains);
        List<StatusTree.PoolNode> pools = new ArrayList<>(statusTree.getPools());
        pools.addAll(served);
        assertThat(pools.stream().map(StatusTree.Node::getName).distinct().toList())
                .containsExactlyInAnyOrderElementsOf(tree.pools().stream().map(StatusPropagationTest::name).toList());
        List<StatusTree.Node> nodes = new ArrayList<>(statusTree.getListeners());
        for (StatusTree.PoolNode pool : pools) {
            nodes.add(pool);
            nodes.addAll(pool.getMembers());
            assertThat(pool.getMembers()).extracting(StatusTree.Node::getName).containsExactlyElementsOf(
                    tree.members().stream().filter(m -> m.getSpec().getPoolRef().equals(pool.getName()))
                            .map(StatusPropagationTest::name).toList());
            if (pool.getHealthMonitor() != null) {
                nodes.add(pool.getHealthMonitor());
            }
        }
        for (StatusTree.Node node : nodes) {
            HasMetadata object = tree.children().filter(c -> name(c).equals(node.getName())
                    && c.getKind().equals(kindOf(node))).findFirst().orElseThrow();
            LbaasStatus status = result.children().get(uid(object));
            assertThat(node.getProvisioningStatus()).isEqualTo(status.getProvisioningStatus());
            assertThat(node.getOperatingStatus()).isEqualTo(status.getOperatingStatus());
            Condition ready = status.getConditions().stream().filter(c -> "Ready".equals(c.getType())).findFirst()
                    .orElseThrow();
            assertThat(node.getReason()).isEqualTo("True".equals(ready.getStatus()) ? null : ready.getReason());
        }
    }

    private static String kindOf(StatusTree.Node node) {
        if (node instanceof StatusTree.ListenerNode) {
            return "Listener";
        }
        if (node instanceof StatusTree.PoolNode) {
            return "Pool";
        }
        return node instanceof StatusTree.MemberNode ? "Member" : "HealthMonitor";
    }

    private static Programming programming(Scenario scenario, RenderedConfig rendered) {
        List<AmphoraView> views = new ArrayList<>();
        int i = 0;
        for (Amphora amphora : scenario.amphorae()) {
            AmphoraStatus report = null;
            if (amphora.reports() && rendered.config() != null) {
                report = new AmphoraStatus("amphora-" + i, amphora.serves() ? 1 : 0, 1,
                        rendered.config().listeners().stream().map(l -> new AmphoraStatus.ListenerStatus(l.id(),
                                scenario.full().getOrDefault(l.id(), false), TrafficStats.ZERO)).toList(),
                        rendered.config().pools().stream().map(p -> new AmphoraStatus.PoolStatus(p.id(),
                                p.members().stream().filter(m -> scenario.health().containsKey(m.id()))
                                        .map(m -> new AmphoraStatus.MemberStatus(m.id(), scenario.health().get(m.id()),
                                                TrafficStats.ZERO)).toList(), TrafficStats.ZERO)).toList());
            }
            views.add(new AmphoraView("amphora-" + i, AmphoraInfo.Role.STANDALONE, "pid " + i, amphora.reachable(),
                    amphora.serves() ? 1 : 0, null, report));
            i++;
        }
        // Every object is in generation 1, the only one.
        Map<String, Long> introducedIn = new HashMap<>();
        Stream.concat(Stream.of(scenario.tree().loadBalancer()), scenario.tree().children())
                .forEach(object -> introducedIn.put(uid(object), 1L));
        return new Programming(1, introducedIn, views);
    }

    @SuppressWarnings("unchecked")
    private static void setStatus(HasMetadata object, LbaasStatus status) {
        ((CustomResource<?, LbaasStatus>) object).setStatus(status);
    }

    private static String uid(HasMetadata object) {
        return object.getMetadata().getUid();
    }

    private static String name(HasMetadata object) {
        return object.getMetadata().getName();
    }
}
