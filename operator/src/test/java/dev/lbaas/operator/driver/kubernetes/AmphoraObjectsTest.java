package dev.lbaas.operator.driver.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lbaas.amphora.config.AmphoraConfig;
import dev.lbaas.amphora.config.ListenerConfig;
import dev.lbaas.amphora.config.ListenerProtocol;
import dev.lbaas.api.v1alpha1.AmphoraInfo;
import dev.lbaas.api.v1alpha1.AmphoraTemplate;
import dev.lbaas.api.v1alpha1.LoadBalancer;
import dev.lbaas.api.v1alpha1.LoadBalancerClass;
import dev.lbaas.api.v1alpha1.LoadBalancerClassSpec;
import dev.lbaas.api.v1alpha1.Topology;
import dev.lbaas.api.v1alpha1.VipServiceTemplate;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.TolerationBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointPort;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class AmphoraObjectsTest {

    private static final AmphoraObjects.Defaults DEFAULTS = new AmphoraObjects.Defaults("localhost/lbaas/amphora:1",
            "IfNotPresent");

    private final LoadBalancer lb = loadBalancer("lb-web", "0b180d2f-76a0-4dbd-ae74-e07946167545");

    @Test
    void anAmphoraPodMeetsTheRestrictedPodSecurityStandardAndBelongsToItsLoadBalancer() {
        Pod pod = AmphoraObjects.pod(lb, null, "amphora-1", AmphoraInfo.Role.STANDALONE, DEFAULTS);

        assertThat(pod.getMetadata().getName()).isEqualTo("lb-web-amphora-1");
        assertThat(pod.getMetadata().getNamespace()).isEqualTo("shop");
        assertThat(pod.getMetadata().getOwnerReferences()).singleElement().satisfies(owner -> {
            assertThat(owner.getUid()).isEqualTo(lb.getMetadata().getUid());
            assertThat(owner.getController()).isTrue();
        });
        assertThat(pod.getMetadata().getLabels()).containsEntry(KubernetesDriver.LOAD_BALANCER_UID,
                lb.getMetadata().getUid()).containsEntry(KubernetesDriver.AMPHORA_ID, "amphora-1")
                .containsEntry(KubernetesDriver.ROLE, "STANDALONE").containsEntry(KubernetesDriver.COMPONENT, "amphora");
        var podSecurity = pod.getSpec().getSecurityContext();
        assertThat(podSecurity.getRunAsNonRoot()).isTrue();
        assertThat(podSecurity.getRunAsUser()).isEqualTo(65532L);
        assertThat(podSecurity.getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
        assertThat(podSecurity.getSysctls()).singleElement()
                .satisfies(s -> assertThat(s.getName()).isEqualTo("net.ipv4.ip_unprivileged_port_start"));
        assertThat(pod.getSpec().getAutomountServiceAccountToken()).isFalse();
        Container amphora = pod.getSpec().getContainers().get(0);
        assertThat(amphora.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
        assertThat(amphora.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
        assertThat(amphora.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");
        assertThat(amphora.getSecurityContext().getCapabilities().getAdd()).isNullOrEmpty();
        assertThat(amphora.getImage()).isEqualTo("localhost/lbaas/amphora:1");
        assertThat(amphora.getImagePullPolicy()).isEqualTo("IfNotPresent");
        assertThat(amphora.getArgs()).containsSubsequence("--id", "amphora-1").contains("--probe-port", "8404")
                .containsSubsequence("--shutdown-delay-seconds", "10");
        // SIGTERM, then ten seconds of serving while the replacement starts, then the end.
        assertThat(pod.getSpec().getTerminationGracePeriodSeconds()).isEqualTo(15L);
        assertThat(amphora.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/readyz");
        assertThat(amphora.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/healthz");
        assertThat(amphora.getResources().getLimits()).containsEntry("memory", new Quantity("384Mi"));
        assertThat(pod.getSpec().getVolumes()).anySatisfy(volume -> assertThat(volume.getSecret().getSecretName())
                .isEqualTo("lb-web-amphora-1"));
        assertThat(pod.getSpec().getAffinity().getPodAntiAffinity()
                .getPreferredDuringSchedulingIgnoredDuringExecution()).hasSize(1);
    }

    @Test
    void theClassGivesImageResourcesAndPlacement() {
        AmphoraTemplate template = new AmphoraTemplate();
        template.setImage("registry.example/lbaas/amphora:2");
        template.setImagePullPolicy("Always");
        template.setResources(new ResourceRequirementsBuilder().addToLimits("memory", new Quantity("1Gi")).build());
        template.setNodeSelector(Map.of("node-role.example/lb", "true"));
        template.setTolerations(List.of(new TolerationBuilder().withKey("lb").withOperator("Exists").build()));
        template.setPriorityClassName("lb-critical");
        LoadBalancerClass gold = lbClass(template, null);

        Pod pod = AmphoraObjects.pod(lb, gold, "amphora-1", AmphoraInfo.Role.STANDALONE, DEFAULTS);

        Container amphora = pod.getSpec().getContainers().get(0);
        assertThat(amphora.getImage()).isEqualTo("registry.example/lbaas/amphora:2");
        assertThat(amphora.getImagePullPolicy()).isEqualTo("Always");
        assertThat(amphora.getResources().getLimits()).containsOnly(Map.entry("memory", new Quantity("1Gi")));
        assertThat(pod.getSpec().getNodeSelector()).containsEntry("node-role.example/lb", "true");
        assertThat(pod.getSpec().getTolerations()).singleElement().satisfies(t -> assertThat(t.getKey()).isEqualTo("lb"));
        assertThat(pod.getSpec().getPriorityClassName()).isEqualTo("lb-critical");
    }

    @Test
    void theVipServiceHasAPortPerListenerWithItsProtocolAndTheClassesTypeAndAnnotations() {
        VipServiceTemplate vip = new VipServiceTemplate();
        vip.setType(VipServiceTemplate.Type.NodePort);
        vip.setAnnotations(Map.of("example.com/pool", "public"));
        AmphoraConfig config = new AmphoraConfig(3, "lb", "0.0.0.0", true, List.of(
                listener("web", ListenerProtocol.HTTP, 80), listener("dns", ListenerProtocol.UDP, 53),
                listener("tls", ListenerProtocol.HTTPS, 443)), List.of());

        Service service = AmphoraObjects.vipService(lb, lbClass(null, vip), Topology.SINGLE, "10.254.2.9", config);

        assertThat(service.getMetadata().getName()).isEqualTo("lb-web-vip");
        assertThat(service.getMetadata().getAnnotations()).containsEntry("example.com/pool", "public");
        assertThat(service.getSpec().getType()).isEqualTo("NodePort");
        assertThat(service.getSpec().getClusterIP()).isEqualTo("10.254.2.9");
        assertThat(service.getSpec().getSelector()).containsOnly(Map.entry(KubernetesDriver.COMPONENT, "amphora"),
                Map.entry(KubernetesDriver.LOAD_BALANCER_UID, lb.getMetadata().getUid()));
        assertThat(service.getSpec().getPorts()).extracting(ServicePort::getName, ServicePort::getProtocol,
                ServicePort::getPort).containsExactly(
                org.assertj.core.groups.Tuple.tuple("tcp-80", "TCP", 80),
                org.assertj.core.groups.Tuple.tuple("udp-53", "UDP", 53),
                org.assertj.core.groups.Tuple.tuple("tcp-443", "TCP", 443));
        // Without listeners: one port nobody answers, since a Service needs a port.
        assertThat(AmphoraObjects.vipService(lb, null, Topology.SINGLE, null, null).getSpec().getPorts()).singleElement()
                .satisfies(port -> assertThat(port.getName()).isEqualTo(AmphoraObjects.NO_LISTENER));
        assertThat(AmphoraObjects.vipService(lb, null, Topology.SINGLE, null, null).getSpec().getType()).isEqualTo("ClusterIP");
    }

    @Test
    void statusShowsTheNodePortsOfTheListenersPortsOnly() {
        AmphoraConfig config = new AmphoraConfig(3, "lb", "0.0.0.0", true, List.of(
                listener("web", ListenerProtocol.HTTP, 80), listener("dns", ListenerProtocol.UDP, 53)), List.of());
        Service service = AmphoraObjects.vipService(lb, null, Topology.SINGLE, "10.254.2.9", config);
        service.getSpec().getPorts().get(0).setNodePort(30080);
        service.getSpec().getPorts().get(1).setNodePort(30053);

        assertThat(AmphoraObjects.nodePorts(service)).containsExactly(
                new dev.lbaas.api.v1alpha1.VipPort("TCP", 80, 30080), new dev.lbaas.api.v1alpha1.VipPort("UDP", 53, 30053));
        Service none = AmphoraObjects.vipService(lb, null, Topology.SINGLE, "10.254.2.9", null);
        none.getSpec().getPorts().get(0).setNodePort(30001);
        assertThat(AmphoraObjects.nodePorts(none)).as("the port of a VIP without listeners").isEmpty();
        assertThat(AmphoraObjects.nodePorts(AmphoraObjects.vipService(lb, null, Topology.SINGLE, "10.254.2.9", config))).isEmpty();
    }

    @Test
    void namesFitADnsLabelWhateverTheLoadBalancersName() {
        LoadBalancer dotted = loadBalancer("web.shop.example", "1234abcd-0000-0000-0000-000000000000");
        assertThat(AmphoraObjects.name(dotted, "vip")).isEqualTo("web-shop-example-vip");
        LoadBalancer digits = loadBalancer("9lives", "1234abcd-0000-0000-0000-000000000000");
        assertThat(AmphoraObjects.name(digits, "vip")).isEqualTo("lb-9lives-1234abcd-vip");
        LoadBalancer longName = loadBalancer("a".repeat(100), "1234abcd-0000-0000-0000-000000000000");
        String name = AmphoraObjects.name(longName, "amphora-0f0f0f0f");
        assertThat(name).hasSizeLessThanOrEqualTo(63).startsWith("lb-aaa").endsWith("-1234abcd-amphora-0f0f0f0f");
    }

    @Test
    void amphoraIdsAreTheSameForTheSameLoadBalancerAndSkipPodsThatExist() {
        String first = KubernetesDriver.newAmphoraId(lb, Set.of());
        assertThat(first).matches("amphora-[0-9a-f]{8}");
        assertThat(KubernetesDriver.newAmphoraId(lb, Set.of())).isEqualTo(first);
        String second = KubernetesDriver.newAmphoraId(lb, Set.of(AmphoraObjects.podName(lb, first)));
        assertThat(second).isNotEqualTo(first).matches("amphora-[0-9a-f]{8}");
        LoadBalancer other = loadBalancer("lb-web", "ffffffff-76a0-4dbd-ae74-e07946167545");
        assertThat(KubernetesDriver.newAmphoraId(other, Set.of())).isNotEqualTo(first);
    }

    @Test
    void theDisruptionBudgetKeepsOneAmphoraAndNeverBlocksOnABrokenOne() {
        var budget = AmphoraObjects.disruptionBudget(lb).getSpec();
        assertThat(budget.getMinAvailable().getIntVal()).isEqualTo(1);
        assertThat(budget.getUnhealthyPodEvictionPolicy()).isEqualTo("AlwaysAllow");
        assertThat(budget.getSelector().getMatchLabels()).isEqualTo(AmphoraObjects.selector(lb));
    }

    @Test
    void aPairsAmphoraMayWriteItsVipsEndpointSliceAndNothingElse() {
        Pod pod = AmphoraObjects.pod(lb, null, "amphora-2", AmphoraInfo.Role.BACKUP, DEFAULTS);
        var spec = pod.getSpec();
        var container = spec.getContainers().get(0);

        assertThat(pod.getMetadata().getLabels()).containsEntry(KubernetesDriver.ROLE, "BACKUP");
        assertThat(spec.getServiceAccountName()).isEqualTo("lb-web-amphora");
        assertThat(spec.getAutomountServiceAccountToken()).isTrue();
        assertThat(container.getArgs()).containsSequence("--vip-endpoint-slice", "shop/lb-web-vip",
                "--pod-name", "lb-web-amphora-2", "--pod-ip", "$(POD_IP)");
        assertThat(container.getEnv()).singleElement().satisfies(env -> {
            assertThat(env.getName()).isEqualTo("POD_IP");
            assertThat(env.getValueFrom().getFieldRef().getFieldPath()).isEqualTo("status.podIP");
        });
        assertThat(container.getPorts()).extracting(p -> p.getName() + " " + p.getContainerPort() + "/"
                + (p.getProtocol() == null ? "TCP" : p.getProtocol()))
                .contains("adverts 7112/UDP", "session-sync 7112/TCP");

        var rule = AmphoraObjects.amphoraRole(lb).getRules();
        assertThat(rule).singleElement().satisfies(r -> {
            assertThat(r.getApiGroups()).containsExactly("discovery.k8s.io");
            assertThat(r.getResources()).containsExactly("endpointslices");
            assertThat(r.getResourceNames()).containsExactly("lb-web-vip");
            assertThat(r.getVerbs()).containsExactly("get", "patch");
        });
        var binding = AmphoraObjects.amphoraRoleBinding(lb);
        assertThat(binding.getRoleRef().getName()).isEqualTo("lb-web-amphora");
        assertThat(binding.getSubjects()).singleElement().satisfies(subject -> {
            assertThat(subject.getKind()).isEqualTo("ServiceAccount");
            assertThat(subject.getName()).isEqualTo(spec.getServiceAccountName());
            assertThat(subject.getNamespace()).isEqualTo("shop");
        });

        assertThat(spec.getTerminationGracePeriodSeconds()).as("shutdown delay, handover at the default timers, linger")
                .isEqualTo(10 + 5 + 1 + 2);
        LoadBalancerClass slow = lbClass(null, null);
        slow.getSpec().setFailover(new dev.lbaas.api.v1alpha1.FailoverTimers());
        slow.getSpec().getFailover().setAdvertIntervalMillis(40_950);
        assertThat(AmphoraObjects.pod(lb, slow, "amphora-2", AmphoraInfo.Role.MASTER, DEFAULTS).getSpec()
                .getTerminationGracePeriodSeconds()).as("the longest timers").isEqualTo(10 + 5 + 205 + 2);

        Pod single = AmphoraObjects.pod(lb, null, "amphora-1", AmphoraInfo.Role.STANDALONE, DEFAULTS);
        assertThat(single.getSpec().getTerminationGracePeriodSeconds()).isEqualTo(15);
        assertThat(single.getSpec().getAutomountServiceAccountToken()).as("no token for a SINGLE amphora").isFalse();
        assertThat(single.getSpec().getServiceAccountName()).isNull();
        assertThat(single.getSpec().getContainers().get(0).getArgs()).doesNotContain("--vip-endpoint-slice");
    }

    @Test
    void aPairWhoseVipFollowsReadinessHoldsNoTokenAndOnlyItsMasterIsReady() {
        LoadBalancerClass byReadiness = lbClass(null, new VipServiceTemplate());
        byReadiness.getSpec().getVipService().setMasterEndpoint(VipServiceTemplate.MasterEndpoint.Readiness);
        Pod pod = AmphoraObjects.pod(lb, byReadiness, "amphora-2", AmphoraInfo.Role.MASTER, DEFAULTS);

        assertThat(pod.getSpec().getAutomountServiceAccountToken()).isFalse();
        assertThat(pod.getSpec().getServiceAccountName()).isNull();
        assertThat(pod.getSpec().getContainers().get(0).getArgs()).doesNotContain("--vip-endpoint-slice")
                .contains("--vip-follows-readiness");
        assertThat(pod.getSpec().getContainers().get(0).getReadinessProbe().getHttpGet().getPath())
                .isEqualTo("/readyz/master");
        assertThat(pod.getSpec().getTerminationGracePeriodSeconds()).as("its linger waits for two failed probes")
                .isEqualTo(10 + 5 + 1 + 4);
        Service vip = AmphoraObjects.vipService(lb, byReadiness, Topology.ACTIVE_STANDBY, "10.254.2.9", null);
        assertThat(vip.getSpec().getSelector()).isEqualTo(AmphoraObjects.selector(lb));
        assertThat(AmphoraObjects.masterWrites(vip)).isFalse();
        // Kept by a running load balancer whatever its class says now.
        assertThat(AmphoraObjects.masterWrites(AmphoraObjects.vipService(lb, null, Topology.ACTIVE_STANDBY,
                "10.254.2.9", null))).isTrue();
        assertThat(AmphoraObjects.pod(lb, null, "amphora-3", AmphoraInfo.Role.BACKUP, false, DEFAULTS).getSpec()
                .getAutomountServiceAccountToken()).as("made for the Service it joins").isFalse();
        assertThat(AmphoraObjects.pod(lb, null, "amphora-3", AmphoraInfo.Role.BACKUP, DEFAULTS).getSpec()
                .getContainers().get(0).getReadinessProbe().getHttpGet().getPath()).isEqualTo("/readyz");
    }

    @Test
    void aPairsVipSelectsNothingAndItsSliceIsTheAmphoraesToWrite() {
        AmphoraConfig config = new AmphoraConfig(3, "lb", "0.0.0.0", true, List.of(
                listener("web", ListenerProtocol.HTTP, 80), listener("dns", ListenerProtocol.UDP, 53)), List.of());
        Service service = AmphoraObjects.vipService(lb, null, Topology.ACTIVE_STANDBY, "10.254.2.9", config);
        assertThat(service.getSpec().getSelector()).isNull();
        assertThat(AmphoraObjects.vipService(lb, null, Topology.SINGLE, "10.254.2.9", config).getSpec().getSelector())
                .isEqualTo(AmphoraObjects.selector(lb));

        EndpointSlice slice = AmphoraObjects.vipEndpointSlice(lb, service.getSpec().getPorts(), "IPv4");
        assertThat(slice.getMetadata().getName()).isEqualTo(service.getMetadata().getName());
        assertThat(slice.getMetadata().getLabels())
                .containsEntry("kubernetes.io/service-name", "lb-web-vip")
                .containsEntry("endpointslice.kubernetes.io/managed-by", "amphora.lbaas.dev")
                .containsEntry(KubernetesDriver.COMPONENT, "vip")
                .containsEntry(KubernetesDriver.MANAGED_BY, KubernetesDriver.OPERATOR);
        assertThat(slice.getEndpoints()).isEmpty();
        assertThat(slice.getPorts()).containsExactly(new EndpointPort(null, "tcp-80", 80, "TCP"),
                new EndpointPort(null, "udp-53", 53, "UDP"));
        assertThat(slice.getMetadata().getOwnerReferences()).singleElement()
                .satisfies(owner -> assertThat(owner.getUid()).isEqualTo(lb.getMetadata().getUid()));
    }

    @Test
    void theVipRoutesAListenerOnlyOnceAnEndpointSliceHasItsPortWithAReadyAmphora() {
        AmphoraConfig config = new AmphoraConfig(3, "lb", "0.0.0.0", true, List.of(
                listener("web", ListenerProtocol.HTTP, 80), listener("dns", ListenerProtocol.UDP, 53)), List.of());
        List<ServicePort> ports = AmphoraObjects.ports(config);
        Set<String> amphorae = Set.of("10.88.0.7");
        EndpointSlice web = slice(Boolean.TRUE, new EndpointPort(null, "tcp-80", 80, "TCP"));
        EndpointSlice dns = slice(null, new EndpointPort(null, "udp-53", 53, "UDP"));

        assertThat(AmphoraObjects.routesEvery(ports, List.of(web, dns), amphorae)).isTrue();
        assertThat(AmphoraObjects.routesEvery(ports, List.of(web, dns), Set.of("10.88.0.8")))
                .as("endpoints of no amphora that serves").isFalse();
        assertThat(AmphoraObjects.routesEvery(ports, List.of(web), amphorae)).as("the new port not routed yet")
                .isFalse();
        assertThat(AmphoraObjects.routesEvery(ports, List.of(web, slice(Boolean.FALSE,
                new EndpointPort(null, "udp-53", 53, "UDP"))), amphorae)).as("its only endpoint not ready").isFalse();
        assertThat(AmphoraObjects.routesEvery(ports, List.of(web, slice(Boolean.TRUE,
                new EndpointPort(null, "udp-53", 53, "TCP"))), amphorae)).as("another protocol").isFalse();
        assertThat(AmphoraObjects.routesEvery(ports, List.of(web, slice(Boolean.TRUE,
                new EndpointPort(null, "udp-53", 54, "UDP"))), amphorae)).as("another port").isFalse();
        EndpointSlice empty = slice(Boolean.TRUE, new EndpointPort(null, "udp-53", 53, "UDP"));
        empty.setEndpoints(null);
        assertThat(AmphoraObjects.routesEvery(ports, List.of(web, empty), amphorae)).as("no endpoint").isFalse();
        assertThat(AmphoraObjects.routesEvery(AmphoraObjects.ports(null), List.of(), Set.of()))
                .as("a VIP without listeners has nothing to route").isTrue();
    }

    private static EndpointSlice slice(Boolean ready, EndpointPort port) {
        return new EndpointSliceBuilder().withAddressType("IPv4").withPorts(port)
                .addNewEndpoint().withAddresses("10.88.0.7").withNewConditions().withReady(ready).endConditions()
                .endEndpoint().build();
    }

    private static ListenerConfig listener(String id, ListenerProtocol protocol, int port) {
        return new ListenerConfig(id, id, protocol, port, -1, true, null, null, null, null);
    }

    private static LoadBalancerClass lbClass(AmphoraTemplate amphora, VipServiceTemplate vip) {
        LoadBalancerClass lbClass = new LoadBalancerClass();
        lbClass.setMetadata(new ObjectMetaBuilder().withName("gold").build());
        LoadBalancerClassSpec spec = new LoadBalancerClassSpec();
        spec.setAmphora(amphora);
        spec.setVipService(vip);
        lbClass.setSpec(spec);
        return lbClass;
    }

    private static LoadBalancer loadBalancer(String name, String uid) {
        LoadBalancer lb = new LoadBalancer();
        lb.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace("shop").withUid(uid).build());
        return lb;
    }
}
