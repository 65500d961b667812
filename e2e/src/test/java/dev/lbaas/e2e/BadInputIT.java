package dev.lbaas.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.lbaas.api.v1alpha1.LbaasStatus;
import dev.lbaas.api.v1alpha1.Listener;
import dev.lbaas.api.v1alpha1.LoadBalancer;
import dev.lbaas.api.v1alpha1.Pool;
import dev.lbaas.api.v1alpha1.ProvisioningStatus;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Cross-object mistakes, which admission cannot see, with real processes: each shows up on the
 * object at fault with a reason and a message, and the last good configuration keeps serving.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class BadInputIT {

    private static final String NAMESPACE = "bad-input";
    private static LocalSystem system;
    private static KubernetesClient client;
    private static DemoWebServer web;
    private static String vip;

    @BeforeAll
    static void start() throws Exception {
        system = LocalSystem.start(ProjectLayout.current(), Files.createTempDirectory("lbaas-bad-input-"),
                System.getProperty("lbaas.kube.version", "1.34.4"));
        client = system.client();
        web = new DemoWebServer("web", "127.0.0.1", 0).start();
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(NAMESPACE).endMetadata().build())
                .create();
    }

    @AfterAll
    static void stop() {
        if (web != null) {
            web.close();
        }
        if (system != null) {
            system.close();
        }
    }

    @Test
    @Order(1)
    void aGoodLoadBalancerServes() throws Exception {
        apply("""
                apiVersion: lbaas.dev/v1alpha1
                kind: LoadBalancer
                metadata: {name: lb}
                spec: {}
                ---
                apiVersion: lbaas.dev/v1alpha1
                kind: Pool
                metadata: {name: good}
                spec: {loadBalancerRef: lb, protocol: HTTP}
                ---
                apiVersion: lbaas.dev/v1alpha1
                kind: Member
                metadata: {name: web}
                spec: {poolRef: good, address: 127.0.0.1, protocolPort: %d}
                ---
                apiVersion: lbaas.dev/v1alpha1
                kind: Listener
                metadata: {name: http}
                spec: {loadBalancerRef: lb, protocol: HTTP, protocolPort: 8080, defaultPoolRef: good}
                """.formatted(web.port()));
        LoadBalancer lb = await().atMost(Duration.ofSeconds(90)).until(
                () -> client.resources(LoadBalancer.class).inNamespace(NAMESPACE).withName("lb").get(),
                l -> l != null && l.getStatus() != null && "True".equals(condition(l.getStatus(), "Ready").getStatus()));
        vip = lb.getStatus().getVipAddress();
        await().atMost(Duration.ofSeconds(10)).ignoreExceptions().until(() -> Curl.get(vip, 8080, "/").status() == 200);
    }

    @Test
    @Order(2)
    void switchingToAnIncompatiblePoolIsAnErrorAndTheOldPoolKeepsServing() throws Exception {
        apply("""
                apiVersion: lbaas.dev/v1alpha1
                kind: Pool
                metadata: {name: tcp}
                spec: {loadBalancerRef: lb, protocol: TCP}
                """);
        client.resources(Listener.class).inNamespace(NAMESPACE).withName("http")
                .edit(listener -> {
                    listener.getSpec().setDefaultPoolRef("tcp");
                    return listener;
                });

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            LbaasStatus pool = status(Pool.class, "tcp");
            assertThat(pool.getProvisioningStatus()).isEqualTo(ProvisioningStatus.ERROR);
            Condition accepted = condition(pool, "Accepted");
            assertThat(accepted.getStatus()).isEqualTo("False");
            assertThat(accepted.getReason()).isEqualTo("IncompatibleProtocol");
            assertThat(accepted.getMessage()).isEqualTo(
                    "protocol TCP cannot serve HTTP listener http; allowed: [HTTP, PROXY, PROXYV2]");
            Condition listenerRefs = condition(status(Listener.class, "http"), "ResolvedRefs");
            assertThat(listenerRefs.getStatus()).isEqualTo("False");
            assertThat(listenerRefs.getMessage()).contains("keeps serving its previous pool good");
        });
        assertThat(Curl.get(vip, 8080, "/").body()).isEqualTo("This is web\n");
    }

    @Test
    @Order(3)
    void aSecondListenerOnTheSamePortIsRefusedAndTheFirstKeepsIt() throws Exception {
        apply("""
                apiVersion: lbaas.dev/v1alpha1
                kind: Listener
                metadata: {name: intruder}
                spec: {loadBalancerRef: lb, protocol: TCP, protocolPort: 8080, defaultPoolRef: tcp}
                """);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            LbaasStatus intruder = status(Listener.class, "intruder");
            assertThat(intruder.getProvisioningStatus()).isEqualTo(ProvisioningStatus.ERROR);
            assertThat(condition(intruder, "Accepted").getReason()).isEqualTo("PortConflict");
            assertThat(condition(intruder, "Accepted").getMessage())
                    .isEqualTo("port 8080/TCP is already used by listener http");
        });
        assertThat(Curl.get(vip, 8080, "/").body()).isEqualTo("This is web\n");
    }

    @Test
    @Order(4)
    void aProtocolThisReleaseDoesNotServeIsSaidSo() {
        apply("""
                apiVersion: lbaas.dev/v1alpha1
                kind: Listener
                metadata: {name: diameter}
                spec: {loadBalancerRef: lb, protocol: SCTP, protocolPort: 3868}
                """);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            Condition accepted = condition(status(Listener.class, "diameter"), "Accepted");
            assertThat(accepted.getStatus()).isEqualTo("False");
            assertThat(accepted.getReason()).isEqualTo("UnsupportedProtocol");
            assertThat(accepted.getMessage()).startsWith("protocol SCTP is not served by this amphora release yet");
        });
    }

    @Test
    @Order(5)
    void fixingTheMistakesRecovers() {
        client.resources(Listener.class).inNamespace(NAMESPACE).withName("intruder").delete();
        client.resources(Listener.class).inNamespace(NAMESPACE).withName("diameter").delete();
        client.resources(Listener.class).inNamespace(NAMESPACE).withName("http")
                .edit(listener -> {
                    listener.getSpec().setDefaultPoolRef("good");
                    return listener;
                });
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            LbaasStatus listener = status(Listener.class, "http");
            assertThat(condition(listener, "Ready").getStatus()).isEqualTo("True");
            assertThat(listener.getProvisioningStatus()).isEqualTo(ProvisioningStatus.ACTIVE);
            LbaasStatus lb = status(LoadBalancer.class, "lb");
            assertThat(lb.getProvisioningStatus()).isEqualTo(ProvisioningStatus.ACTIVE);
        });
    }

    private static void apply(String yaml) {
        List<HasMetadata> items = client.load(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8))).items();
        system.apply(NAMESPACE, items);
    }

    private static <T extends CustomResource<?, ?>> LbaasStatus status(Class<T> kind, String name) {
        T item = client.resources(kind).inNamespace(NAMESPACE).withName(name).get();
        assertThat(item).as(kind.getSimpleName() + " " + name).isNotNull();
        assertThat(item.getStatus()).as("status of " + kind.getSimpleName() + " " + name).isNotNull();
        return (LbaasStatus) item.getStatus();
    }

    private static Condition condition(LbaasStatus status, String type) {
        return status.getConditions().stream().filter(c -> type.equals(c.getType())).findFirst().orElseThrow();
    }
}
