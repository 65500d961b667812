package dev.lbaas.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import dev.lbaas.api.v1alpha1.LbaasStatus;
import dev.lbaas.api.v1alpha1.Listener;
import dev.lbaas.api.v1alpha1.LoadBalancer;
import dev.lbaas.api.v1alpha1.LoadBalancerStatus;
import dev.lbaas.api.v1alpha1.Member;
import dev.lbaas.api.v1alpha1.OperatingStatus;
import dev.lbaas.api.v1alpha1.Pool;
import dev.lbaas.api.v1alpha1.ProvisioningStatus;
import dev.lbaas.api.v1alpha1.Topology;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Every input that once broke the operator or froze a load balancer, applied with real processes to
 * a load balancer that serves a client all along: admission refuses what one object can be checked
 * for; what only the object tree shows stays with the object at fault, with a reason and a message,
 * while the good listener keeps answering every request and later changes are still programmed.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class BadInputIT {

    private static final String NAMESPACE = "bad-input";
    private static LocalSystem system;
    private static KubernetesClient client;
    private static DemoWebServer web;
    private static DemoWebServer web2;
    private static String vip;

    /** A client that asks the good listener all along; every failure is kept. */
    private static Thread traffic;
    private static final AtomicBoolean TRAFFIC_ON = new AtomicBoolean(true);
    private static final AtomicInteger ANSWERED = new AtomicInteger();
    private static final List<String> FAILURES = Collections.synchronizedList(new ArrayList<>());

    @BeforeAll
    static void start() throws Exception {
        system = LocalSystem.start(ProjectLayout.current(), Files.createTempDirectory("lbaas-bad-input-"),
                System.getProperty("lbaas.kube.version", "1.34.4"));
        client = system.client();
        web = new DemoWebServer("web", "127.0.0.1", 0).start();
        web2 = new DemoWebServer("web2", "127.0.0.1", 0).start();
        for (String namespace : List.of(NAMESPACE, "probe")) {
            client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(namespace).endMetadata()
                    .build()).create();
        }
    }

    @AfterAll
    static void stop() throws InterruptedException {
        TRAFFIC_ON.set(false);
        if (traffic != null) {
            traffic.join(10_000);
        }
        Statuses.closeAll(web, web2, system);
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

        traffic = new Thread(() -> {
            while (TRAFFIC_ON.get()) {
                try {
                    Curl.Response response = Curl.get(vip, 8080, "/");
                    if (response.status() == 200 && response.body().startsWith("This is web")) {
                        ANSWERED.incrementAndGet();
                    } else {
                        FAILURES.add(response.status() + " " + response.body());
                    }
                    Thread.sleep(20);
                } catch (Exception e) {
                    FAILURES.add(e.toString());
                }
            }
        }, "good-listener-client");
        traffic.setDaemon(true);
        traffic.start();
    }

    @Test
    @Order(2)
    void valuesThatOnceStoppedTheOperatorOrFrozeALoadBalancerAreRefusedAtAdmission() {
        assertThat(refusal("""
                apiVersion: lbaas.dev/v1alpha1
                kind: Listener
                metadata: {name: huge-limit}
                spec: {loadBalancerRef: lb, protocol: TCP, protocolPort: 9000, connectionLimit: 99999999999}
                """)).contains("spec.connectionLimit: Invalid value: 99999999999: spec.connectionLimit in body should "
                + "be less than or equal to 2147483647");
        assertThat(refusal("""
                apiVersion: lbaas.dev/v1alpha1
                kind: Pool
                metadata: {name: huge-timeout}
                spec: {loadBalancerRef: lb, protocol: UDP, sessionPersistence: {type: SOURCE_IP, persistenceTimeout: 99999999999}}
                """)).contains("spec.sessionPersistence.persistenceTimeout: Invalid value: 99999999999");
        assertThat(refusal("""
                apiVersion: lbaas.dev/v1alpha1
                kind: Listener
                metadata: {name: zero-timeout}
                spec: {loadBalancerRef: lb, protocol: HTTP, protocolPort: 9001, timeouts: {clientData: 0s, memberData: 99999h}}
                """)).contains("spec.timeouts.clientData: Forbidden: must be more than 0s",
                "spec.timeouts.memberData: Forbidden: must be more than 0s (the amphora always bounds it) and at most "
                        + "576h (24 days, Octavia's limit); 99999h is not");
        assertThat(refusal("""
                apiVersion: lbaas.dev/v1alpha1
                kind: HealthMonitor
                metadata: {name: reversed}
                spec: {poolRef: good, type: HTTP, delaySeconds: 5, timeoutSeconds: 4, maxRetries: 3, expectedCodes: 204-200}
                """)).contains("spec.expectedCodes: Forbidden: a range must go from the lower code to the higher");
        assertThat(refusal("""
                apiVersion: lbaas.dev/v1alpha1
                kind: Pool
                metadata: {name: banana}
                spec: {loadBalancerRef: lb, protocol: HTTP, sessionPersistence: {type: APP_COOKIE, cookieName: c, persistenceGranularity: banana}}
                """)).contains("spec.sessionPersistence.persistenceGranularity: Forbidden: must be an IPv4 netmask",
                "spec.sessionPersistence.persistenceGranularity: Forbidden: only allowed with type SOURCE_IP");
        assertThat(refusal("""
                apiVersion: lbaas.dev/v1alpha1
                kind: Pool
                metadata: {name: month}
                spec: {loadBalancerRef: lb, protocol: HTTP, sessionPersistence: {type: HTTP_COOKIE, persistenceTimeout: 2678401}}
                """)).contains("spec.sessionPersistence.persistenceTimeout: Invalid value: 2678401");
        assertThat(refusal("""
                apiVersion: lbaas.dev/v1alpha1
                kind: Listener
                metadata: {name: twice}
                spec: {loadBalancerRef: lb, protocol: HTTP, protocolPort: 9002, insertHeaders: [X-Real-IP, X-Real-IP]}
                """)).contains("spec.insertHeaders: Forbidden: must not hold a value twice; \"X-Real-IP\" is there "
                + "more than once");
        KubernetesClientException vipAdded = catchThrowableOfType(KubernetesClientException.class,
                () -> client.resources(LoadBalancer.class).inNamespace(NAMESPACE).withName("lb").edit(lb -> {
                    lb.getSpec().setVipAddress("127.0.0.55");
                    return lb;
                }));
        assertThat(vipAdded.getMessage()).contains("spec.vipAddress: Forbidden: cannot be added or removed after creation");
    }

    @Test
    @Order(3)
    void switchingToAnIncompatiblePoolIsTheListenersErrorAndItsOldPoolKeepsServing() {
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
            LbaasStatus listener = status(Listener.class, "http");
            assertThat(listener.getProvisioningStatus()).isEqualTo(ProvisioningStatus.ERROR);
            Condition refs = condition(listener, "ResolvedRefs");
            assertThat(refs.getStatus()).isEqualTo("False");
            assertThat(refs.getReason()).isEqualTo("IncompatiblePool");
            assertThat(refs.getMessage()).isEqualTo("defaultPoolRef: pool tcp cannot serve this listener: a HTTP "
                    + "listener takes HTTP, PROXY or PROXYV2 pools, not TCP; the listener keeps serving its previous "
                    + "pool good");
            assertReady(Pool.class, "tcp");
        });
    }

    @Test
    @Order(4)
    void aNewUdpListenerNamingTheHttpPoolIsInErrorAndThePoolKeepsServing() {
        apply("""
                apiVersion: lbaas.dev/v1alpha1
                kind: Listener
                metadata: {name: udp}
                spec: {loadBalancerRef: lb, protocol: UDP, protocolPort: 5353, defaultPoolRef: good}
                """);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            LbaasStatus udp = status(Listener.class, "udp");
            assertThat(udp.getProvisioningStatus()).isEqualTo(ProvisioningStatus.ERROR);
            assertThat(condition(udp, "ResolvedRefs").getMessage()).isEqualTo("defaultPoolRef: pool good cannot serve "
                    + "this listener: a UDP listener takes UDP pools, not HTTP; the listener has no pool meanwhile");
            LbaasStatus good = assertReady(Pool.class, "good");
            assertThat(good.getOperatingStatus()).isEqualTo(OperatingStatus.ONLINE);
            LbaasStatus lb = status(LoadBalancer.class, "lb");
            assertThat(lb.getOperatingStatus()).isEqualTo(OperatingStatus.ONLINE);
        });
    }

    @Test
    @Order(5)
    void aSecondListenerOnTheSamePortIsRefusedAndTheFirstKeepsIt() {
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
    }

    @Test
    @Order(6)
    void whatThisReleaseDoesNotServeIsRefusedOnTheObjectThatAsksForIt() {
        apply("""
                apiVersion: lbaas.dev/v1alpha1
                kind: Listener
                metadata: {name: diameter}
                spec: {loadBalancerRef: lb, protocol: SCTP, protocolPort: 3868}
                ---
                apiVersion: lbaas.dev/v1alpha1
                kind: Listener
                metadata: {name: inspecting}
                spec: {loadBalancerRef: lb, protocol: TCP, protocolPort: 9003, timeouts: {tcpInspect: 5s}}
                ---
                apiVersion: lbaas.dev/v1alpha1
                kind: LoadBalancer
                metadata: {name: gold}
                spec: {className: gold}
                """);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            assertRefused(Listener.class, "diameter", "UnsupportedProtocol",
                    "protocol SCTP is not served by this amphora release yet; served: TCP, HTTP, HTTPS, "
                            + "TERMINATED_HTTPS, UDP and PROMETHEUS");
            assertRefused(Listener.class, "inspecting", "UnsupportedField", "timeouts.tcpInspect: the amphora inspects "
                    + "no TCP content (HTTP listeners read whole request heads, within timeouts.httpRequest); remove it "
                    + "or set it to 0s");
            // A class that does not exist is waited for, not an error of the load balancer.
            LoadBalancerStatus gold = (LoadBalancerStatus) status(LoadBalancer.class, "gold");
            assertThat(gold.getProvisioningStatus()).isEqualTo(ProvisioningStatus.PENDING_CREATE);
            assertThat(condition(gold, "Accepted").getStatus()).isEqualTo("True");
            Condition resolved = condition(gold, "ResolvedRefs");
            assertThat(resolved.getStatus()).isEqualTo("False");
            assertThat(resolved.getReason()).isEqualTo("ClassNotFound");
            assertThat(resolved.getMessage()).isEqualTo("className: LoadBalancerClass \"gold\" does not exist; this "
                    + "load balancer gets its VIP and amphorae once it is created");
            assertThat(gold.getVipAddress()).isNull();
        });
        assertThat(status(LoadBalancer.class, "lb").getOperatingStatus()).isEqualTo(OperatingStatus.ONLINE);

        // Once the class exists, the load balancer that waited for it is served.
        apply("""
                apiVersion: lbaas.dev/v1alpha1
                kind: LoadBalancerClass
                metadata: {name: gold}
                spec: {topology: SINGLE}
                """);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            LoadBalancerStatus gold = (LoadBalancerStatus) assertReady(LoadBalancer.class, "gold");
            assertThat(gold.getClassName()).isEqualTo("gold");
            assertThat(gold.getVipAddress()).isNotNull();
            assertThat(gold.getTopology()).isEqualTo(Topology.SINGLE);
        });
        assertThat(status(LoadBalancer.class, "lb").getOperatingStatus()).isEqualTo(OperatingStatus.ONLINE);
    }

    @Test
    @Order(7)
    void aPoolClaimingAListenerThatHasADefaultPoolIsInError() {
        apply("""
                apiVersion: lbaas.dev/v1alpha1
                kind: Pool
                metadata: {name: claimant}
                spec: {listenerRef: http, protocol: HTTP}
                """);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            LbaasStatus claimant = status(Pool.class, "claimant");
            assertThat(claimant.getProvisioningStatus()).isEqualTo(ProvisioningStatus.ERROR);
            assertThat(condition(claimant, "ResolvedRefs").getReason()).isEqualTo("DefaultPoolConflict");
            assertThat(condition(claimant, "ResolvedRefs").getMessage()).isEqualTo("listenerRef: listener http takes "
                    + "pool tcp as its default pool (its defaultPoolRef), so this pool gets no traffic from it");
        });
    }

    @Test
    @Order(8)
    void aReconcileThatFailsSaysSoOnItsLoadBalancerAndIsRetriedWithoutTouchingTheOthers() {
        // The API server refuses every status write for one member: its load balancer's reconciles fail.
        apply("""
                apiVersion: admissionregistration.k8s.io/v1
                kind: ValidatingAdmissionPolicy
                metadata: {name: no-status-for-unwritable}
                spec:
                  matchConstraints:
                    resourceRules:
                    - {apiGroups: [lbaas.dev], apiVersions: [v1alpha1], operations: [UPDATE], resources: [members/status]}
                  validations:
                  - {expression: "object.metadata.name != 'unwritable'", message: "status writes refused by policy"}
                ---
                apiVersion: admissionregistration.k8s.io/v1
                kind: ValidatingAdmissionPolicyBinding
                metadata: {name: no-status-for-unwritable}
                spec: {policyName: no-status-for-unwritable, validationActions: [Deny]}
                """);
        awaitStatusWritesRefused();
        apply("""
                apiVersion: lbaas.dev/v1alpha1
                kind: LoadBalancer
                metadata: {name: troubled}
                spec: {}
                ---
                apiVersion: lbaas.dev/v1alpha1
                kind: Pool
                metadata: {name: troubled-pool}
                spec: {loadBalancerRef: troubled, protocol: HTTP}
                ---
                apiVersion: lbaas.dev/v1alpha1
                kind: Member
                metadata: {name: unwritable}
                spec: {poolRef: troubled-pool, address: 127.0.0.1, protocolPort: %d}
                """.formatted(web.port()));
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            Condition ready = condition(status(LoadBalancer.class, "troubled"), "Ready");
            assertThat(ready.getStatus()).isEqualTo("False");
            assertThat(ready.getReason()).isEqualTo("ReconcileFailed");
            assertThat(ready.getMessage()).startsWith("the operator could not reconcile this load balancer and retries "
                    + "with backoff: the status of Member unwritable could not be written (")
                    .contains("status writes refused by policy");
            assertThat(client.v1().events().inNamespace(NAMESPACE).list().getItems())
                    .anySatisfy(event -> {
                        assertThat(event.getInvolvedObject().getName()).isEqualTo("troubled");
                        assertThat(event.getReason()).isEqualTo("ReconcileFailed");
                        assertThat(event.getType()).isEqualTo("Warning");
                    });
        });
        // The other load balancer is not touched: Ready, and never told of a failed reconcile.
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertReady(LoadBalancer.class, "lb"));
        assertThat(client.v1().events().inNamespace(NAMESPACE).list().getItems())
                .noneMatch(event -> "lb".equals(event.getInvolvedObject().getName())
                        && "ReconcileFailed".equals(event.getReason()));

        client.resources(io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingAdmissionPolicyBinding.class)
                .withName("no-status-for-unwritable").delete();
        await().atMost(Duration.ofSeconds(90)).untilAsserted(() -> {
            assertThat(condition(status(LoadBalancer.class, "troubled"), "Ready").getStatus()).isEqualTo("True");
            assertThat(status(Member.class, "unwritable").getProvisioningStatus()).isEqualTo(ProvisioningStatus.ACTIVE);
        });
    }

    @Test
    @Order(9)
    void aChangeMadeAfterAllThisIsProgrammed() {
        apply("""
                apiVersion: lbaas.dev/v1alpha1
                kind: Member
                metadata: {name: web2}
                spec: {poolRef: good, address: 127.0.0.1, protocolPort: %d}
                """.formatted(web2.port()));
        client.resources(Listener.class).inNamespace(NAMESPACE).withName("http")
                .edit(listener -> {
                    listener.getSpec().setDefaultPoolRef("good");
                    return listener;
                });
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().untilAsserted(() -> {
            Set<String> answers = new HashSet<>();
            for (int i = 0; i < 6; i++) {
                answers.add(Curl.get(vip, 8080, "/").body());
            }
            assertThat(answers).containsExactlyInAnyOrder("This is web\n", "This is web2\n");
            assertReady(Member.class, "web2");
            assertReady(Listener.class, "http");
        });
    }

    @Test
    @Order(10)
    void fixingTheMistakesRecovers() {
        for (String name : List.of("intruder", "diameter", "inspecting", "udp")) {
            client.resources(Listener.class).inNamespace(NAMESPACE).withName(name).delete();
        }
        client.resources(Pool.class).inNamespace(NAMESPACE).withName("claimant").delete();
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            LbaasStatus lb = assertReady(LoadBalancer.class, "lb");
            assertThat(lb.getOperatingStatus()).isEqualTo(OperatingStatus.ONLINE);
            assertReady(Listener.class, "http");
        });
    }

    @Test
    @Order(11)
    void theGoodListenerAnsweredEveryRequestThroughout() throws InterruptedException {
        TRAFFIC_ON.set(false);
        traffic.join(10_000);
        assertThat(FAILURES).isEmpty();
        assertThat(ANSWERED.get()).as("requests answered while the bad input was applied").isGreaterThan(50);
    }

    /** The API server loads a new policy within a moment: wait until it refuses a status write. */
    private static void awaitStatusWritesRefused() {
        apply("""
                apiVersion: lbaas.dev/v1alpha1
                kind: Member
                metadata: {name: unwritable}
                spec: {poolRef: probe, address: 127.0.0.1, protocolPort: 1}
                """, "probe");
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            Member probe = client.resources(Member.class).inNamespace("probe").withName("unwritable").get();
            probe.setStatus(new LbaasStatus());
            probe.getStatus().setObservedGeneration(-1L);
            try {
                client.resource(probe).patchStatus();
                return false;
            } catch (KubernetesClientException e) {
                return e.getMessage().contains("status writes refused by policy");
            }
        });
        client.resources(Member.class).inNamespace("probe").withName("unwritable").delete();
    }

    private static String refusal(String yaml) {
        KubernetesClientException error = catchThrowableOfType(KubernetesClientException.class, () -> apply(yaml));
        assertThat(error).as("must be refused: " + yaml).isNotNull();
        assertThat(error.getCode()).isEqualTo(422);
        return error.getMessage();
    }

    private static void apply(String yaml) {
        apply(yaml, NAMESPACE);
    }

    private static void apply(String yaml, String namespace) {
        List<HasMetadata> items = client.load(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8))).items();
        for (HasMetadata item : items) {
            if (item.getKind().startsWith("ValidatingAdmissionPolicy")) {
                client.resource(item).serverSideApply();
            } else {
                system.apply(namespace, List.of(item));
            }
        }
    }

    private static <T extends CustomResource<?, ?>> LbaasStatus status(Class<T> kind, String name) {
        return Statuses.status(client, NAMESPACE, kind, name);
    }

    private static <T extends CustomResource<?, ?>> LbaasStatus assertReady(Class<T> kind, String name) {
        LbaasStatus status = status(kind, name);
        assertThat(condition(status, "Ready").getStatus()).as(kind.getSimpleName() + " " + name + " Ready: "
                + condition(status, "Ready").getMessage()).isEqualTo("True");
        assertThat(status.getProvisioningStatus()).isEqualTo(ProvisioningStatus.ACTIVE);
        return status;
    }

    private static <T extends CustomResource<?, ?>> LbaasStatus assertRefused(Class<T> kind, String name, String reason,
            String message) {
        LbaasStatus status = status(kind, name);
        assertThat(status.getProvisioningStatus()).isEqualTo(ProvisioningStatus.ERROR);
        Condition accepted = condition(status, "Accepted");
        assertThat(accepted.getStatus()).isEqualTo("False");
        assertThat(accepted.getReason()).isEqualTo(reason);
        assertThat(accepted.getMessage()).isEqualTo(message);
        return status;
    }

    private static Condition condition(LbaasStatus status, String type) {
        return Statuses.condition(status, type);
    }
}
