package dev.lbaas.operator.model;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lbaas.amphora.config.AgentApi;
import dev.lbaas.amphora.config.AmphoraConfig;
import dev.lbaas.api.testing.ControlPlane;
import dev.lbaas.api.v1alpha1.HealthMonitor;
import dev.lbaas.api.v1alpha1.L7Policy;
import dev.lbaas.api.v1alpha1.L7Rule;
import dev.lbaas.api.v1alpha1.LbaasStatus;
import dev.lbaas.api.v1alpha1.Listener;
import dev.lbaas.api.v1alpha1.LoadBalancer;
import dev.lbaas.api.v1alpha1.Member;
import dev.lbaas.api.v1alpha1.Pool;
import dev.lbaas.api.v1alpha1.Topology;
import dev.lbaas.operator.status.Programming;
import dev.lbaas.operator.status.StatusComputer;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.EdgeCasesMode;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Admission and the amphora configuration agree: whatever specs the published CRDs admit, on a real
 * kube-apiserver, the operator can read them, renders them without an exception and gives every
 * object a verdict, and the configuration it renders is one the amphora's own records accept. A value
 * that admission lets through and the records refuse fails this test (as a timeout of 0s did before
 * the CRDs bounded it); so does an admitted integer the operator's model cannot hold.
 *
 * <p>Each case is a load balancer tree built twice: the second time some objects change or go, so
 * that rendering with a previous configuration (what incumbents keep, what edits fall back to) is
 * exercised too. The test command runs a few hundred cases; {@code -Djqwik.tries.default=N} runs more.
 */
class AdmissionAgreementIT {

    private static final String NAMESPACE = "default";
    private static final List<String> KINDS = List.of("LoadBalancer", "Listener", "Pool", "Member", "HealthMonitor",
            "L7Policy", "L7Rule");

    private static ControlPlane controlPlane;
    private static SchemaSpecs specs;

    private static final Map<String, AtomicInteger> ADMITTED = new LinkedHashMap<>();
    private static final Map<String, AtomicInteger> REFUSED = new LinkedHashMap<>();
    private static final Map<String, AtomicInteger> REASONS = new LinkedHashMap<>();

    @BeforeContainer
    static void startApiServer() {
        controlPlane = ControlPlane.start();
        SchemaSpecs probed = new SchemaSpecs(controlPlane.client(), NAMESPACE, controlPlane.crds());
        probed.probeStrings();
        // Only now: the checks after the tests would hide why a start that failed failed.
        specs = probed;
        KINDS.forEach(kind -> {
            ADMITTED.put(kind, new AtomicInteger());
            REFUSED.put(kind, new AtomicInteger());
        });
    }

    @AfterContainer
    static void stopApiServer() {
        try {
            if (specs == null) {
                return;
            }
            System.out.println("admitted " + ADMITTED + ", refused by the API server " + REFUSED + ", verdicts "
                    + REASONS);
            // A test that generated nothing admitted, or never got past the happy path, would prove nothing.
            KINDS.forEach(kind -> assertThat(ADMITTED.get(kind).get()).as("admitted " + kind + " objects")
                    .isGreaterThan(20));
            // The frequent ones; rarer verdicts (a second monitor, a duplicate member) have unit tests.
            assertThat(REASONS).as("verdicts other than Accepted").containsKeys("PortConflict", "IncompatiblePool",
                    "PoolNotFound", "DefaultPoolConflict", "UnsupportedProtocol", "LoadBalancerNotAccepted",
                    "PolicyNotServed");
        } finally {
            if (controlPlane != null) {
                controlPlane.close();
            }
        }
    }

    /**
     * One object to create: its kind, name and candidate specs (references included); the first
     * candidate the API server admits is the object, so that kinds with many rules still get through.
     */
    record Draft(String kind, String name, List<Map<String, Object>> candidates) {
    }

    /** A tree, then the same tree edited. */
    record Case(List<Draft> first, List<Draft> second) {
    }

