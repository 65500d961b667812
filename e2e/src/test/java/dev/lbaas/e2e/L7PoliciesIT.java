package dev.lbaas.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.lbaas.api.v1alpha1.L7Policy;
import dev.lbaas.api.v1alpha1.L7Rule;
import dev.lbaas.api.v1alpha1.LbaasStatus;
import dev.lbaas.api.v1alpha1.LoadBalancer;
import dev.lbaas.api.v1alpha1.OperatingStatus;
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
 * L7Policy and L7Rule objects applied to a real API server, reconciled by the operator and served
 * by a local amphora to real clients: each action, a pool reached only through a policy, the
 * statuses, bad references and rules kept with the object at fault while the rest keeps serving,
 * and cascade deletion.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class L7PoliciesIT {

    private static final String NAMESPACE = "l7";
    private static LocalSystem system;
    private static KubernetesClient client;
    private static DemoWebServer web;
    private static DemoWebServer api;
    private static String vip;

    @BeforeAll
    static void start() throws Exception {
        system = LocalSystem.start(ProjectLayout.current(), Files.createTempDirectory("lbaas-l7-"),
                System.getProperty("lbaas.kube.version", "1.34.4"));
        client = system.client();
        web = new DemoWebServer("web", "127.0.0.1", 0).start();
        api = new DemoWebServer("api", "127.0.0.1", 0).start();
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(NAMESPACE).endMetadata()
                .build()).create();
    }

    @AfterAll
    static void stop() {
        Statuses.closeAll(web, api, system);
    }

    @Test
    @Order(1)
    void everyActionIsServedToRealClients() throws Exception {
        apply("""
                apiVersion: lbaas.dev/v1alpha1
                kind: LoadBalancer
                metadata: {name: lb}
                spec: {}
                ---
                apiVersion: lbaas.dev/v1alpha1
                kind: Pool
                metadata: {name: web}
                spec: {loadBalancerRef: lb, protocol: HTTP}
                ---
                apiVersion: lbaas.dev/v1alpha1
                kind: Member
                metadata: {name: web}
                spec: {poolRef: web, address: 127.0.0.1, protocolPort: %d}
                ---
                apiVersion: lbaas.dev/v1alpha1
                kind: Pool
                metadata: {name: api}
                spec: {loadBalancerRef: lb, protocol: HTTP}
                ---
                apiVersion: lbaas.dev/v1alpha1
                kind: Member
                metadata: {name: api}
                spec: {poolRef: api, address: 127.0.0.1, protocolPort: %d}
                ---
                apiVersion: lbaas.dev/v1alpha1
                kind: HealthMonitor
                metadata: {name: api}
                spec: {poolRef: api, type: HTTP, delaySeconds: 2, timeoutSeconds: 1, maxRetries: 1}
                ---
                apiVersion: lbaas.dev/v1alpha1
                kind: Listener
                metadata: {name: http}
                spec: {loadBalancerRef: lb, protocol: HTTP, protocolPort: 8080, defaultPoolRef: web}
                ---
                apiVersion: lbaas.dev/v1alpha1
                kind: L7Policy
                metadata: {name: admin}
                spec: {listenerRef: http, action: REJECT, position: 1}
                ---
                apiVersion: lbaas.dev/v1alpha1
                kind: L7Rule
                metadata: {name: admin-path}
                spec: {l7PolicyRef: admin, type: PATH, compareType: STARTS_WITH, value: /admin}
                ---
                apiVersion: lbaas.dev/v1alpha1
                kind: L7Policy
                metadata: {name: api}
                spec: {listenerRef: http, action: REDIRECT_TO_POOL, redirectPoolRef: api, position: 2}
                ---
                apiVersion: lbaas.dev/v1alpha1
                kind: L7Rule
                metadata: {name: api-path}
                spec: {l7PolicyRef: api, type: PATH, compareType: REGEX, value: '^/api/v[0-9]+/'}
                ---
                apiVersion: lbaas.dev/v1alpha1
                kind: L7Policy
                metadata: {name: old-host}
                spec: {listenerRef: http, action: REDIRECT_PREFIX, redirectPrefix: 'https://www.example.com',
                  redirectHttpCode: 301}
                ---
                apiVersion: lbaas.dev/v1alpha1
                kind: L7Rule
                metadata: {name: old-host}
                spec: {l7PolicyRef: old-host, type: HOST_NAME, compareType: EQUAL_TO, value: old.example.com}
                """.formatted(web.port(), api.port()));
        LoadBalancer lb = await().atMost(Duration.ofSeconds(90)).until(
                () -> client.resources(LoadBalancer.class).inNamespace(NAMESPACE).withName("lb").get(),
                l -> l != null && l.getStatus() != null && "True".equals(condition(l.getStatus(), "Ready").getStatus()));
        vip = lb.getStatus().getVipAddress();
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            for (String name : List.of("admin", "api", "old-host")) {
                assertOnline(L7Policy.class, name);
            }
            for (String name : List.of("admin-path", "api-path", "old-host")) {
                assertOnline(L7Rule.class, name);
            }
        });

        assertThat(get("/").body()).startsWith("This is web");
        assertThat(get("/admin/users").status()).isEqualTo(403);
        assertThat(get("/api/v1/orders").body()).as("the pool reached only through a policy").startsWith("This is api");
        assertThat(get("/api/orders").body()).startsWith("This is web");
        Curl.Response moved = Curl.get(vip, 8080, "/shop?item=3", "old.example.com:8080", 5_000);
        assertThat(moved.status()).isEqualTo(301);
        assertThat(moved.header("Location")).isEqualTo("https://www.example.com/shop?item=3");
        // the api pool, which no listener has as its default, is health-checked
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(
                client.resources(dev.lbaas.api.v1alpha1.Member.class).inNamespace(NAMESPACE).withName("api").get()
                        .getStatus().getOperatingStatus()).isEqualTo(OperatingStatus.ONLINE));
    }

    @Test
    @Order(2)
    void aRuleTheListenerCannotServeHoldsBackItsPolicyWhichKeepsItsServedRules() throws Exception {
        apply("""
                apiVersion: lbaas.dev/v1alpha1
                kind: L7Rule
                metadata: {name: admin-cert}
                spec: {l7PolicyRef: admin, type: SSL_CONN_HAS_CERT, compareType: EQUAL_TO, value: 'true', invert: true}
                """);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            LbaasStatus rule = status(L7Rule.class, "admin-cert");
            assertThat(rule.getProvisioningStatus()).isEqualTo(ProvisioningStatus.ERROR);
            assertThat(condition(rule, "Accepted").getReason()).isEqualTo("InvalidRule");
            assertThat(condition(rule, "Accepted").getMessage()).isEqualTo("type: SSL_CONN_HAS_CERT looks at the "
                    + "client certificate, which only a TERMINATED_HTTPS listener sees; listener http is HTTP");
            LbaasStatus policy = status(L7Policy.class, "admin");
            assertThat(condition(policy, "ResolvedRefs").getReason()).isEqualTo("RuleNotAccepted");
            assertThat(condition(policy, "ResolvedRefs").getMessage()).isEqualTo("rule admin-cert is not accepted "
                    + "(see its conditions), and without it the policy would match more than it says; the policy's "
                    + "previous spec and rules keep being served");
        });
        assertThat(get("/admin").status()).as("the policy's served rules still refuse").isEqualTo(403);
        assertThat(get("/").body()).startsWith("This is web");
    }

    @Test
    @Order(3)
    void aPolicyWhosePoolIsMissingAnswers503AndSaysWhy() throws Exception {
        apply("""
                apiVersion: lbaas.dev/v1alpha1
                kind: L7Policy
                metadata: {name: images}
                spec: {listenerRef: http, action: REDIRECT_TO_POOL, redirectPoolRef: images, position: 3}
                ---
                apiVersion: lbaas.dev/v1alpha1
                kind: L7Rule
                metadata: {name: jpg}
                spec: {l7PolicyRef: images, type: FILE_TYPE, compareType: EQUAL_TO, value: jpg}
                """);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            LbaasStatus policy = status(L7Policy.class, "images");
            assertThat(condition(policy, "ResolvedRefs").getStatus()).isEqualTo("False");
            assertThat(condition(policy, "ResolvedRefs").getMessage()).isEqualTo("redirectPoolRef: Pool images does "
                    + "not exist in namespace l7 (or belongs to another load balancer); the requests it matches are "
                    + "answered 503 meanwhile");
            assertThat(get("/logo.jpg").status()).isEqualTo(503);
        });
        assertThat(get("/api/v2/x").body()).startsWith("This is api");
    }

    @Test
    @Order(4)
    void deletingAPolicyDeletesItsRulesAndItsTrafficGoesToTheDefaultPool() throws Exception {
        client.resources(L7Policy.class).inNamespace(NAMESPACE).withName("admin").delete();
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            assertThat(client.resources(L7Rule.class).inNamespace(NAMESPACE).withName("admin-path").get()).isNull();
            assertThat(client.resources(L7Rule.class).inNamespace(NAMESPACE).withName("admin-cert").get()).isNull();
            assertThat(get("/admin").body()).startsWith("This is web");
        });
    }

    @Test
    @Order(5)
    void theExampleIsAdmitted() throws Exception {
        List<HasMetadata> items = client.load(Files.newInputStream(ProjectLayout.current().examples()
                .resolve("l7-policies.yaml"))).items();
        assertThat(items).extracting(HasMetadata::getKind).contains("L7Policy", "L7Rule");
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName("l7-example").endMetadata()
                .build()).create();
        for (HasMetadata item : items) {
            item.getMetadata().setNamespace("l7-example");
            assertThat(client.resource(item).dryRun().create().getMetadata().getName())
                    .isEqualTo(item.getMetadata().getName());
        }
    }

    private static Curl.Response get(String path) throws Exception {
        return Curl.get(vip, 8080, path);
    }

    private static void apply(String yaml) {
        List<HasMetadata> items = client.load(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8))).items();
        system.apply(NAMESPACE, items);
    }

    private static void assertOnline(Class<? extends CustomResource<?, ?>> kind, String name) {
        LbaasStatus status = status(kind, name);
        assertThat(status.getProvisioningStatus()).as(kind.getSimpleName() + " " + name + ": "
                + status.getConditions()).isEqualTo(ProvisioningStatus.ACTIVE);
        assertThat(status.getOperatingStatus()).isEqualTo(OperatingStatus.ONLINE);
        assertThat(condition(status, "Ready").getStatus()).isEqualTo("True");
    }

    private static LbaasStatus status(Class<? extends CustomResource<?, ?>> kind, String name) {
        return Statuses.status(client, NAMESPACE, kind, name);
    }

    private static Condition condition(LbaasStatus status, String type) {
        return Statuses.condition(status, type);
    }
}
