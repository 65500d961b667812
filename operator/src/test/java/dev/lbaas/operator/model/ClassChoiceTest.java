package dev.lbaas.operator.model;

import static dev.lbaas.operator.model.Fixtures.loadBalancer;
import static dev.lbaas.operator.model.Fixtures.loadBalancerClass;
import static org.assertj.core.api.Assertions.assertThat;

import dev.lbaas.api.v1alpha1.LoadBalancer;
import dev.lbaas.api.v1alpha1.LoadBalancerClass;
import dev.lbaas.api.v1alpha1.Topology;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ClassChoiceTest {

    private final LoadBalancer lb = loadBalancer("lb");

    @Test
    void withoutClassesTheBuiltInDefaultsServeASingleAmphora() {
        assertThat(ClassChoice.of(lb, List.of())).isEqualTo(ClassChoice.BUILT_IN);
        assertThat(ClassChoice.BUILT_IN.name()).isNull();
        assertThat(ClassChoice.BUILT_IN.topology()).isEqualTo(Topology.SINGLE);
    }

    @Test
    void aLoadBalancerWithoutClassNameGetsTheDefaultClassAndTheNewestOfSeveralDefaults() {
        LoadBalancerClass plain = loadBalancerClass("plain", Topology.SINGLE, false);
        LoadBalancerClass older = loadBalancerClass("older", Topology.SINGLE, true);
        LoadBalancerClass newer = loadBalancerClass("newer", Topology.SINGLE, true);

        assertThat(ClassChoice.of(lb, List.of(plain)).name()).isNull();
        assertThat(ClassChoice.of(lb, List.of(plain, older)).name()).isEqualTo("older");
        assertThat(ClassChoice.of(lb, List.of(newer, plain, older)).name()).isEqualTo("newer");
        assertThat(ClassChoice.of(lb, List.of(older, newer)).name()).isEqualTo("newer");
        // An annotation other than "true" does not make a default.
        older.getMetadata().getAnnotations().put(LoadBalancerClass.DEFAULT_ANNOTATION, "yes");
        assertThat(ClassChoice.of(lb, List.of(older)).name()).isNull();
    }

    @Test
    void aNamedClassWinsOverTheDefaultAndAMissingOneIsWaitedFor() {
        LoadBalancerClass gold = loadBalancerClass("gold", Topology.SINGLE, false);
        LoadBalancerClass standard = loadBalancerClass("standard", Topology.SINGLE, true);
        lb.getSpec().setClassName("gold");

        assertThat(ClassChoice.of(lb, List.of(standard, gold)).name()).isEqualTo("gold");
        assertThat(ClassChoice.of(lb, List.of(standard, gold)).verdict()).isEqualTo(Verdict.OK);

        ClassChoice missing = ClassChoice.of(lb, List.of(standard));
        assertThat(missing.name()).isNull();
        assertThat(missing.verdict().served()).isFalse();
        assertThat(missing.verdict().resolvedRefs()).isFalse();
        assertThat(missing.verdict().isError()).isFalse();
        assertThat(missing.verdict().reason()).isEqualTo("ClassNotFound");
        assertThat(missing.verdict().message()).isEqualTo("className: LoadBalancerClass \"gold\" does not exist; "
                + "this load balancer gets its VIP and amphorae once it is created");
    }

    @Test
    void theLoadBalancersTopologyOverridesTheClassesAndATopologyTheDriverDoesNotRunIsRefusedWhereverItComesFrom() {
        LoadBalancerClass pair = loadBalancerClass("pair", Topology.ACTIVE_STANDBY, true);
        Set<Topology> singleOnly = EnumSet.of(Topology.SINGLE);

        ClassChoice fromClass = ClassChoice.of(lb, List.of(pair), singleOnly, "example");
        assertThat(fromClass.topology()).isEqualTo(Topology.ACTIVE_STANDBY);
        assertThat(fromClass.verdict().reason()).isEqualTo("UnsupportedField");
        assertThat(fromClass.verdict().isError()).isTrue();
        assertThat(fromClass.verdict().message()).isEqualTo("the topology of LoadBalancerClass \"pair\": ACTIVE_STANDBY "
                + "is not served by the example driver yet, so this load balancer gets no amphora; create it again "
                + "with topology SINGLE");
        assertThat(ClassChoice.of(lb, List.of(pair)).verdict()).as("served where the driver runs pairs")
                .isEqualTo(Verdict.OK);

        lb.getSpec().setTopology(Topology.SINGLE);
        assertThat(ClassChoice.of(lb, List.of(pair), singleOnly, "example").topology()).isEqualTo(Topology.SINGLE);
        assertThat(ClassChoice.of(lb, List.of(pair), singleOnly, "example").verdict()).isEqualTo(Verdict.OK);

        lb.getSpec().setTopology(Topology.ACTIVE_STANDBY);
        LoadBalancerClass single = loadBalancerClass("single", Topology.SINGLE, true);
        assertThat(ClassChoice.of(lb, List.of(single), singleOnly, "example").verdict().message())
                .startsWith("topology: ACTIVE_STANDBY is not served by the example driver yet");
        assertThat(ClassChoice.of(lb, List.of(single)).topology()).isEqualTo(Topology.ACTIVE_STANDBY);
    }

    @Test
    void aRunningLoadBalancerKeepsItsTopologyWhenItsClassIsEdited() {
        LoadBalancerClass pair = loadBalancerClass("pair", Topology.ACTIVE_STANDBY, true);
        assertThat(ClassChoice.of(lb, List.of(pair)).topology()).isEqualTo(Topology.ACTIVE_STANDBY);
        dev.lbaas.api.v1alpha1.LoadBalancerStatus running = new dev.lbaas.api.v1alpha1.LoadBalancerStatus();
        running.setTopology(Topology.ACTIVE_STANDBY);
        lb.setStatus(running);
        pair.getSpec().setTopology(Topology.SINGLE);
        assertThat(ClassChoice.of(lb, List.of(pair)).topology()).as("the pair keeps running as a pair")
                .isEqualTo(Topology.ACTIVE_STANDBY);
        lb.getStatus().setTopology(null);
        assertThat(ClassChoice.of(lb, List.of(pair)).topology()).as("nothing runs yet: the class decides")
                .isEqualTo(Topology.SINGLE);
    }
}
