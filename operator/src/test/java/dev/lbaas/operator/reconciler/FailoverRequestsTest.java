package dev.lbaas.operator.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lbaas.amphora.config.AmphoraStatus;
import dev.lbaas.api.v1alpha1.AmphoraInfo;
import dev.lbaas.api.v1alpha1.FailoverTimers;
import dev.lbaas.api.v1alpha1.Topology;
import dev.lbaas.operator.status.AmphoraView;
import java.time.Duration;
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
}
