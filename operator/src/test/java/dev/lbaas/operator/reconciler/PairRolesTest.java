package dev.lbaas.operator.reconciler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import dev.lbaas.api.v1alpha1.AmphoraInfo;
import dev.lbaas.api.v1alpha1.LoadBalancer;
import dev.lbaas.api.v1alpha1.LoadBalancerStatus;
import dev.lbaas.api.v1alpha1.Topology;
import dev.lbaas.operator.status.StatusComputer.StatusEvent;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.util.List;
import org.junit.jupiter.api.Test;

class PairRolesTest {

    private final PairRoles roles = new PairRoles();
    private final LoadBalancer lb = new LoadBalancer();

    PairRolesTest() {
        lb.setMetadata(new ObjectMetaBuilder().withName("lb").withUid("uid-1").build());
    }

    private static AmphoraInfo amphora(String id, AmphoraInfo.Role role, boolean healthy) {
        AmphoraInfo info = new AmphoraInfo();
        info.setId(id);
        info.setRole(role);
        info.setHealthy(healthy);
        info.setLocation("pid " + id);
        return info;
    }

    @Test
    void everyJoinAndRoleChangeIsToldOnceEvenWhileTheStatusLagsBehind() {
        List<AmphoraInfo> starting = List.of(amphora("a", AmphoraInfo.Role.BACKUP, true),
                amphora("b", AmphoraInfo.Role.BACKUP, true));
        assertThat(roles.changes(lb, Topology.ACTIVE_STANDBY, starting)).extracting(StatusEvent::reason,
                StatusEvent::message).containsExactly(
                tuple("AmphoraJoined", "amphora a (pid a) joined the pair as BACKUP"),
                tuple("AmphoraJoined", "amphora b (pid b) joined the pair as BACKUP"));
        assertThat(roles.changes(lb, Topology.ACTIVE_STANDBY, starting)).as("the status not written yet").isEmpty();

        List<AmphoraInfo> elected = List.of(amphora("a", AmphoraInfo.Role.MASTER, true),
                amphora("b", AmphoraInfo.Role.BACKUP, true));
        assertThat(roles.changes(lb, Topology.ACTIVE_STANDBY, elected)).extracting(StatusEvent::warning,
                StatusEvent::message).containsExactly(tuple(false, "amphora a (pid a) is MASTER now, was BACKUP"));

        List<AmphoraInfo> failedOver = List.of(amphora("b", AmphoraInfo.Role.MASTER, true),
                amphora("a", AmphoraInfo.Role.BACKUP, false));
        assertThat(roles.changes(lb, Topology.ACTIVE_STANDBY, failedOver)).extracting(StatusEvent::warning,
                StatusEvent::message).containsExactly(tuple(false, "amphora b (pid b) is MASTER now, was BACKUP"),
                tuple(true, "amphora a (pid a) is BACKUP now, was MASTER: it is not healthy"));
    }

    @Test
    void aRestartedOperatorStartsFromTheStatusAndASingleLoadBalancerHasNoRoleEvents() {
        LoadBalancerStatus status = new LoadBalancerStatus();
        status.setAmphorae(List.of(amphora("a", AmphoraInfo.Role.MASTER, true),
                amphora("b", AmphoraInfo.Role.BACKUP, true)));
        lb.setStatus(status);
        assertThat(roles.changes(lb, Topology.ACTIVE_STANDBY, status.getAmphorae())).isEmpty();

        assertThat(roles.changes(lb, Topology.SINGLE, List.of(amphora("c", AmphoraInfo.Role.STANDALONE, true))))
                .isEmpty();
    }
}
