package dev.lbaas.e2e;

import static dev.lbaas.e2e.PairViews.amphora;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.lbaas.api.v1alpha1.AmphoraInfo;
import dev.lbaas.api.v1alpha1.LoadBalancer;
import dev.lbaas.api.v1alpha1.OperatingStatus;
import dev.lbaas.api.v1alpha1.Topology;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * An ACTIVE_STANDBY load balancer on the local driver (examples/active-standby.yaml), end to end:
 * the operator starts two amphora processes, one takes the VIP, and a steady stream of requests
 * goes through a planned failover and the SIGKILL of the master.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ActiveStandbyIT {

    private static final String NAMESPACE = "pair";
    private static final String LB = "lb-pair";
    private static final int PORT = 8090;
    private static final int REQUESTS_PER_SECOND = 500;

    private static LocalDemo demo;
    private static LocalSystem system;
    private static KubernetesClient client;
    private static DemoWebServer web1;
    private static DemoWebServer web2;
    private static String vip;
    /** Clients by source address, and the member each is bound to. */
    private static Map<String, String> sessions;

    /** The host's net.ipv4.tcp_migrate_req before this test set it, or null if it left it alone. */
    private static String migrateRequestsBefore;

    @BeforeAll
    static void startSystem() throws Exception {
        // Both amphorae of a local pair listen on the VIP in one SO_REUSEPORT group: without this
        // setting the kernel resets a connection queued on the old master's socket as it closes
        // (docs/failover.md), which the amphora warns of and only the host can change. Set for this
        // test where it may be (root), as the docs ask of a host that runs local pairs; put back after.
        Path setting = Path.of("/proc/sys/net/ipv4/tcp_migrate_req");
        if (Files.isWritable(setting) && Files.readString(setting).trim().equals("0")) {
            Files.writeString(setting, "1");
            migrateRequestsBefore = "0";
        }
        demo = LocalDemo.start("e2e-pair", NAMESPACE);
        system = demo.system();
        client = demo.client();
        web1 = demo.web1();
        web2 = demo.web2();
    }

    @AfterAll
    static void stopSystem() throws Exception {
        if (migrateRequestsBefore != null) {
            Files.writeString(Path.of("/proc/sys/net/ipv4/tcp_migrate_req"), migrateRequestsBefore);
        }
        if (demo != null) {
            demo.close();
        }
    }

    @Test
    @Order(1)
    void twoAmphoraeComeUpOneHoldingTheVip() throws Exception {
        system.apply(NAMESPACE, LocalSystem.loadManifests(client,
                ProjectLayout.current().examples().resolve("active-standby.yaml"), List.of(web1, web2)));
        LoadBalancer lb = await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200))
                .until(ActiveStandbyIT::loadBalancer, found -> ready(found) && roles(found).size() == 2
                        && roles(found).contains(AmphoraInfo.Role.MASTER)
                        && operating(found) == OperatingStatus.ONLINE);
        vip = lb.getStatus().getVipAddress();
        assertThat(lb.getStatus().getTopology()).isEqualTo(Topology.ACTIVE_STANDBY);
        assertThat(lb.getStatus().getAmphorae()).extracting(AmphoraInfo::getRole)
                .containsExactlyInAnyOrder(AmphoraInfo.Role.MASTER, AmphoraInfo.Role.BACKUP);
        assertThat(lb.getStatus().getAmphorae()).allSatisfy(a -> assertThat(a.getHealthy()).isTrue());
        assertThat(lb.getStatus().getAmphorae()).extracting(AmphoraInfo::getLocation).doesNotHaveDuplicates();

        sessions = sessions();
        assertThat(Set.copyOf(sessions.values())).as("clients spread over both members")
                .containsExactlyInAnyOrder("This is web1\n", "This is web2\n");
        assertThat(sessions()).as("and kept there by source address").isEqualTo(sessions);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(eventMessages("AmphoraJoined"))
                .hasSize(2));
        assertThat(eventMessages("RoleChanged")).anySatisfy(m -> assertThat(m).contains("is MASTER now, was BACKUP"));
    }

    @Test
    @Order(2)
    void aFailoverRequestMovesTheVipToTheStandbyWithoutAFailedRequest() throws Exception {
        LoadBalancer before = precondition();
        AmphoraInfo master = amphora(before, AmphoraInfo.Role.MASTER);
        AmphoraInfo standby = amphora(before, AmphoraInfo.Role.BACKUP);
        try (RequestStream stream = new RequestStream(vip, PORT, REQUESTS_PER_SECOND)) {
            assertThat(stream.awaitSuccesses(100, 10_000)).isTrue();
            long asked = System.nanoTime();
            PairViews.requestFailover(client, NAMESPACE, LB, "first");
            LoadBalancer after = await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(50))
                    .until(ActiveStandbyIT::loadBalancer, lb -> "first".equals(lb.getStatus().getFailoverRequest())
                            && roles(lb).containsAll(List.of(AmphoraInfo.Role.MASTER, AmphoraInfo.Role.BACKUP))
                            && standby.getId().equals(amphora(lb, AmphoraInfo.Role.MASTER).getId()));
            long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - asked);
            int answered = stream.successes();
            assertThat(stream.awaitSuccesses(answered + 250, 10_000)).isTrue();
            System.out.printf("planned failover on the local driver: %s is MASTER %d ms after the request; longest "
                    + "silence %d ms; %d of %d requests failed%n", standby.getId(), tookMillis,
                    stream.longestGapMillis(), stream.failures(), stream.successes() + stream.failures());
            assertThat(stream.failures()).as("failed requests in a planned failover").isZero();
            assertThat(amphora(after, AmphoraInfo.Role.BACKUP).getId()).isEqualTo(master.getId());
        }
        assertThat(sessions()).as("every client on its member after the failover").isEqualTo(sessions);
        await().atMost(Duration.ofSeconds(10)).until(() -> !eventMessages("FailoverCompleted").isEmpty());
        assertThat(eventMessages("FailoverCompleted")).singleElement().satisfies(m -> assertThat(m)
                .startsWith("amphora " + master.getId() + " handed the VIP to amphora " + standby.getId())
                .contains("lbaas.dev/failover=\"first\""));
    }

    @Test
    @Order(3)
    void aKilledMasterIsSucceededWithinHalfASecondAndReplacedByANewStandby() throws Exception {
        LoadBalancer before = precondition();
        AmphoraInfo master = amphora(before, AmphoraInfo.Role.MASTER);
        AmphoraInfo standby = amphora(before, AmphoraInfo.Role.BACKUP);
        long pid = PairViews.pid(master);
        // Every status written, as a watch sees them: the DEGRADED between the death and the new
        // standby may last less than a poll would notice.
        List<OperatingStatus> seen = new CopyOnWriteArrayList<>();
        try (Watch watch = client.resources(LoadBalancer.class).inNamespace(NAMESPACE).withName(LB)
                .watch(new Watcher<>() {
                    @Override
                    public void eventReceived(Action action, LoadBalancer lb) {
                        seen.add(operating(lb));
                    }

                    @Override
                    public void onClose(WatcherException cause) {
                    }
                });
                RequestStream stream = new RequestStream(vip, PORT, REQUESTS_PER_SECOND)) {
            assertThat(stream.awaitSuccesses(100, 10_000)).isTrue();
            stream.resetGap();
            int answeredBefore = stream.successes();
            ProcessHandle.of(pid).orElseThrow().destroyForcibly();
            assertThat(stream.awaitSuccesses(answeredBefore + 50, 10_000)).as("the standby serves").isTrue();
            int failedInTheGap = stream.failures();
            long gap = stream.longestGapMillis();

            // The operator sees the amphora gone, says so and starts a new standby.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            LoadBalancer lb = loadBalancer();
            while (System.nanoTime() < deadline && !replaced(lb, master, standby)) {
                Thread.sleep(50);
                lb = loadBalancer();
            }
            assertThat(replaced(lb, master, standby)).as("a new standby joined: " + lb.getStatus().getAmphorae())
                    .isTrue();
            int answered = stream.successes();
            assertThat(stream.awaitSuccesses(answered + 250, 10_000)).isTrue();
            System.out.printf("master SIGKILLed on the local driver: longest silence %d ms, %d requests failed in "
                    + "the gap, %d after it%n", gap, failedInTheGap, stream.failures() - failedInTheGap);
            assertThat(gap).as("longest time without an answer").isLessThan(1_000);
            assertThat(stream.failures() - failedInTheGap).as("failed requests once the gap is over").isZero();
        }
        assertThat(sessions()).as("every client on its member after the failover").isEqualTo(sessions);
        assertThat(seen).as("DEGRADED while the load balancer had no standby").contains(OperatingStatus.DEGRADED);
        await().atMost(Duration.ofSeconds(15)).until(() -> operating(loadBalancer()) == OperatingStatus.ONLINE);
        assertThat(eventMessages("RoleChanged")).anySatisfy(m -> assertThat(m)
                .isEqualTo("amphora " + standby.getId() + " (" + standby.getLocation() + ") is MASTER now, was BACKUP"));
        assertThat(eventMessages("AmphoraJoined")).hasSize(3);
    }

    private static Map<String, String> sessions() throws IOException {
        return RequestStream.sessions(vip, PORT, 16);
    }

    /** The survivor is MASTER and a new amphora, not the killed one, is a healthy BACKUP. */
    private static boolean replaced(LoadBalancer lb, AmphoraInfo killed, AmphoraInfo survivor) {
        List<AmphoraInfo> amphorae = lb.getStatus().getAmphorae();
        return amphorae.size() == 2 && amphorae.stream().noneMatch(a -> a.getId().equals(killed.getId()))
                && amphorae.stream().allMatch(a -> Boolean.TRUE.equals(a.getHealthy()))
                && amphora(lb, AmphoraInfo.Role.MASTER).getId().equals(survivor.getId())
                && operating(lb) == OperatingStatus.ONLINE;
    }

    private static LoadBalancer precondition() {
        try {
            return await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(ActiveStandbyIT::loadBalancer,
                    lb -> vip != null && ready(lb) && PairViews.healthyPair(lb));
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            Assumptions.abort("an earlier step left this one without a healthy pair");
            throw e;
        }
    }

    private static LoadBalancer loadBalancer() {
        return client.resources(LoadBalancer.class).inNamespace(NAMESPACE).withName(LB).get();
    }

    private static List<AmphoraInfo.Role> roles(LoadBalancer lb) {
        return lb == null || lb.getStatus() == null ? List.of()
                : lb.getStatus().getAmphorae().stream().map(AmphoraInfo::getRole).toList();
    }

    private static OperatingStatus operating(LoadBalancer lb) {
        return lb == null || lb.getStatus() == null ? null : lb.getStatus().getOperatingStatus();
    }

    private static boolean ready(LoadBalancer lb) {
        return lb != null && lb.getStatus() != null && lb.getStatus().getConditions().stream()
                .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
    }

    private static List<String> eventMessages(String reason) {
        return client.v1().events().inNamespace(NAMESPACE).list().getItems().stream()
                .filter(e -> LB.equals(e.getInvolvedObject().getName()) && reason.equals(e.getReason()))
                .map(Event::getMessage)
                .toList();
    }
}
