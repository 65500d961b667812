package dev.lbaas.operator.model;

import static dev.lbaas.operator.model.Fixtures.pool;
import static org.assertj.core.api.Assertions.assertThat;

import dev.lbaas.api.v1alpha1.MemberSelector;
import dev.lbaas.api.v1alpha1.Pool;
import dev.lbaas.api.v1alpha1.PoolProtocol;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import java.util.List;
import org.junit.jupiter.api.Test;

class MemberSelectionTest {

    private final Pool pool = pool("pool-web", "lb", PoolProtocol.HTTP);
    private final Service web = new ServiceBuilder().withNewMetadata().withName("web").endMetadata()
            .withNewSpec()
                .addNewPort().withName("http").withPort(80).withTargetPort(new IntOrString("http")).endPort()
                .addNewPort().withName("metrics").withPort(9090).withTargetPort(new IntOrString(9090)).endPort()
            .endSpec().build();

    private MemberSelector selector(String portName, Integer port) {
        MemberSelector selector = new MemberSelector();
        selector.setService("web");
        selector.setPortName(portName);
        selector.setPort(port);
        pool.getSpec().setMemberSelector(selector);
        return selector;
    }

    @Test
    void theReadyEndpointsAreTheMembersAtThePortTheServicePortLeadsTo() {
        selector("http", null).setWeight(3);
        EndpointSlice slice = slice("10.0.0.7", true, "10.0.0.8", null, "10.0.0.9", false);

        MemberSelection selection = MemberSelection.of(pool, web, List.of(slice));

        assertThat(selection.problem()).isNull();
        assertThat(selection.members()).containsExactly(
                new MemberSelection.Selected("pool-web-10-0-0-7-8080", "10.0.0.7", 8080, 3, false),
                new MemberSelection.Selected("pool-web-10-0-0-8-8080", "10.0.0.8", 8080, 3, false));
    }

    @Test
    void aServicePortByNumberSelectsTheSameAsByName() {
        selector(null, 80);
        assertThat(MemberSelection.of(pool, web, List.of(slice("10.0.0.7", true))).members())
                .extracting(MemberSelection.Selected::port).containsExactly(8080);
        selector(null, 9090);
        assertThat(MemberSelection.of(pool, web, List.of(slice("10.0.0.7", true))).members())
                .extracting(MemberSelection.Selected::port).containsExactly(9090);
    }

    @Test
    void aMissingServiceOrPortSelectsNothingAndSaysWhy() {
        selector("http", null);
        MemberSelection noService = MemberSelection.of(pool, null, List.of());
        assertThat(noService.members()).isEmpty();
        assertThat(noService.problem().reason()).isEqualTo("ServiceNotFound");
        assertThat(noService.problem().resolvedRefs()).isFalse();
        assertThat(noService.problem().served()).as("the pool itself still serves").isTrue();

        selector("https", null);
        assertThat(MemberSelection.of(pool, web, List.of()).problem().message())
                .isEqualTo("memberSelector.portName: Service \"web\" has no port named \"https\"; the pool has no "
                        + "members until it does");
        selector(null, 443);
        assertThat(MemberSelection.of(pool, web, List.of()).problem().reason()).isEqualTo("ServicePortNotFound");
    }

    @Test
    void memberNamesAreKubernetesNamesForEveryAddress() {
        assertThat(MemberSelection.memberName("pool-web", "2001:DB8::7", 443)).isEqualTo("pool-web-2001-db8--7-443");
        assertThat(MemberSelection.memberName("p".repeat(253), "10.0.0.7", 80)).hasSize(253).endsWith("-10-0-0-7-80");
    }

    /** One slice of Service web: address, ready (true, false or null for unsaid) pairs. */
    private static EndpointSlice slice(Object... addressAndReady) {
        EndpointSliceBuilder builder = new EndpointSliceBuilder().withNewMetadata().withName("web-abcde")
                .addToLabels("kubernetes.io/service-name", "web").endMetadata()
                .withAddressType("IPv4")
                .addNewPort().withName("http").withPort(8080).withProtocol("TCP").endPort()
                .addNewPort().withName("metrics").withPort(9090).withProtocol("TCP").endPort();
        for (int i = 0; i < addressAndReady.length; i += 2) {
            builder.addNewEndpoint().withAddresses((String) addressAndReady[i])
                    .withNewConditions().withReady((Boolean) addressAndReady[i + 1]).endConditions().endEndpoint();
        }
        return builder.build();
    }
}
