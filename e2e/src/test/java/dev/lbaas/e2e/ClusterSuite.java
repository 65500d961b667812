package dev.lbaas.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import dev.lbaas.api.v1alpha1.AmphoraInfo;
import dev.lbaas.api.v1alpha1.Listener;
import dev.lbaas.api.v1alpha1.LoadBalancer;
import dev.lbaas.api.v1alpha1.LoadBalancerStatus;
import dev.lbaas.api.v1alpha1.Member;
import dev.lbaas.api.v1alpha1.MemberSpec;
import dev.lbaas.api.v1alpha1.OperatingStatus;
import dev.lbaas.api.v1alpha1.ProvisioningStatus;
import dev.lbaas.api.v1alpha1.SessionPersistence;
import dev.lbaas.api.v1alpha1.Topology;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.readiness.Readiness;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The product as a cluster runs it: the Helm chart installed on a real cluster (real kubelets
 * running real pods, RBAC enforced, kube-proxy routing Services), the operator in two pods with
 * leader election, amphorae as pods through the Kubernetes driver, and the seed walkthrough served
 * through the VIP Service to web servers that are pods too. The same suite runs on each kind of
 * {@link KubernetesCluster}; a subclass says which, and skips with the reason where it cannot run.
 * Whatever happens, the chart and the test's namespaces are removed, and a cluster the test started
 * is taken down with the host cleaned.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class ClusterSuite {

    private static final String SYSTEM = ClusterDemo.SYSTEM_NAMESPACE;
    private static final String DEMO = "shop";

    private ClusterDemo demo;
    private KubernetesClient client;
    /** The cluster's objects before the chart was installed: what must be all that is left at the end. */
    private Set<String> before;
    /** Where this machine reaches lb-web's port 80. */
    private InetSocketAddress vip;

    /** The cluster to run on, started; skips (an assumption) with the reason where there is none. */
    abstract KubernetesCluster cluster();

    @BeforeAll
    void start() {
        KubernetesCluster cluster = cluster();
        System.out.println("the cluster suite runs on " + cluster.description());
        demo = ClusterDemo.prepare(ProjectLayout.current(), cluster, System.getProperty("lbaas.kube.version", "1.34.4"));
        client = demo.client();
        before = ClusterInventory.of(client);
        demo.installChart();
        System.out.printf("helm install, both operator replicas ready: %d ms%n", demo.installMillis());
        demo.createNamespace(DEMO);
    }

    @AfterAll
    void stop() {
        if (demo == null) {
            return;
        }
        try {
            if (!demo.cluster().removedOnClose()) {
                removeWhatTheSuiteInstalled();
            }
        } finally {
            demo.close();
        }
    }

    /** On a cluster that outlives the suite, what a failed run left: the demo namespace, the chart, its namespace. */
    private void removeWhatTheSuiteInstalled() {
        try {
            client.namespaces().withName(DEMO).delete();
            await().atMost(Duration.ofSeconds(90)).until(() -> client.namespaces().withName(DEMO).get() == null);
            if (client.namespaces().withName(SYSTEM).get() != null) {
                demo.helm("uninstall", "lbaas", "--namespace", SYSTEM, "--wait", "--timeout", "60s",
                        "--ignore-not-found");
                client.namespaces().withName(SYSTEM).delete();
            }
        } catch (RuntimeException e) {
            System.out.println("could not remove everything the suite installed: " + e);
        }
    }

    @Test
    @Order(1)
    void theOperatorMayDoWhatTheChartIntendsAndNothingMore() throws Exception {
        // What the ServiceAccount can do, as the API server's authorizer answers, in a namespace
        // of users and in the operator's own: exactly the chart's rules, plus what every
        // authenticated user may do.
        assertThat(permissions(DEMO)).containsExactlyInAnyOrderElementsOf(intended(false));
        assertThat(permissions(SYSTEM)).containsExactlyInAnyOrderElementsOf(intended(true));
    }

    private static Set<String> intended(boolean ownNamespace) {
        Set<String> rules = new TreeSet<>(Set.of(
                "loadbalancers.lbaas.dev [] [get list watch update patch]",
                "listeners.lbaas.dev [] [get list watch update patch]",
                "pools.lbaas.dev [] [get list watch update patch]",
                "members.lbaas.dev [] [get list watch create update patch delete]",
                "endpointslices.discovery.k8s.io [] [get list watch create patch delete deletecollection]",
                "healthmonitors.lbaas.dev [] [get list watch update patch]",
                "l7policies.lbaas.dev [] [get list watch update patch]",
                "l7rules.lbaas.dev [] [get list watch update patch]",
                "loadbalancers.lbaas.dev/status [] [get update patch]",
                "listeners.lbaas.dev/status [] [get update patch]",
                "pools.lbaas.dev/status [] [get update patch]",
                "members.lbaas.dev/status [] [get update patch]",
                "healthmonitors.lbaas.dev/status [] [get update patch]",
                "l7policies.lbaas.dev/status [] [get update patch]",
                "l7rules.lbaas.dev/status [] [get update patch]",
                "loadbalancers.lbaas.dev/finalizers [] [update]",
                "loadbalancerclasses.lbaas.dev [] [get list watch]",
                "pods [] [get list watch create delete deletecollection]",
                "services [] [get list watch create update patch delete deletecollection]",
                "secrets [] [get list watch create delete deletecollection]",
                "poddisruptionbudgets.policy [] [get create delete deletecollection]",
                "serviceaccounts [] [create delete deletecollection]",
                "roles.rbac.authorization.k8s.io [] [create delete deletecollection]",
                "rolebindings.rbac.authorization.k8s.io [] [create delete deletecollection]",
                "events [] [create patch]",
                // every authenticated user (system:basic-user, system:discovery, system:public-info-viewer)
                "selfsubjectreviews.authentication.k8s.io [] [create]",
                "selfsubjectaccessreviews.authorization.k8s.io [] [create]",
                "selfsubjectrulesreviews.authorization.k8s.io [] [create]"));
        if (ownNamespace) {
            rules.add("secrets [] [lbaas-operator-ca] [get]");
            rules.add("leases.coordination.k8s.io [] [create]");
            rules.add("leases.coordination.k8s.io [] [lbaas-operator] [get update patch]");
        }
        return rules;
    }

    /** {@code kubectl auth can-i --list}, as "resource [urls] [names] [verbs]" lines, non-resource URLs left out. */
    private Set<String> permissions(String namespace) throws Exception {
        String out = demo.kubectl("auth", "can-i", "--list", "--as", ClusterDemo.OPERATOR_ACCOUNT, "--namespace",
                namespace);
        Set<String> rules = new TreeSet<>();
        for (String line : out.lines().skip(1).toList()) {
            String[] columns = line.strip().split("\\s{2,}");
            if (columns.length < 4 || columns[0].isEmpty()) {
                continue; // a non-resource URL
            }
            String names = columns[2].equals("[]") ? "" : " " + columns[2];
            rules.add(columns[0] + " " + columns[1] + names + " " + columns[3]);
        }
        return rules;
    }

    @Test
    @Order(2)
    void theSeedScenarioIsServedByAnAmphoraPodThroughTheVipServiceToMembersSelectedFromAService() throws Exception {
        long started = System.nanoTime();
        demo.apply(DEMO, demo.seedScenario());
        awaitOrExplain(Duration.ofSeconds(60), () -> selectedMembers().size() == 2
                        && everyObjectReady(LoadBalancer.class, Listener.class, Member.class),
                "every object of the seed scenario Ready, with a member for each web pod");
        long ready = millisSince(started);
        System.out.printf("kubectl apply of the seed scenario (web pods and their Service included) to every object "
                + "Ready on real pods: %d ms (target 5000 ms)%n", ready);

        LoadBalancerStatus status = client.resources(LoadBalancer.class).inNamespace(DEMO).withName("lb-web").get()
                .getStatus();
        vip = demo.cluster().reach(status, 80);
        assertThat(status.getClassName()).as("the chart's default class").isEqualTo("standard");
        assertThat(client.services().inNamespace(DEMO).withName("lb-web-vip").get().getSpec().getClusterIP())
                .isEqualTo(status.getVipAddress());
        assertThat(amphoraPods()).hasSize(1);
        String amphoraLog = client.pods().inNamespace(DEMO).withName(amphoraPods().get(0).getMetadata().getName())
                .getLog();
        assertThat(amphoraLog).as("the amphora pod maps the class-data archive its image was built with")
                .contains("classes shared from /app/amphora.jsa");
        assertThat(selectedMembers()).extracting(m -> m.getSpec().getAddress()).containsExactlyInAnyOrder(
                podIp("web1"), podIp("web2"));
        // owned by their pool: deleting it deletes them, as for members written by hand
        assertThat(selectedMembers()).allSatisfy(member -> assertThat(member.getMetadata().getOwnerReferences())
                .extracting(reference -> reference.getKind() + "/" + reference.getName())
                .containsExactly("Pool/pool-web"));
        // Ready waits for the amphora pod's readiness, which puts it behind the VIP; kube-proxy
        // writes the rule a moment later.
        long routed = System.nanoTime();
        await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(20)).ignoreExceptions()
                .until(() -> get(vip).status() == 200);
        System.out.printf("then the VIP answered %d ms later%n", millisSince(routed));
        assertThat(answers(6)).as("round robin through kube-proxy and the amphora")
                .containsOnly("This is web1", "This is web2")
                .satisfies(list -> {
                    for (int i = 1; i < list.size(); i++) {
                        assertThat(list.get(i)).as("answer " + i + " of " + list).isNotEqualTo(list.get(i - 1));
                    }
                });

        // The chart's admission policies: a member written by hand may not join a selecting pool.
        Member byHand = new Member();
        byHand.getMetadata().setName("by-hand");
        byHand.getMetadata().setNamespace(DEMO);
        byHand.setSpec(new MemberSpec());
        byHand.getSpec().setPoolRef("pool-web");
        byHand.getSpec().setAddress("10.254.1.250");
        byHand.getSpec().setProtocolPort(80);
        KubernetesClientException refused = catchThrowableOfType(KubernetesClientException.class,
                () -> client.resource(byHand).create());
        assertThat(refused).as("a hand-written member in pool-web must be refused").isNotNull();
        assertThat(refused.getCode()).isEqualTo(422);
        assertThat(refused.getStatus().getMessage()).endsWith("Pool pool-web takes its members from Service web "
                + "(spec.memberSelector); a Member written by hand may not join it");
    }

    @Test
    @Order(3)
    void membersFollowThePodsBehindTheServiceWhileEveryRequestSucceeds() throws Exception {
        try (RequestStream stream = new RequestStream(vip, 20_000)) {
            stream.awaitSuccesses(10);
            long deleted = System.nanoTime();
            // Deleted the ordinary way: SIGTERM, and web1 serves on for a second (demo-web.go).
            client.pods().inNamespace(DEMO).withName("web1").delete();
            awaitOrExplain(Duration.ofSeconds(30), () -> selectedMembers().size() == 1, "web1's member removed");
            System.out.printf("web1's pod deleted: its member removed after %d ms; %d requests during, %d failed%n",
                    millisSince(deleted), stream.successes(), stream.failures());
            stream.awaitSuccesses(10);
            assertThat(stream.failures()).as("failed requests through the VIP while web1 went away").isZero();
        }
        assertThat(answers(4)).containsOnly("This is web2");

        long added = System.nanoTime();
        demo.apply(DEMO, demo.seedScenario().substring(0, demo.seedScenario().indexOf("---"))
                .replace("web1", "web3"));
        awaitOrExplain(Duration.ofSeconds(60), () -> selectedMembers().size() == 2
                        && everyObjectReady(Member.class) && answers(4).contains("This is web3"),
                "web3 selected and served");
        System.out.printf("web3's pod created: serving through the VIP after %d ms%n", millisSince(added));
        assertThat(operating(dev.lbaas.api.v1alpha1.Pool.class, "pool-web")).isEqualTo(OperatingStatus.ONLINE);
    }

    private List<Member> selectedMembers() {
        return client.resources(Member.class).inNamespace(DEMO).withLabel(Member.SELECTED_BY, "pool-web").list()
                .getItems();
    }

    private String podIp(String name) {
        return client.pods().inNamespace(DEMO).withName(name).get().getStatus().getPodIP();
    }

    /** Where this machine reaches another of lb-web's ports, once its status lists it. */
    private InetSocketAddress vipPort(int port) {
        return demo.cluster().reach(client.resources(LoadBalancer.class).inNamespace(DEMO).withName("lb-web").get()
                .getStatus(), port);
    }

    private static Curl.Response get(InetSocketAddress address) throws IOException {
        return Curl.get(address.getHostString(), address.getPort(), "/");
    }

    /**
     * A listener is ready once the VIP Service's EndpointSlices route its port; the node's proxy
     * applies that on its next sync, which this test cluster runs on every change: a port just
     * added may refuse a connection for that long, never longer than 5 s.
     */
    private Curl.Response getNewPort(InetSocketAddress address) throws Exception {
        long start = System.nanoTime();
        while (true) {
            try {
                Curl.Response response = get(address);
                if (millisSince(start) > 100) {
                    System.out.printf("new VIP port %d routed by the node %d ms after its listener was ready%n",
                            address.getPort(), millisSince(start));
                }
                return response;
            } catch (java.net.ConnectException refused) {
                if (millisSince(start) > 5_000) {
                    throw new AssertionError("VIP port " + address + " still refused 5 s after its listener was "
                            + "ready; " + vipRouting(), refused);
                }
                Thread.sleep(50);
            }
        }
    }

    /** What the cluster says of lb-web's VIP: its Service's ports and its EndpointSlices, for a failure's message. */
    private String vipRouting() {
        var service = client.services().inNamespace(DEMO).withName("lb-web-vip").get();
        String ports = service == null ? "no Service" : service.getSpec().getPorts().stream()
                .map(p -> p.getPort() + "->" + p.getTargetPort().getIntVal()).toList().toString();
        String slices = client.discovery().v1().endpointSlices().inNamespace(DEMO)
                .withLabel("kubernetes.io/service-name", "lb-web-vip").list().getItems().stream()
                .map(slice -> slice.getMetadata().getName() + " ports " + slice.getPorts().stream()
                        .map(p -> p.getName() + ":" + p.getPort()).toList() + " endpoints " + slice.getEndpoints()
                        .stream().map(e -> e.getAddresses() + " ready=" + e.getConditions().getReady()).toList())
                .toList().toString();
        return "Service ports " + ports + ", EndpointSlices " + slices + ", amphora pods " + amphoraPods().stream()
                .map(pod -> pod.getMetadata().getName() + " " + pod.getStatus().getPhase()).toList();
    }

    private static Curl.Response get(InetSocketAddress address, int timeoutMillis) throws IOException {
        return Curl.get(address.getHostString(), address.getPort(), "/", timeoutMillis);
    }

    private List<String> answers(int count) throws IOException {
        List<String> answers = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            answers.add(get(vip, 20_000).body().strip());
        }
        return answers;
    }

    private OperatingStatus operating(Class<? extends CustomResource<?, ?>> kind, String name) {
        CustomResource<?, ?> object = client.resources(kind).inNamespace(DEMO).withName(name).get();
        return object == null || object.getStatus() == null ? null
                : ((dev.lbaas.api.v1alpha1.LbaasStatus) object.getStatus()).getOperatingStatus();
    }

    @Test
    @Order(4)
    void aDeletedAmphoraPodIsReplacedAndServesAgain() throws Exception {
        String before = amphoraPods().get(0).getMetadata().getName();
        try (RequestStream stream = new RequestStream(vip)) {
            stream.awaitSuccesses(20);
            long deleted = System.nanoTime();
            client.pods().inNamespace(DEMO).withName(before).delete();
            // The deleted amphora serves on while its replacement starts; the VIP moves to the
            // replacement once it is ready.
            awaitOrExplain(Duration.ofSeconds(60), () -> amphoraPods().stream().anyMatch(pod ->
                    !pod.getMetadata().getName().equals(before) && Readiness.isPodReady(pod)), "a ready replacement amphora");
            long replaced = millisSince(deleted);
            long readyAt = System.nanoTime();
            await().atMost(Duration.ofSeconds(30)).until(() -> stream.successesSince(readyAt) > 10);
            System.out.printf("amphora pod deleted: replacement ready after %d ms; the VIP's longest silence %d ms, "
                    + "%d requests failed of %d (target: serving again within 5000 ms)%n", replaced,
                    stream.longestGapMillis(), stream.failures(), stream.successes() + stream.failures());
            assertThat(stream.longestGapMillis()).as("longest time without an answer through the VIP")
                    .isLessThan(5_000);
        }
        List<Pod> now = amphoraPods();
        assertThat(now).hasSize(1);
        assertThat(now.get(0).getMetadata().getName()).isNotEqualTo(before);
        assertThat(client.v1().events().inNamespace(DEMO).list().getItems())
                .anySatisfy(event -> {
                    assertThat(event.getReason()).isEqualTo("AmphoraReplaced");
                    assertThat(event.getMessage()).contains(before.substring(before.lastIndexOf("amphora-")));
                });
        await().atMost(Duration.ofSeconds(30)).until(() -> everyObjectReady(LoadBalancer.class));
    }

    @Test
    @Order(5)
    void theLeaderKilledInTheMiddleOfAChangeStillGetsItProgrammedWithoutAFailedRequest() throws Exception {
        Pod amphoraBefore = amphoraPods().get(0);
        try (RequestStream stream = new RequestStream(vip)) {
            stream.awaitSuccesses(20);
            String leader = runningLeader();
            demo.apply(DEMO, """
                    apiVersion: lbaas.dev/v1alpha1
                    kind: Listener
                    metadata: {name: listener-alt}
                    spec: {loadBalancerRef: lb-web, protocol: HTTP, protocolPort: 8080, defaultPoolRef: pool-web}
                    """);
            kill(leader);
            long killed = System.nanoTime();
            awaitOrExplain(Duration.ofSeconds(90), () -> ready(client.resources(Listener.class).inNamespace(DEMO)
                    .withName("listener-alt").get()), "listener-alt programmed after the leader was killed");
            System.out.printf("operator leader killed during a change: programmed %d ms later; %d requests, "
                    + "%d failed%n", millisSince(killed), stream.successes(), stream.failures());
            assertThat(getNewPort(vipPort(8080)).body()).startsWith("This is web");
            assertThat(stream.failures()).as("failed requests through the VIP").isZero();
        }
        assertAdoptedNotRestarted(amphoraBefore);
    }

    @Test
    @Order(6)
    void aLeaderStoppedTheOrdinaryWayHandsTheLeaseOverAtOnce() {
        // Both replicas up first: the one killed by the test before restarts in its pod, and a
        // handover to a replica still starting would measure its start, not the lease.
        awaitOrExplain(Duration.ofSeconds(90), () -> Integer.valueOf(2).equals(client.apps().deployments()
                .inNamespace(SYSTEM).withName("lbaas").get().getStatus().getReadyReplicas()),
                "both operator replicas ready before the leader is stopped");
        String leader = runningLeader();
        long stopped = System.nanoTime();
        // As a rolling update or a drained node stops it: SIGTERM and the grace period.
        client.pods().inNamespace(SYSTEM).withName(leader).delete();
        awaitOrExplain(Duration.ofSeconds(60), () -> {
            String holder = client.leases().inNamespace(SYSTEM).withName("lbaas-operator").get().getSpec()
                    .getHolderIdentity();
            return holder != null && !holder.equals(leader);
        }, "another replica leading after " + leader + " was stopped");
        long handedOver = millisSince(stopped);
        System.out.printf("operator leader stopped the ordinary way: the next one leads after %d ms "
                + "(the lease lasts 10000 ms)%n", handedOver);
        assertThat(handedOver).as("the lease handed over, not left to expire").isLessThan(7_000);
        awaitOrExplain(Duration.ofSeconds(60), () -> Integer.valueOf(2).equals(client.apps().deployments()
                .inNamespace(SYSTEM).withName("lbaas").get().getStatus().getReadyReplicas()),
                "both operator replicas ready again");
    }

    @Test
    @Order(7)
    void theDataPlaneServesWhileNoOperatorRunsAndTheNextOneAdoptsItWithoutARestart() throws Exception {
        Pod amphoraBefore = amphoraPods().get(0);
        try (RequestStream stream = new RequestStream(vip)) {
            stream.awaitSuccesses(10);
            scaleOperator(0);
            awaitOrExplain(Duration.ofSeconds(60), () -> client.pods().inNamespace(SYSTEM).list().getItems().isEmpty(),
                    "no operator pod left");
            int before = stream.successes();
            Thread.sleep(3_000);
            assertThat(stream.successes()).as("requests served while no operator runs").isGreaterThan(before + 10);
            scaleOperator(2);
            // The next operator adopts the running amphora and serves a change through it.
            demo.apply(DEMO, """
                    apiVersion: lbaas.dev/v1alpha1
                    kind: Listener
                    metadata: {name: listener-third}
                    spec: {loadBalancerRef: lb-web, protocol: HTTP, protocolPort: 8081, defaultPoolRef: pool-web}
                    """);
            awaitOrExplain(Duration.ofSeconds(90), () -> ready(client.resources(Listener.class).inNamespace(DEMO)
                    .withName("listener-third").get()), "listener-third programmed by the returning operator");
            assertThat(stream.failures()).as("failed requests through the VIP").isZero();
        }
        assertThat(getNewPort(vipPort(8081)).body()).startsWith("This is web");
        assertAdoptedNotRestarted(amphoraBefore);
    }

    /** The one amphora is the pod that ran before, never restarted: adopted, not duplicated or replaced. */
    private void assertAdoptedNotRestarted(Pod before) {
        assertThat(amphoraPods()).as("one amphora, the same as before").singleElement().satisfies(pod -> {
            assertThat(pod.getMetadata().getUid()).isEqualTo(before.getMetadata().getUid());
            assertThat(pod.getStatus().getContainerStatuses().get(0).getRestartCount()).isZero();
        });
    }

    @Test
    @Order(8)
    void theLeaderKilledRightAfterACreateOrADeleteConvergesWithNothingTwiceAndNothingLeft() throws Exception {
        demo.apply(DEMO, """
                apiVersion: lbaas.dev/v1alpha1
                kind: LoadBalancerClass
                metadata: {name: exposed}
                spec: {vipService: {type: NodePort}}
                """);
        String leader = runningLeader();
        demo.apply(DEMO, """
                apiVersion: lbaas.dev/v1alpha1
                kind: LoadBalancer
                metadata: {name: lb-second}
                spec: {className: exposed}
                ---
                apiVersion: lbaas.dev/v1alpha1
                kind: Listener
                metadata: {name: lb-second-http}
                spec: {loadBalancerRef: lb-second, protocol: HTTP, protocolPort: 80}
                """);
        kill(leader);
        awaitOrExplain(Duration.ofSeconds(90), () -> ready(client.resources(LoadBalancer.class).inNamespace(DEMO)
                .withName("lb-second").get()), "lb-second served after the leader was killed right after its creation");
        String uid = client.resources(LoadBalancer.class).inNamespace(DEMO).withName("lb-second").get().getMetadata()
                .getUid();
        assertThat(amphoraPodsOf(uid)).as("one amphora for lb-second, not two").hasSize(1);
        // Its class makes the VIP a NodePort Service, and the status says where.
        Integer nodePort = client.services().inNamespace(DEMO).withName("lb-second-vip").get().getSpec().getPorts()
                .get(0).getNodePort();
        assertThat(client.resources(LoadBalancer.class).inNamespace(DEMO).withName("lb-second").get().getStatus()
                .getVipPorts()).singleElement().satisfies(port -> {
                    assertThat(port.getPort()).isEqualTo(80);
                    assertThat(port.getProtocol()).isEqualTo("TCP");
                    assertThat(port.getNodePort()).isEqualTo(nodePort).isPositive();
                });

        leader = runningLeader();
        client.resources(LoadBalancer.class).inNamespace(DEMO).withName("lb-second").delete();
        kill(leader);
        awaitOrExplain(Duration.ofSeconds(90), () -> client.resources(LoadBalancer.class).inNamespace(DEMO)
                .withName("lb-second").get() == null && amphoraPodsOf(uid).isEmpty()
                && client.services().inNamespace(DEMO).withLabel("lbaas.dev/loadbalancer-uid", uid).list().getItems()
                .isEmpty(), "lb-second and its amphora and VIP gone after the leader was killed right after the delete");
        assertThat(amphoraPods()).as("lb-web's amphora untouched").hasSize(1);
        client.resources(dev.lbaas.api.v1alpha1.LoadBalancerClass.class).withName("exposed").delete();
    }

    private void scaleOperator(int replicas) {
        client.apps().deployments().inNamespace(SYSTEM).withName("lbaas").scale(replicas);
    }

    /**
     * The operator replica that holds the lease, once one that runs and is ready holds it (a replica
     * killed a moment ago may still be named in the lease while its container restarts).
     */
    private String runningLeader() {
        String[] leader = new String[1];
        awaitOrExplain(Duration.ofSeconds(90), () -> {
            leader[0] = client.leases().inNamespace(SYSTEM).withName("lbaas-operator").get().getSpec()
                    .getHolderIdentity();
            Pod pod = leader[0] == null ? null : client.pods().inNamespace(SYSTEM).withName(leader[0]).get();
            return pod != null && Readiness.isPodReady(pod);
        }, "a running leader");
        return leader[0];
    }

    /** SIGKILL, as a crash, the OOM killer or a node failure would: no chance to hand the lease over. */
    private void kill(String pod) {
        demo.cluster().kill(client, SYSTEM, pod);
    }

    private List<Pod> amphoraPodsOf(String loadBalancerUid) {
        return client.pods().inNamespace(DEMO).withLabel("lbaas.dev/loadbalancer-uid", loadBalancerUid).list()
                .getItems().stream().filter(pod -> pod.getMetadata().getDeletionTimestamp() == null).toList();
    }

    @Test
    @Order(9)
    void anActiveStandbyPairFailsOverThroughItsEndpointSliceWithoutTheOperator() throws Exception {
        try {
            // examples/kubernetes/active-standby.yaml, its members the pods of the seed scenario's Service.
            demo.apply(DEMO, demo.activeStandbyScenario());
            awaitOrExplain(Duration.ofSeconds(120), () -> PairViews.healthyPair(pairLb()) && ready(pairLb())
                    && ready(client.resources(Listener.class).inNamespace(DEMO).withName("lb-pair-http").get()),
                    "lb-pair Ready with a healthy MASTER and BACKUP");
            LoadBalancer lb = pairLb();
            assertThat(lb.getStatus().getTopology()).isEqualTo(Topology.ACTIVE_STANDBY);
            awaitOrExplain(Duration.ofSeconds(10), () -> amphoraPodsOf(lb.getMetadata().getUid()).stream()
                    .filter(Readiness::isPodReady).count() == 2, "both amphora pods ready: the standby is not held back");
            assertThat(client.services().inNamespace(DEMO).withName("lb-pair-vip").get().getSpec().getSelector())
                    .as("the VIP selects no pod: its endpoint is the master's to write").isNullOrEmpty();
            String first = PairViews.pod(PairViews.amphora(lb, AmphoraInfo.Role.MASTER));
            String second = PairViews.pod(PairViews.amphora(lb, AmphoraInfo.Role.BACKUP));
            awaitOrExplain(Duration.ofSeconds(10), () -> vipEndpoints().equals(List.of(podIp(first))),
                    "the VIP's EndpointSlice listing the master alone");
            String firstId = PairViews.amphora(lb, AmphoraInfo.Role.MASTER).getId();
            assertThat(vipClaim()).as("the master's claim beside its address").startsWith(firstId + " term=");
            InetSocketAddress pairVip = demo.cluster().reach(lb.getStatus(), 80);
            String third;

            // Clients keep their member by source address; the standby is told each binding.
            client.resources(dev.lbaas.api.v1alpha1.Pool.class).inNamespace(DEMO).withName("pool-pair").edit(pool -> {
                SessionPersistence persistence = new SessionPersistence();
                persistence.setType(SessionPersistence.Type.SOURCE_IP);
                pool.getSpec().setSessionPersistence(persistence);
                return pool;
            });
            awaitOrExplain(Duration.ofSeconds(30), () -> ready(client.resources(dev.lbaas.api.v1alpha1.Pool.class)
                    .inNamespace(DEMO).withName("pool-pair").get()) && ready(pairLb()), "pool-pair persistent");
            String member = get(pairVip).body();
            assertThat(get(pairVip).body()).as("this machine's client keeps its member").isEqualTo(member);
            awaitOrExplain(Duration.ofSeconds(40), () -> {
                LoadBalancer now = pairLb();
                return now.getStatus().getAmphorae().stream().anyMatch(a -> a.getRole() == AmphoraInfo.Role.BACKUP
                        && a.getSessionBindingsReceived() != null && a.getSessionBindingsReceived() > 0);
            }, "the standby's status counting a binding received from its master, over the pod network");

            // What a pair's amphorae may do with their token: their own slice's endpoints, nothing else.
            String amphoraAccount = "system:serviceaccount:" + DEMO + ":lb-pair-amphora";
            String versionByDryRun = demo.kubectl("--as", amphoraAccount, "-n", DEMO, "patch", "endpointslice",
                    "lb-pair-vip", "--type", "merge", "--dry-run=server", "-p", "{\"endpoints\":[]}", "-o",
                    "jsonpath={.metadata.resourceVersion}").strip();
            // What a standby's takeover write is fenced with: the version as it is, not one moved on.
            assertThat(versionByDryRun).as("the version a dry run answers with").isEqualTo(client.discovery().v1()
                    .endpointSlices().inNamespace(DEMO).withName("lb-pair-vip").get().getMetadata().getResourceVersion());
            assertThatThrownBy(() -> demo.kubectl("--as", amphoraAccount, "-n", DEMO, "patch", "endpointslice",
                    "lb-pair-vip", "--type", "merge", "-p", "{\"metadata\":{\"labels\":{\"kubernetes.io/service-name\":"
                            + "\"web\"}}}")).as("relabelled to take the Service web's traffic")
                    .hasMessageContaining("an amphora may change the endpoints of its VIP's EndpointSlice, nothing else");
            assertThatThrownBy(() -> demo.kubectl("--as", amphoraAccount, "-n", DEMO, "patch", "endpointslice",
                    "lb-pair-vip", "--type", "merge", "--dry-run=server", "-p",
                    "{\"metadata\":{\"annotations\":{\"note\":\"x\"}}}")).as("an annotation but the claim")
                    .hasMessageContaining("of its slice's annotations, an amphora may change amphora.lbaas.dev/master alone");
            String webSlice = client.discovery().v1().endpointSlices().inNamespace(DEMO)
                    .withLabel("kubernetes.io/service-name", "web").list().getItems().get(0).getMetadata().getName();
            assertThatThrownBy(() -> demo.kubectl("--as", amphoraAccount, "-n", DEMO, "patch", "endpointslice", webSlice,
                    "--type", "merge", "--dry-run=server", "-p", "{\"endpoints\":[]}")).as("another Service's slice")
                    .hasMessageContaining("forbidden");

            try (RequestStream stream = new RequestStream(pairVip, 2_000)) {
                stream.awaitSuccesses(20);
                // Planned: the master hands over and keeps its listeners while the network follows.
                PairViews.requestFailover(client, DEMO, "lb-pair", "planned-1");
                awaitOrExplain(Duration.ofSeconds(30), () -> vipEndpoints().equals(List.of(podIp(second)))
                        && second.equals(masterPod(pairLb())),
                        "the standby MASTER and alone in the VIP's EndpointSlice after the failover request");
                // Past the old master's linger, when it closes its listeners.
                Thread.sleep(2_500);
                assertThat(get(pairVip).body()).as("the client's member after the failover").isEqualTo(member);
                System.out.printf("pair on pods, planned failover: longest silence %d ms; %d requests, %d failed%n",
                        stream.longestGapMillis(), stream.successes(), stream.failures());
                assertThat(stream.failures()).as("failed requests in a planned failover").isZero();
                awaitOrExplain(Duration.ofSeconds(30), () -> PairViews.healthyPair(pairLb()), "the pair healthy again");

                // The master's pod deleted, as a drain or a rolling update does: it serves its shutdown
                // delay, hands over, and only then is replaced, so that there are never two masters.
                String secondUid = client.pods().inNamespace(DEMO).withName(second).get().getMetadata().getUid();
                long deleted = System.nanoTime();
                client.pods().inNamespace(DEMO).withName(second).delete();
                // By uid: its replacement may take its name (the first free incarnation) a moment later.
                awaitOrExplain(Duration.ofSeconds(60), () -> client.pods().inNamespace(DEMO).list().getItems().stream()
                        .noneMatch(pod -> secondUid.equals(pod.getMetadata().getUid())), "the deleted master's pod gone");
                long gone = millisSince(deleted);
                assertThat(vipEndpoints()).as("the standby took the VIP before the old master left")
                        .containsExactly(podIp(first));
                awaitOrExplain(Duration.ofSeconds(60), () -> healthyPairMastered(first), "a new standby beside the survivor");
                System.out.printf("pair on pods, master pod deleted: handed over and gone after %d ms, a new standby "
                        + "after %d ms; %d requests failed%n", gone, millisSince(deleted), stream.failures());
                assertThat(stream.failures()).as("failed requests while the master's pod was deleted").isZero();
                third = PairViews.pod(PairViews.amphora(pairLb(), AmphoraInfo.Role.BACKUP));
                // A standby warms before it joins: the takeover below is a warmed one's.
                assertThat(client.pods().inNamespace(DEMO).withName(third).getLog())
                        .as("the new standby's log").contains("JIT warm-up of listener(s)");

                // Unplanned, with no operator: the master's SIGKILL, the standby takes over alone.
                scaleOperator(0);
                try {
                    awaitOrExplain(Duration.ofSeconds(60), () -> client.pods().inNamespace(SYSTEM).list().getItems()
                            .isEmpty(), "no operator pod left");
                    stream.awaitSuccesses(20);
                    long killed = System.nanoTime();
                    demo.cluster().kill(client, DEMO, first);
                    await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(10))
                            .until(() -> vipEndpoints().equals(List.of(podIp(third))));
                    long rewritten = millisSince(killed);
                    // Two seconds more of requests: every failure must lie in the takeover's window.
                    Thread.sleep(2_000);
                    assertThat(stream.successesSince(killed)).as("answers after the kill").isPositive();
                    long failed = stream.failuresSince(killed);
                    long window = stream.lastFailureMillisAfter(killed);
                    System.out.printf("pair on pods, master SIGKILLed with no operator running: the survivor wrote itself "
                            + "into the VIP's EndpointSlice after %d ms; %d requests failed, the last %d ms after the kill; "
                            + "longest silence %d ms%n", rewritten, failed, window, stream.longestGapMillis());
                    assertThat(window).as("the last failed request after the master's death (ms)").isLessThan(1_500);
                    assertThat(stream.longestGapMillis()).as("longest time without an answer (ms)").isLessThan(1_500);
                } finally {
                    scaleOperator(2);
                }
            }
            // The killed container restarts in its pod and rejoins as the standby.
            awaitOrExplain(Duration.ofSeconds(120), () -> healthyPairMastered(third),
                    "the pair healthy again, the survivor still MASTER");
            assertThat(events("lb-pair")).contains("FailoverCompleted", "RoleChanged");
            if (demo.cluster().canSignal()) {
                pausedMasterResumesAsBackup(pairVip, third, first);
            }
            client.resources(LoadBalancer.class).inNamespace(DEMO).withName("lb-pair").delete();
            awaitOrExplain(Duration.ofSeconds(60), () -> pairLb() == null && client.discovery().v1().endpointSlices()
                    .inNamespace(DEMO).withName("lb-pair-vip").get() == null && client.serviceAccounts().inNamespace(DEMO)
                    .withName("lb-pair-amphora").get() == null, "lb-pair, its EndpointSlice and its ServiceAccount gone");
        } finally {
            // Cluster-scoped: the namespace's deletion does not take it.
            client.resources(dev.lbaas.api.v1alpha1.LoadBalancerClass.class).withName("pair").delete();
        }
    }

    /**
     * The master SIGSTOPped (a stalled node, a long GC): its standby takes over and writes itself
     * into the slice under a newer term; when the master resumes, its overdue refresh finds the
     * newer claim and does not write, and it steps down at its successor's advert. The traffic never
     * goes back to it.
     */
    private void pausedMasterResumesAsBackup(InetSocketAddress pairVip, String master, String standby)
            throws Exception {
        String standbyId = PairViews.amphora(pairLb(), AmphoraInfo.Role.BACKUP).getId();
        try (RequestStream stream = new RequestStream(pairVip, 2_000)) {
            stream.awaitSuccesses(20);
            long stopped = System.nanoTime();
            long tookOver;
            demo.cluster().signal(client, DEMO, master, "SIGSTOP");
            try {
                await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(10))
                        .until(() -> vipEndpoints().equals(List.of(podIp(standby))));
                tookOver = millisSince(stopped);
                // Long enough for the paused master's refresh of its claim (every 10 s) to fall due:
                // it is sent the moment the master resumes, before it hears of its successor.
                Thread.sleep(10_500);
            } finally {
                demo.cluster().signal(client, DEMO, master, "SIGCONT");
            }
            long resumed = System.nanoTime();
            assertThat(vipClaim()).as("the successor's claim").startsWith(standbyId + " term=");
            while (millisSince(resumed) < 4_000) {
                assertThat(vipEndpoints()).as("the slice after the old master resumed").containsExactly(podIp(standby));
                Thread.sleep(20);
            }
            awaitOrExplain(Duration.ofSeconds(30), () -> healthyPairMastered(standby),
                    "the resumed amphora BACKUP, its successor still MASTER");
            System.out.printf("pair on pods, master SIGSTOPped: the standby in the slice after %d ms; after SIGCONT the "
                    + "slice kept it; %d requests failed, the last %d ms after the pause%n", tookOver,
                    stream.failuresSince(stopped), stream.lastFailureMillisAfter(stopped));
            assertThat(stream.failuresSince(resumed + TimeUnit.MILLISECONDS.toNanos(2_500)))
                    .as("requests failed once the resumed amphora had stepped down").isZero();
            assertThat(vipClaim()).startsWith(standbyId + " term=");
        }
    }

    /** The claim written beside the address in lb-pair's VIP EndpointSlice. */
    private String vipClaim() {
        var slice = client.discovery().v1().endpointSlices().inNamespace(DEMO).withName("lb-pair-vip").get();
        var annotations = slice.getMetadata().getAnnotations();
        return annotations == null ? "" : annotations.getOrDefault("amphora.lbaas.dev/master", "");
    }

    @Test
    @Order(10)
    void aPairWhoseVipFollowsReadinessHoldsNoTokenAndFailsOverAtTheKubeletsPace() throws Exception {
        try {
            demo.apply(DEMO, demo.activeStandbyScenario()
                    .replace("name: pair\n", "name: pair-by-readiness\n")
                    .replace("  topology: ACTIVE_STANDBY\n", "  topology: ACTIVE_STANDBY\n"
                            + "  vipService: {masterEndpoint: Readiness}\n")
                    .replace("className: pair\n", "className: pair-by-readiness\n")
                    .replace("lb-pair", "lb-ready").replace("pool-pair", "pool-ready"));
            awaitOrExplain(Duration.ofSeconds(120), () -> PairViews.healthyPair(readyLb()) && ready(readyLb()),
                    "lb-ready Ready with a healthy MASTER and BACKUP");
            LoadBalancer lb = readyLb();
            String uid = lb.getMetadata().getUid();
            assertThat(amphoraPodsOf(uid)).hasSize(2).allSatisfy(pod -> assertThat(pod.getSpec()
                    .getAutomountServiceAccountToken()).as("no API token in the data plane").isFalse());
            String master = masterPod(lb);
            awaitOrExplain(Duration.ofSeconds(10), () -> amphoraPodsOf(uid).stream().filter(Readiness::isPodReady)
                    .map(pod -> pod.getMetadata().getName()).toList().equals(List.of(master)),
                    "the master alone ready");
            InetSocketAddress readyVip = demo.cluster().reach(lb.getStatus(), 80);
            try (RequestStream stream = new RequestStream(readyVip, 2_000)) {
                stream.awaitSuccesses(20);
                long killed = System.nanoTime();
                demo.cluster().kill(client, DEMO, master);
                awaitOrExplain(Duration.ofSeconds(20), () -> {
                    List<String> readyPods = amphoraPodsOf(uid).stream().filter(Readiness::isPodReady)
                            .map(pod -> pod.getMetadata().getName()).toList();
                    return readyPods.size() == 1 && !readyPods.contains(master);
                }, "the standby ready in its place");
                Thread.sleep(2_000);
                long failed = stream.failuresSince(killed);
                long window = stream.lastFailureMillisAfter(killed);
                System.out.printf("pair on pods, the VIP following readiness, master SIGKILLed: %d requests failed, "
                        + "the last %d ms after the kill; longest silence %d ms%n", failed, window,
                        stream.longestGapMillis());
                assertThat(window).as("the last failed request after the master's death (ms)").isLessThan(3_000);
            }
            client.resources(LoadBalancer.class).inNamespace(DEMO).withName("lb-ready").delete();
            awaitOrExplain(Duration.ofSeconds(60), () -> readyLb() == null && amphoraPodsOf(uid).isEmpty(),
                    "lb-ready and its amphorae gone");
        } finally {
            client.resources(dev.lbaas.api.v1alpha1.LoadBalancerClass.class).withName("pair-by-readiness").delete();
        }
    }

    private LoadBalancer readyLb() {
        return client.resources(LoadBalancer.class).inNamespace(DEMO).withName("lb-ready").get();
    }

    /** The pod of lb-pair's MASTER in this reading of its status, or null when none is. */
    private static String masterPod(LoadBalancer lb) {
        return lb == null || lb.getStatus() == null ? null : lb.getStatus().getAmphorae().stream()
                .filter(amphora -> amphora.getRole() == AmphoraInfo.Role.MASTER).map(PairViews::pod).findFirst()
                .orElse(null);
    }

    /** lb-pair healthy, with {@code pod} its MASTER, in one reading of its status. */
    private boolean healthyPairMastered(String pod) {
        LoadBalancer lb = pairLb();
        return PairViews.healthyPair(lb) && pod.equals(masterPod(lb));
    }

    private LoadBalancer pairLb() {
        return client.resources(LoadBalancer.class).inNamespace(DEMO).withName("lb-pair").get();
    }

    /** The addresses of lb-pair's VIP EndpointSlice's endpoints. */
    private List<String> vipEndpoints() {
        return PairViews.vipEndpoints(client, DEMO, "lb-pair");
    }

    private List<String> events(String involved) {
        return client.v1().events().inNamespace(DEMO).list().getItems().stream()
                .filter(event -> involved.equals(event.getInvolvedObject().getName()))
                .map(io.fabric8.kubernetes.api.model.Event::getReason).toList();
    }

    @Test
    @Order(11)
    void theOperatorsMetricsAreServedInPrometheusFormat() {
        // Through the API server's proxy to the operator's Service: the same path on any cluster.
        String service = "/api/v1/namespaces/" + SYSTEM + "/services/lbaas:8080/proxy";
        assertThat(client.raw(service + "/q/metrics")).contains("# TYPE").contains("jvm_memory_used_bytes");
        assertThat(client.raw(service + "/q/health/live")).contains("\"status\": \"UP\"");
    }

    @Test
    @Order(12)
    void uninstallingLeavesNothingBehind() throws Exception {
        client.namespaces().withName(DEMO).delete();
        // The load balancer's finalizer needs the operator: its namespace goes first.
        awaitOrExplain(Duration.ofSeconds(90), () -> client.namespaces().withName(DEMO).get() == null,
                "namespace " + DEMO + " deleted");
        demo.helm("uninstall", "lbaas", "--namespace", SYSTEM, "--wait", "--timeout", "60s");
        client.namespaces().withName(SYSTEM).delete();
        await().atMost(Duration.ofSeconds(90)).until(() -> client.namespaces().withName(SYSTEM).get() == null);

        // Nothing the chart, the operator or the suite made is left: pods, Services, Secrets, RBAC,
        // classes, admission policies (the CRDs stay, as Helm leaves CRDs by design).
        assertThat(ClusterInventory.of(client)).as("the cluster's objects after uninstalling, beyond those before it")
                .isSubsetOf(before);
    }

    // ---- helpers ----------------------------------------------------------------------------

    @SafeVarargs
    private boolean everyObjectReady(Class<? extends CustomResource<?, ?>>... kinds) {
        for (Class<? extends CustomResource<?, ?>> kind : kinds) {
            List<? extends CustomResource<?, ?>> items = client.resources(kind).inNamespace(DEMO).list().getItems();
            if (items.isEmpty() || !items.stream().allMatch(ClusterSuite::ready)) {
                return false;
            }
        }
        return true;
    }

    private static boolean ready(CustomResource<?, ?> object) {
        if (object == null || object.getStatus() == null) {
            return false;
        }
        var status = (dev.lbaas.api.v1alpha1.LbaasStatus) object.getStatus();
        return status.getProvisioningStatus() == ProvisioningStatus.ACTIVE
                && status.getOperatingStatus() != OperatingStatus.OFFLINE
                && status.getConditions().stream().filter(c -> "Ready".equals(c.getType())).map(Condition::getStatus)
                .anyMatch("True"::equals);
    }

    private List<Pod> amphoraPods() {
        return client.pods().inNamespace(DEMO).withLabel("lbaas.dev/component", "amphora").list().getItems().stream()
                .filter(pod -> pod.getMetadata().getDeletionTimestamp() == null).toList();
    }

    /** Waits; on a timeout, fails with the operator's logs, which say why. */
    private void awaitOrExplain(Duration atMost, java.util.concurrent.Callable<Boolean> condition, String what) {
        try {
            await().atMost(atMost).pollInterval(Duration.ofMillis(200)).until(condition);
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            StringBuilder logs = new StringBuilder();
            for (Pod pod : client.pods().inNamespace(SYSTEM).list().getItems()) {
                String log = client.pods().inNamespace(SYSTEM).withName(pod.getMetadata().getName()).tailingLines(60)
                        .getLog();
                logs.append("---- ").append(pod.getMetadata().getName()).append('\n').append(log);
            }
            throw new AssertionError(what + " not within " + atMost + "; operator logs:\n" + logs, e);
        }
    }

    private static long millisSince(long nanos) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - nanos);
    }

    /** Requests through the VIP one after another, counting failures and the longest time without an answer. */
    private static final class RequestStream implements AutoCloseable {

        private final AtomicBoolean running = new AtomicBoolean(true);
        private final AtomicInteger successes = new AtomicInteger();
        private final AtomicInteger failures = new AtomicInteger();
        private final AtomicLong lastSuccess = new AtomicLong(System.nanoTime());
        private final AtomicLong longestGap = new AtomicLong();
        private final List<Long> successTimes = java.util.Collections.synchronizedList(new ArrayList<>());
        private final List<Long> failureTimes = java.util.Collections.synchronizedList(new ArrayList<>());
        private final Thread thread;

        RequestStream(InetSocketAddress vip) {
            this(vip, 5_000);
        }

        RequestStream(InetSocketAddress vip, int timeoutMillis) {
            thread = new Thread(() -> {
                while (running.get()) {
                    try {
                        if (get(vip, timeoutMillis).status() == 200) {
                            long now = System.nanoTime();
                            longestGap.accumulateAndGet(now - lastSuccess.getAndSet(now), Math::max);
                            successes.incrementAndGet();
                            successTimes.add(now);
                        } else {
                            failures.incrementAndGet();
                            failureTimes.add(System.nanoTime());
                        }
                    } catch (IOException e) {
                        failures.incrementAndGet();
                        failureTimes.add(System.nanoTime());
                    }
                    try {
                        Thread.sleep(20);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }, "vip-requests");
            thread.start();
        }

        void awaitSuccesses(int count) {
            int target = successes.get() + count;
            await().atMost(Duration.ofSeconds(30)).until(() -> successes.get() >= target);
            longestGap.set(0);
        }

        int successes() {
            return successes.get();
        }

        int failures() {
            return failures.get();
        }

        long lastSuccessNanos() {
            return lastSuccess.get();
        }

        long successesSince(long nanos) {
            synchronized (successTimes) {
                return successTimes.stream().filter(t -> t > nanos).count();
            }
        }

        long failuresSince(long nanos) {
            synchronized (failureTimes) {
                return failureTimes.stream().filter(t -> t > nanos).count();
            }
        }

        /** How long after {@code nanos} the last request failed, in milliseconds; 0 if none did since. */
        long lastFailureMillisAfter(long nanos) {
            synchronized (failureTimes) {
                return failureTimes.stream().filter(t -> t > nanos).max(Long::compare)
                        .map(t -> TimeUnit.NANOSECONDS.toMillis(t - nanos)).orElse(0L);
            }
        }

        long longestGapMillis() {
            return TimeUnit.NANOSECONDS.toMillis(longestGap.get());
        }

        @Override
        public void close() throws InterruptedException {
            running.set(false);
            thread.join(10_000);
        }
    }
}
