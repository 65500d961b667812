package dev.lbaas.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.lbaas.api.v1alpha1.HealthMonitor;
import dev.lbaas.api.v1alpha1.LbaasStatus;
import dev.lbaas.api.v1alpha1.Listener;
import dev.lbaas.api.v1alpha1.LoadBalancer;
import dev.lbaas.api.v1alpha1.Member;
import dev.lbaas.api.v1alpha1.OperatingStatus;
import dev.lbaas.api.v1alpha1.Pool;
import dev.lbaas.api.v1alpha1.ProvisioningStatus;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.net.ConnectException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The seed walkthrough ("构建负载均衡器") end to end, with real processes: a kube-apiserver, the
 * operator, an amphora, and the web servers web1 and web2. Each step asserts what a user would see.
 * The monitor is the seed's: TCP, delay 5 s, timeout 4 s, max retries 3 (and maxRetriesDown 3).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SeedScenarioIT {

    private static final String NAMESPACE = "seed";
    private static final int DELAY = 5;
    private static final int TIMEOUT = 4;
    private static final int MAX_RETRIES = 3;
    private static final int MAX_RETRIES_DOWN = 3;

    private static LocalDemo demo;
    private static LocalSystem system;
    private static KubernetesClient client;
    private static DemoWebServer web1;
    private static DemoWebServer web2;
    private static String vip;

    @BeforeAll
    static void startSystem() throws java.io.IOException {
        demo = LocalDemo.start("e2e", NAMESPACE);
        system = demo.system();
        client = demo.client();
        web1 = demo.web1();
        web2 = demo.web2();
    }

    @AfterAll
    static void stopSystem() {
        if (demo != null) {
            System.out.println("operator log: " + system.operator().log());
            demo.close();
        }
    }

    @Test
    @Order(1)
    void childrenAppliedBeforeTheirParentsWaitAndSaySo() {
        List<HasMetadata> items = LocalSystem.loadManifests(client,
                ProjectLayout.current().examples().resolve("seed-scenario.yaml"), List.of(web1, web2));
        // Apply in reverse: listener, monitor, members, pool before the load balancer.
        List<HasMetadata> reversed = new ArrayList<>(items);
        Collections.reverse(reversed);
        HasMetadata loadBalancer = reversed.remove(reversed.size() - 1);
        system.apply(NAMESPACE, reversed);

        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            LbaasStatus status = status(Member.class, "web1");
            assertThat(status).isNotNull();
            assertThat(status.getProvisioningStatus()).isEqualTo(ProvisioningStatus.PENDING_CREATE);
            assertThat(status.getConditions()).anySatisfy(c -> {
                assertThat(c.getType()).isEqualTo("ResolvedRefs");
                assertThat(c.getStatus()).isEqualTo("False");
                assertThat(c.getMessage()).contains("LoadBalancer lb-web");
            });
        });

        system.apply(NAMESPACE, List.of(loadBalancer));
        LoadBalancer lb = await().atMost(Duration.ofSeconds(90)).until(
                () -> client.resources(LoadBalancer.class).inNamespace(NAMESPACE).withName("lb-web").get(),
                SeedScenarioIT::ready);
        vip = lb.getStatus().getVipAddress();
        assertThat(vip).startsWith("127.");
        assertThat(lb.getStatus().getProvisioningStatus()).isEqualTo(ProvisioningStatus.ACTIVE);
        assertThat(lb.getStatus().getAmphorae()).singleElement()
                .satisfies(a -> assertThat(a.getHealthy()).isTrue());
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            assertThat(operating(Member.class, "web1")).isEqualTo(OperatingStatus.ONLINE);
            assertThat(operating(Member.class, "web2")).isEqualTo(OperatingStatus.ONLINE);
            assertThat(operating(Pool.class, "pool-web")).isEqualTo(OperatingStatus.ONLINE);
            assertThat(operating(Listener.class, "listener-web")).isEqualTo(OperatingStatus.ONLINE);
            assertThat(operating(HealthMonitor.class, "monitor-web")).isEqualTo(OperatingStatus.ONLINE);
            assertThat(operating(LoadBalancer.class, "lb-web")).isEqualTo(OperatingStatus.ONLINE);
        });
        for (Class<? extends CustomResource<?, ?>> kind : List.of(Listener.class, Pool.class, Member.class,
                HealthMonitor.class)) {
            client.resources(kind).inNamespace(NAMESPACE).list().getItems().forEach(item -> {
                assertThat(((LbaasStatus) item.getStatus()).getProvisioningStatus())
                        .as(item.getKind() + " " + item.getMetadata().getName()).isEqualTo(ProvisioningStatus.ACTIVE);
                assertThat(item.getMetadata().getOwnerReferences()).as("owner of " + item.getMetadata().getName())
                        .hasSize(1);
            });
        }
    }

    @Test
    @Order(2)
    void roundRobinAlternates() throws Exception {
        precondition("the load balancer is Ready with both members ONLINE", () -> vip != null
                && operating(Member.class, "web1") == OperatingStatus.ONLINE
                && operating(Member.class, "web2") == OperatingStatus.ONLINE);
        List<String> answers = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            answers.add(get());
        }
        for (int i = 1; i < answers.size(); i++) {
            assertThat(answers.get(i)).as("answers " + answers).isNotEqualTo(answers.get(i - 1));
        }
        assertThat(answers).containsOnly("This is web1\n", "This is web2\n");
    }

    @Test
    @Order(3)
    void stoppingWeb1TurnsItToErrorAndWeb2TakesAllTraffic() throws Exception {
        precondition("web1 serves and is ONLINE", () -> vip != null
                && operating(Member.class, "web1") == OperatingStatus.ONLINE);
        long stoppedAt = System.nanoTime();
        web1.close();
        await().atMost(FALL_WITHIN.max()).pollInterval(Duration.ofMillis(100))
                .until(() -> operating(Member.class, "web1") == OperatingStatus.ERROR);
        Duration took = Duration.ofNanos(System.nanoTime() - stoppedAt);
        System.out.println("web1 ERROR after " + took.toMillis() + " ms (expected " + FALL_WITHIN + ")");
        FALL_WITHIN.assertHolds("web1 ERROR after it stopped", took);

        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            assertThat(operating(Pool.class, "pool-web")).isEqualTo(OperatingStatus.DEGRADED);
            assertThat(operating(LoadBalancer.class, "lb-web")).isEqualTo(OperatingStatus.DEGRADED);
        });
        assertThat(operating(Member.class, "web2")).isEqualTo(OperatingStatus.ONLINE);
        for (int i = 0; i < 20; i++) {
            assertThat(get()).isEqualTo("This is web2\n");
        }
        assertThat(eventReasons("web1")).contains("MemberDown");
    }

    @Test
    @Order(4)
    void restartingWeb1BringsEverythingBackOnline() throws Exception {
        precondition("web1 is stopped and ERROR", () -> vip != null && !web1.isRunning()
                && operating(Member.class, "web1") == OperatingStatus.ERROR);
        long restartedAt = System.nanoTime();
        web1.start();
        await().atMost(RISE_WITHIN.max()).pollInterval(Duration.ofMillis(100))
                .until(() -> operating(Member.class, "web1") == OperatingStatus.ONLINE
                        && operating(Pool.class, "pool-web") == OperatingStatus.ONLINE
                        && operating(LoadBalancer.class, "lb-web") == OperatingStatus.ONLINE);
        Duration took = Duration.ofNanos(System.nanoTime() - restartedAt);
        System.out.println("everything ONLINE " + took.toMillis() + " ms after web1 restarted (expected "
                + RISE_WITHIN + ")");
        RISE_WITHIN.assertHolds("web1 ONLINE after it restarted", took);
        List<String> answers = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            answers.add(get());
        }
        assertThat(answers).contains("This is web1\n", "This is web2\n");
        assertThat(eventReasons("web1")).contains("MemberUp");
    }

    @Test
    @Order(5)
    void aKilledAmphoraIsReplacedAndServesAgain() throws Exception {
        precondition("the load balancer is ACTIVE and ONLINE", () -> vip != null
                && operating(LoadBalancer.class, "lb-web") == OperatingStatus.ONLINE);
        LoadBalancer before = client.resources(LoadBalancer.class).inNamespace(NAMESPACE).withName("lb-web").get();
        String oldId = before.getStatus().getAmphorae().get(0).getId();
        long oldPid = Long.parseLong(before.getStatus().getAmphorae().get(0).getLocation().replace("pid ", ""));
        long killedAt = System.nanoTime();
        ProcessHandle.of(oldPid).orElseThrow().destroyForcibly();

        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).until(() -> {
            LoadBalancer lb = client.resources(LoadBalancer.class).inNamespace(NAMESPACE).withName("lb-web").get();
            return !lb.getStatus().getAmphorae().get(0).getId().equals(oldId)
                    && Boolean.TRUE.equals(lb.getStatus().getAmphorae().get(0).getHealthy())
                    && lb.getStatus().getProvisioningStatus() == ProvisioningStatus.ACTIVE;
        });
        await().atMost(Duration.ofSeconds(10)).ignoreExceptions().until(() -> get().startsWith("This is web"));
        Duration took = Duration.ofNanos(System.nanoTime() - killedAt);
        System.out.println("replacement amphora serving " + took.toMillis() + " ms after the old one was killed");
        // The operator hears of the dead amphora from its agent session at once; at the latest, the
        // periodic reconcile (15 s) replaces it. A new amphora starts within seconds.
        assertThat(took).as("replacement serving after the old amphora was killed").isLessThan(Duration.ofSeconds(25));
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(operating(LoadBalancer.class, "lb-web")).isEqualTo(OperatingStatus.ONLINE));
    }

    @Test
    @Order(6)
    void deletingTheLoadBalancerCascadesAndStopsItsAmphora() {
        precondition("the load balancer exists with an amphora", () -> {
            LoadBalancer existing = client.resources(LoadBalancer.class).inNamespace(NAMESPACE).withName("lb-web").get();
            return existing != null && existing.getStatus() != null && !existing.getStatus().getAmphorae().isEmpty();
        });
        LoadBalancer lb = client.resources(LoadBalancer.class).inNamespace(NAMESPACE).withName("lb-web").get();
        long amphoraPid = Long.parseLong(lb.getStatus().getAmphorae().get(0).getLocation().replace("pid ", ""));
        assertThat(ProcessHandle.of(amphoraPid)).hasValueSatisfying(p -> assertThat(p.isAlive()).isTrue());

        client.resource(lb).delete();

        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            assertThat(client.resources(LoadBalancer.class).inNamespace(NAMESPACE).list().getItems()).isEmpty();
            assertThat(client.resources(Listener.class).inNamespace(NAMESPACE).list().getItems()).isEmpty();
            assertThat(client.resources(Pool.class).inNamespace(NAMESPACE).list().getItems()).isEmpty();
            assertThat(client.resources(Member.class).inNamespace(NAMESPACE).list().getItems()).isEmpty();
            assertThat(client.resources(HealthMonitor.class).inNamespace(NAMESPACE).list().getItems()).isEmpty();
        });
        await().atMost(Duration.ofSeconds(15)).until(() -> ProcessHandle.of(amphoraPid).map(p -> !p.isAlive()).orElse(true));
        assertThatConnectionRefused();
    }

    /**
     * A time the seed's monitor implies, checked from both sides: the fewest checks that can make
     * the change all come one delay apart after the first, which comes at once or up to a delay
     * after the change (half a second of slack below, for the checks' schedule); the most is one
     * delay more, plus the check's timeout, plus {@code slack} for the news to reach the status on a
     * loaded machine.
     */
    private record Window(Duration min, Duration max) {
        static Window ofChecks(int checksInARow, Duration slack) {
            return new Window(Duration.ofSeconds((long) DELAY * (checksInARow - 1)).minusMillis(500),
                    Duration.ofSeconds((long) DELAY * checksInARow + TIMEOUT).plus(slack));
        }

        void assertHolds(String what, Duration took) {
            assertThat(took).as(what).isBetween(min, max);
        }

        @Override
        public String toString() {
            return min.toMillis() + "-" + max.toMillis() + " ms";
        }
    }

    private static final Window FALL_WITHIN = Window.ofChecks(MAX_RETRIES_DOWN, Duration.ofSeconds(3));
    private static final Window RISE_WITHIN = Window.ofChecks(MAX_RETRIES, Duration.ofSeconds(3));

    /**
     * Each step states what it needs from the steps before; when that is not there it is skipped
     * with the reason, so one broken step reports one failure rather than a cascade.
     */
    private static void precondition(String what, java.util.concurrent.Callable<Boolean> holds) {
        try {
            await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(holds);
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            Assumptions.abort("an earlier step left this one without its precondition: " + what);
        }
    }

    private static void assertThatConnectionRefused() {
        assertThatThrownBy(() -> Curl.get(vip, 8080, "/")).isInstanceOf(ConnectException.class);
    }

    /** One request on a new connection (as curl), failing the test on anything but 200. */
    private static String get() throws Exception {
        Curl.Response response = Curl.get(vip, 8080, "/");
        assertThat(response.status()).as("status of GET through the VIP").isEqualTo(200);
        return response.body();
    }

    private static List<String> eventReasons(String objectName) {
        return client.v1().events().inNamespace(NAMESPACE).list().getItems().stream()
                .filter(e -> objectName.equals(e.getInvolvedObject().getName()))
                .map(io.fabric8.kubernetes.api.model.Event::getReason)
                .toList();
    }

    private static <T extends CustomResource<?, ?>> LbaasStatus status(Class<T> kind, String name) {
        T item = client.resources(kind).inNamespace(NAMESPACE).withName(name).get();
        return item == null ? null : (LbaasStatus) item.getStatus();
    }

    private static <T extends CustomResource<?, ?>> OperatingStatus operating(Class<T> kind, String name) {
        LbaasStatus status = status(kind, name);
        return status == null ? null : status.getOperatingStatus();
    }

    private static boolean ready(LoadBalancer lb) {
        return lb != null && lb.getStatus() != null && lb.getStatus().getConditions().stream()
                .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
    }
}