    @Provide
    Arbitrary<Case> cases() {
        Arbitrary<List<Draft>> trees = tree();
        return Combinators.combine(trees, trees, Arbitraries.integers().between(0, 100))
                .as((first, replacement, keepPercent) -> new Case(first, edit(first, replacement, keepPercent)));
    }

    /** The second tree: each object of the first kept or replaced by the object of that name in another tree. */
    private static List<Draft> edit(List<Draft> first, List<Draft> other, int keepPercent) {
        List<Draft> edited = new ArrayList<>();
        for (int i = 0; i < first.size(); i++) {
            Draft draft = first.get(i);
            Draft replacement = other.stream().filter(d -> d.name().equals(draft.name()) && d.kind().equals(draft.kind()))
                    .findFirst().orElse(null);
            if ((i * 37) % 100 < keepPercent || replacement == null) {
                edited.add(draft);
            } else {
                edited.add(replacement);
            }
        }
        return edited;
    }

    private static Arbitrary<List<Draft>> tree() {
        Arbitrary<List<List<Map<String, Object>>>> listeners = candidates("Listener").list().ofMaxSize(3);
        Arbitrary<List<List<Map<String, Object>>>> pools = candidates("Pool").list().ofMaxSize(3);
        Arbitrary<List<List<Map<String, Object>>>> members = candidates("Member").list().ofMaxSize(4);
        Arbitrary<List<List<Map<String, Object>>>> monitors = candidates("HealthMonitor").list().ofMaxSize(2);
        Arbitrary<List<List<Map<String, Object>>>> policies = candidates("L7Policy").list().ofMaxSize(3);
        Arbitrary<List<List<Map<String, Object>>>> rules = candidates("L7Rule").list().ofMaxSize(4);
        Arbitrary<List<Integer>> picks = Arbitraries.integers().between(0, 99).list().ofSize(24);
        return Combinators.combine(candidates("LoadBalancer"), listeners, pools, members, monitors, policies, rules,
                picks).as(AdmissionAgreementIT::drafts);
    }

    private static Arbitrary<List<Map<String, Object>>> candidates(String kind) {
        return specs.specs(kind).list().ofSize(3);
    }

    /** Names the objects and wires their references to each other, now and then to a name that is not there. */
    private static List<Draft> drafts(List<Map<String, Object>> lb, List<List<Map<String, Object>>> listeners,
            List<List<Map<String, Object>>> pools, List<List<Map<String, Object>>> members,
            List<List<Map<String, Object>>> monitors, List<List<Map<String, Object>>> policies,
            List<List<Map<String, Object>>> rules, List<Integer> picks) {
        int[] pick = {0};
        java.util.function.Function<List<String>, String> choose = names -> {
            int p = picks.get(pick[0]++ % picks.size());
            return names.isEmpty() || p >= 90 ? "missing" : names.get(p % names.size());
        };
        List<String> listenerNames = names("listener", listeners.size());
        List<String> poolNames = names("pool", pools.size());
        List<Draft> drafts = new ArrayList<>();
        boolean served = picks.get(23) < 70;
        drafts.add(new Draft("LoadBalancer", "lb", with(lb, spec -> {
            if (served) {
                // Mostly load balancers that are served, so that their children are rendered too.
                spec.remove("className");
                spec.remove("topology");
            }
        })));
        for (int i = 0; i < listeners.size(); i++) {
            boolean named = picks.get(i) % 3 != 0;
            String pool = choose.apply(poolNames);
            drafts.add(new Draft("Listener", listenerNames.get(i), with(listeners.get(i), spec -> {
                spec.put("loadBalancerRef", "lb");
                if (named) {
                    spec.put("defaultPoolRef", pool);
                }
            })));
        }
        for (int i = 0; i < pools.size(); i++) {
            boolean underLoadBalancer = picks.get(i + 3) % 2 == 0 || listenerNames.isEmpty();
            String listener = choose.apply(listenerNames);
            drafts.add(new Draft("Pool", poolNames.get(i), with(pools.get(i), spec -> {
                if (underLoadBalancer) {
                    spec.put("loadBalancerRef", "lb");
                } else {
                    spec.put("listenerRef", listener);
                }
            })));
        }
        List<String> memberNames = names("member", members.size());
        for (int i = 0; i < members.size(); i++) {
            String pool = choose.apply(poolNames);
            drafts.add(new Draft("Member", memberNames.get(i), with(members.get(i), spec -> spec.put("poolRef", pool))));
        }
        List<String> monitorNames = names("monitor", monitors.size());
        for (int i = 0; i < monitors.size(); i++) {
            String pool = choose.apply(poolNames);
            drafts.add(new Draft("HealthMonitor", monitorNames.get(i),
                    with(monitors.get(i), spec -> spec.put("poolRef", pool))));
        }
        List<String> policyNames = names("policy", policies.size());
        for (int i = 0; i < policies.size(); i++) {
            String listener = choose.apply(listenerNames);
            String pool = choose.apply(poolNames);
            drafts.add(new Draft("L7Policy", policyNames.get(i), with(policies.get(i), spec -> {
                spec.put("listenerRef", listener);
                if (spec.containsKey("redirectPoolRef")) {
                    spec.put("redirectPoolRef", pool);
                }
            })));
        }
        List<String> ruleNames = names("rule", rules.size());
        for (int i = 0; i < rules.size(); i++) {
            String policy = choose.apply(policyNames);
            drafts.add(new Draft("L7Rule", ruleNames.get(i), with(rules.get(i), spec -> spec.put("l7PolicyRef", policy))));
        }
        return drafts;
    }

