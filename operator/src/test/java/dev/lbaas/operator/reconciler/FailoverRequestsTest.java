package dev.lbaas.operator.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lbaas.amphora.config.AmphoraStatus;
import dev.lbaas.api.v1alpha1.AmphoraInfo;
import dev.lbaas.api.v1alpha1.FailoverTimers;
import dev.lbaas.api.v1alpha1.Topology;
import dev.lbaas.operator.status.AmphoraView;
import dev.lbaas.api.v1alpha1.LoadBalancer;
import dev.lbaas.api.v1alpha1.LoadBalancerStatus;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.List;
import org.junit.jupiter.api.Test;

/** When a failover request is refused rather than leave the VIP with nobody. */
class FailoverRequestsTest {

    private static AmphoraView amphora(String id, String pairRole, boolean holdsVip, boolean reachable,
            long applied) {
        AmphoraInfo.Role role = reachable && "MASTER".equals(pairRole) ? AmphoraInfo.Role.MASTER
                : AmphoraInfo.Role.BACKUP;
        return new AmphoraView(id, role, "pid 1", reachable, applied, null, new AmphoraStatus(id, applied, 1,
                List.of(), List.of(), new AmphoraStatus.PairStatus(pairRole, 3, holdsVip)));
    }

    @Test
    void aHealthyStandbyServingTheCurrentGenerationMayTakeOver() {
        assertThat(FailoverRequests.refusal(Topology.ACTIVE_STANDBY, List.of(amphora("a", "MASTER", true, true, 5),
                amphora("b", "BACKUP", false, true, 5)), 5, null)).isNull();
    }

    @Test
    void aRequestThatWouldLeaveTheVipWithNobodyIsRefusedSayingWhy() {
        AmphoraView master = amphora("a", "MASTER", true, true, 5);
        assertThat(FailoverRequests.refusal(Topology.SINGLE, List.of(master), 5, null))
                .isEqualTo("the load balancer is SINGLE: it has no standby to fail over to");
        assertThat(FailoverRequests.refusal(Topology.ACTIVE_STANDBY, List.of(amphora("a", "MASTER", false, true, 5),
                amphora("b", "BACKUP", false, true, 5)), 5, null))
                .isEqualTo("no amphora holds the VIP now (a failover is under way, or the pair is starting)");
        assertThat(FailoverRequests.refusal(Topology.ACTIVE_STANDBY, List.of(master), 5, null))
                .isEqualTo("the load balancer has no standby amphora now");
        assertThat(FailoverRequests.refusal(Topology.ACTIVE_STANDBY, List.of(master,
                amphora("b", "FAULT", false, true, 5)), 5, null))
                .isEqualTo("the standby amphora b is not healthy; the master keeps the VIP");
        assertThat(FailoverRequests.refusal(Topology.ACTIVE_STANDBY, List.of(master,
                amphora("b", "BACKUP", false, false, 5)), 5, null))
                .isEqualTo("the standby amphora b is not healthy; the master keeps the VIP");
        assertThat(FailoverRequests.refusal(Topology.ACTIVE_STANDBY, List.of(master,
                amphora("b", "BACKUP", false, true, 4)), 5, null))
                .isEqualTo("the standby amphora b does not serve configuration generation 5 yet; the master keeps "
                        + "the VIP");
        FailoverTimers preempting = new FailoverTimers();
        preempting.setPreempt(true);
        assertThat(FailoverRequests.refusal(Topology.ACTIVE_STANDBY, List.of(master,
                amphora("b", "BACKUP", false, true, 5)), 5, preempting))
                .isEqualTo("the class sets failover.preempt: the amphora of higher priority would take the VIP "
                        + "straight back");
    }

    @Test
    void aHandoverMayTakeAsLongAsTheTimersMakeATakeover() {
        assertThat(FailoverRequests.handoverTimeout(null)).isEqualTo(Duration.ofMillis(10_500));
        FailoverTimers slow = new FailoverTimers();
        slow.setAdvertIntervalMillis(40_950);
        assertThat(FailoverRequests.handoverTimeout(slow)).isEqualTo(Duration.ofMillis(214_750));
    }

