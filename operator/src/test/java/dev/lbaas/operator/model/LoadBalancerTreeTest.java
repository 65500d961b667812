package dev.lbaas.operator.model;

import static dev.lbaas.operator.model.Fixtures.listener;
import static dev.lbaas.operator.model.Fixtures.loadBalancer;
import static dev.lbaas.operator.model.Fixtures.member;
import static dev.lbaas.operator.model.Fixtures.monitor;
import static dev.lbaas.operator.model.Fixtures.pool;
import static org.assertj.core.api.Assertions.assertThat;

import dev.lbaas.api.v1alpha1.HealthMonitorSpec;
import dev.lbaas.api.v1alpha1.Listener;
import dev.lbaas.api.v1alpha1.ListenerProtocol;
import dev.lbaas.api.v1alpha1.Pool;
import dev.lbaas.api.v1alpha1.PoolProtocol;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.List;
import org.junit.jupiter.api.Test;

class LoadBalancerTreeTest {

    @Test
    void aTreeHoldsWhatNamesTheLoadBalancerAndWhatNamesThatAndNothingElse() {
        Listener mine = listener("mine", "lb", ListenerProtocol.HTTP, 80, null);
        Listener theirs = listener("theirs", "other", ListenerProtocol.HTTP, 80, null);
        Pool direct = pool("direct", "lb", PoolProtocol.HTTP);
        Pool viaListener = pool("via-listener", null, PoolProtocol.HTTP);
        viaListener.getSpec().setListenerRef("mine");
        Pool viaTheirListener = pool("via-their-listener", null, PoolProtocol.HTTP);
        viaTheirListener.getSpec().setListenerRef("theirs");
        Pool foreign = pool("foreign", "other", PoolProtocol.HTTP);
        Pool both = pool("both", "other", PoolProtocol.HTTP);
        both.getSpec().setListenerRef("mine");

        LoadBalancerTree tree = LoadBalancerTree.select(loadBalancer("lb"), List.of(mine, theirs),
                List.of(direct, viaListener, viaTheirListener, foreign, both),
                List.of(member("m-direct", "direct", 1), member("m-via", "via-listener", 2),
                        member("m-foreign", "foreign", 3)),
                List.of(monitor("h-direct", "direct", HealthMonitorSpec.Type.TCP),
                        monitor("h-foreign", "foreign", HealthMonitorSpec.Type.TCP)));

        assertThat(names(tree.listeners())).containsExactly("mine");
        assertThat(names(tree.pools())).as("a loadBalancerRef decides over a listenerRef")
                .containsExactly("direct", "via-listener");
        assertThat(names(tree.members())).containsExactly("m-direct", "m-via");
        assertThat(names(tree.healthMonitors())).containsExactly("h-direct");
        assertThat(names(tree.children().toList())).containsExactly("mine", "direct", "via-listener", "m-direct",
                "m-via", "h-direct");
    }

    @Test
    void theOldestComesFirstAndAnObjectWithoutCreationTimeBeforeThem() {
        Listener late = listener("b-late", "lb", ListenerProtocol.HTTP, 80, null);
        Listener early = listener("c-early", "lb", ListenerProtocol.HTTP, 81, null);
        early.getMetadata().setCreationTimestamp("2000-01-01T00:00:00Z");
        Listener unknown = listener("z-unknown", "lb", ListenerProtocol.HTTP, 82, null);
        unknown.getMetadata().setCreationTimestamp(null);
        Listener sameTime = listener("a-same", "lb", ListenerProtocol.HTTP, 83, null);
        sameTime.getMetadata().setCreationTimestamp(late.getMetadata().getCreationTimestamp());

        LoadBalancerTree tree = LoadBalancerTree.select(loadBalancer("lb"), List.of(late, early, unknown, sameTime),
                List.of(), List.of(), List.of());

        assertThat(names(tree.listeners())).containsExactly("z-unknown", "c-early", "a-same", "b-late");
    }

    private static List<String> names(List<? extends HasMetadata> objects) {
        return objects.stream().map(o -> o.getMetadata().getName()).toList();
    }
}