    private static List<Map<String, Object>> with(List<Map<String, Object>> candidates,
            java.util.function.Consumer<Map<String, Object>> change) {
        return candidates.stream().map(candidate -> {
            Map<String, Object> spec = new LinkedHashMap<>(candidate);
            change.accept(spec);
            return spec;
        }).toList();
    }

    private static List<String> names(String prefix, int count) {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            names.add(prefix + "-" + i);
        }
        return names;
    }

    @Property(edgeCases = EdgeCasesMode.NONE)
    void whateverAdmissionAdmitsRendersWithAVerdictForEveryObject(@ForAll("cases") Case sample) throws Exception {
        Map<String, String> uids = new LinkedHashMap<>();
        LoadBalancerTree first = admit(sample.first(), uids);
        if (first == null) {
            return;
        }
        RenderedConfig firstRendered = renderAndCheck(first, null);
        LoadBalancerTree second = admit(sample.second(), uids);
        if (second == null) {
            return;
        }
        renderAndCheck(second, firstRendered.config());
    }

    /**
     * The tree as the operator would read it: each draft dry-run created on the API server, the
     * refused left out, the admitted read into the operator's model. Null when the load balancer
     * itself is refused. An object keeps its uid from one tree to the next, as an edited object does.
     */
    private static LoadBalancerTree admit(List<Draft> drafts, Map<String, String> uids) {
        LoadBalancer lb = null;
        List<Listener> listeners = new ArrayList<>();
        List<Pool> pools = new ArrayList<>();
        List<Member> members = new ArrayList<>();
        List<HealthMonitor> monitors = new ArrayList<>();
        List<L7Policy> policies = new ArrayList<>();
        List<L7Rule> rules = new ArrayList<>();
        int order = 0;
        for (Draft draft : drafts) {
            GenericKubernetesResource admitted = null;
            for (Map<String, Object> candidate : draft.candidates()) {
                admitted = specs.admit(draft.kind(), draft.name(), candidate);
                if (admitted != null) {
                    break;
                }
                REFUSED.get(draft.kind()).incrementAndGet();
            }
            if (admitted == null) {
                continue;
            }
            ADMITTED.get(draft.kind()).incrementAndGet();
            admitted.getMetadata().setUid(uids.computeIfAbsent(draft.kind() + "/" + draft.name(),
                    k -> draft.kind().toLowerCase() + "-" + draft.name() + "-" + uids.size()));
            admitted.getMetadata().setCreationTimestamp(Instant.parse("2026-01-01T00:00:00Z")
                    .plusSeconds(order++).toString());
            admitted.getMetadata().setGeneration(1L);
            switch (draft.kind()) {
                case "LoadBalancer" -> lb = SchemaSpecs.typed(admitted, LoadBalancer.class);
                case "Listener" -> listeners.add(SchemaSpecs.typed(admitted, Listener.class));
                case "Pool" -> pools.add(SchemaSpecs.typed(admitted, Pool.class));
                case "Member" -> members.add(SchemaSpecs.typed(admitted, Member.class));
                case "L7Policy" -> policies.add(SchemaSpecs.typed(admitted, L7Policy.class));
                case "L7Rule" -> rules.add(SchemaSpecs.typed(admitted, L7Rule.class));
                default -> monitors.add(SchemaSpecs.typed(admitted, HealthMonitor.class));
            }
        }
        // As the Kubernetes driver sees them, the stricter one: it runs SINGLE load balancers only.
        return lb == null ? null : LoadBalancerTree.select(lb, listeners, pools, members, monitors, policies, rules)
                .withClass(ClassChoice.of(lb, List.of(), EnumSet.of(Topology.SINGLE), "kubernetes"));
    }

    private static Object spec(HasMetadata object) {
        return object instanceof io.fabric8.kubernetes.client.CustomResource<?, ?> resource ? resource.getSpec() : null;
    }

    private static RenderedConfig renderAndCheck(LoadBalancerTree tree, AmphoraConfig previous) throws Exception {
        RenderedConfig rendered = ConfigRenderer.render(tree, "127.100.0.1", previous == null ? 1
                : previous.generation() + 1, previous);

        List<HasMetadata> objects = new ArrayList<>(tree.children().toList());
        objects.add(tree.loadBalancer());
        List<String> uids = objects.stream().map(o -> o.getMetadata().getUid()).toList();
        assertThat(uids).containsAll(rendered.verdicts().keySet());
        for (HasMetadata object : objects) {
            Verdict verdict = rendered.verdict(object.getMetadata().getUid());
            assertThat(verdict.reason()).as("verdict of " + object.getKind() + " " + object.getMetadata().getName())
                    .isNotBlank();
            // InvalidSpec is a record refusing a value that admission let through: the disagreement this test hunts.
            assertThat(verdict.reason()).as(object.getKind() + " " + object.getMetadata().getName() + ": "
                    + verdict.message() + "\nspec: " + AgentApi.json().writeValueAsString(spec(object)))
                    .isNotEqualTo("InvalidSpec");
            if (verdict != Verdict.OK) {
                assertThat(verdict.message()).isNotBlank();
                REASONS.computeIfAbsent(verdict.reason(), r -> new AtomicInteger()).incrementAndGet();
            }
        }
        if (rendered.config() != null) {
            // What the amphora receives: it reads it back into the same records, with their checks.
            String json = AgentApi.json().writeValueAsString(rendered.config());
            assertThat(AgentApi.json().readValue(json, AmphoraConfig.class)).isEqualTo(rendered.config());
            for (HasMetadata object : objects) {
                Verdict verdict = rendered.verdict(object.getMetadata().getUid());
                assertThat(json.contains("\"" + object.getMetadata().getUid() + "\""))
                        .as(object.getKind() + " " + object.getMetadata().getName() + " served: " + verdict)
                        .isEqualTo(verdict.served() || object instanceof LoadBalancer);
            }
        }
        StatusComputer.Result statuses = StatusComputer.compute(tree, rendered,
                new Programming(1, Map.of(), List.of()), Instant.now());
        for (HasMetadata child : tree.children().toList()) {
            LbaasStatus status = statuses.children().get(child.getMetadata().getUid());
            assertThat(status.getProvisioningStatus()).isNotNull();
            assertThat(status.getConditions()).hasSize(4);
        }
        return rendered;
    }
}