    /** The Events recorded, as reason: message. */
    private final List<String> events = new ArrayList<>();
    private final FailoverRequests requests = new FailoverRequests(
            (object, warning, reason, message) -> events.add(reason + ": " + message));
    private final List<CompletableFuture<AmphoraStatus>> asked = new ArrayList<>();
    private final FailoverRequests.Handover handover = (amphora, timeout) -> {
        CompletableFuture<AmphoraStatus> answer = new CompletableFuture<>();
        asked.add(answer);
        return answer;
    };
    private final List<AmphoraView> pair = List.of(amphora("a", "MASTER", true, true, 5),
            amphora("b", "BACKUP", false, true, 5));

    private static LoadBalancer loadBalancer(String request, String inStatus) {
        LoadBalancer lb = new LoadBalancer();
        lb.setMetadata(new ObjectMetaBuilder().withName("lb").withUid("uid-1")
                .withAnnotations(request == null ? Map.of() : Map.of(LoadBalancer.FAILOVER_ANNOTATION, request))
                .build());
        LoadBalancerStatus status = new LoadBalancerStatus();
        status.setFailoverRequest(inStatus);
        lb.setStatus(status);
        return lb;
    }

    private String handle(LoadBalancer lb, Topology topology) {
        return requests.handle(lb, topology, handover, pair, 5, null, () -> { });
    }

    @Test
    void aRequestIsActedOnOnceAndItsOutcomeToldOnce() {
        assertThat(handle(loadBalancer(null, null), Topology.ACTIVE_STANDBY)).isNull();
        assertThat(asked).as("no request, nothing asked").isEmpty();

        assertThat(handle(loadBalancer("1", null), Topology.ACTIVE_STANDBY)).as("recorded before the master answers")
                .isEqualTo("1");
        assertThat(asked).hasSize(1);
        // The status written with "1" has not come back through the cache yet.
        assertThat(handle(loadBalancer("1", null), Topology.ACTIVE_STANDBY)).isEqualTo("1");
        assertThat(asked).as("never asked twice").hasSize(1);
        assertThat(events).isEmpty();

        asked.get(0).complete(new AmphoraStatus("a", 5, 9, List.of(), List.of(),
                new AmphoraStatus.PairStatus("BACKUP", 4, false)));
        assertThat(handle(loadBalancer("1", "1"), Topology.ACTIVE_STANDBY)).isEqualTo("1");
        assertThat(events).singleElement().satisfies(e -> assertThat(e)
                .startsWith("FailoverCompleted: amphora a handed the VIP to amphora b in ")
                .endsWith("ms, as lbaas.dev/failover=\"1\" asked; a is BACKUP now"));
        handle(loadBalancer("1", "1"), Topology.ACTIVE_STANDBY);
        assertThat(events).as("told once").hasSize(1);
    }

    @Test
    void aNewRequestWhileOneIsUnderWayIsRefusedAndAFailedHandoverIsTold() {
        handle(loadBalancer("1", null), Topology.ACTIVE_STANDBY);
        assertThat(handle(loadBalancer("2", "1"), Topology.ACTIVE_STANDBY)).isEqualTo("2");
        assertThat(asked).hasSize(1);
        assertThat(events).containsExactly("FailoverRefused: lbaas.dev/failover=\"2\" was not acted on: the failover "
                + "asked by lbaas.dev/failover=\"1\" is still under way; ask again once it has finished");

        asked.get(0).completeExceptionally(new IllegalStateException("amphora refused the failover: no peer took "
                + "the VIP"));
        handle(loadBalancer("2", "2"), Topology.ACTIVE_STANDBY);
        assertThat(events).last().isEqualTo("FailoverFailed: lbaas.dev/failover=\"1\": amphora a did not hand the "
                + "VIP over: amphora refused the failover: no peer took the VIP");
    }

    @Test
    void aRefusedRequestIsToldOnceAndAsksNothing() {
        assertThat(handle(loadBalancer("x", null), Topology.SINGLE)).isEqualTo("x");
        handle(loadBalancer("x", null), Topology.SINGLE);
        assertThat(asked).isEmpty();
        assertThat(events).containsExactly("FailoverRefused: lbaas.dev/failover=\"x\" was not acted on: the load "
                + "balancer is SINGLE: it has no standby to fail over to");
    }
}
