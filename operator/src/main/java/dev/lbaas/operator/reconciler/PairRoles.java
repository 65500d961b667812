package dev.lbaas.operator.reconciler;

import dev.lbaas.api.v1alpha1.AmphoraInfo;
import dev.lbaas.api.v1alpha1.LoadBalancer;
import dev.lbaas.api.v1alpha1.Topology;
import dev.lbaas.operator.status.StatusComputer.StatusEvent;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Announces every role change in an ACTIVE_STANDBY pair as an Event: an amphora that joined, a
 * backup that became master, a master that is master no more. It remembers what it announced,
 * rather than reading it back from the status, which may not have come back through the cache by
 * the next reconcile: each change is told once. After an operator restart it starts from the
 * roles the status shows.
 */
final class PairRoles {

    private final Map<String, Map<String, AmphoraInfo.Role>> announced = new ConcurrentHashMap<>();

    /** The Events for what changed since the last call for this load balancer. */
    List<StatusEvent> changes(LoadBalancer lb, Topology topology, List<AmphoraInfo> now) {
        String uid = lb.getMetadata().getUid();
        if (topology != Topology.ACTIVE_STANDBY) {
            announced.remove(uid);
            return List.of();
        }
        Map<String, AmphoraInfo.Role> before = announced.computeIfAbsent(uid, k -> fromStatus(lb));
        Map<String, AmphoraInfo.Role> after = new HashMap<>();
        List<StatusEvent> events = new ArrayList<>();
        for (AmphoraInfo info : now) {
            after.put(info.getId(), info.getRole());
            AmphoraInfo.Role previous = before.get(info.getId());
            String amphora = "amphora " + info.getId() + " (" + info.getLocation() + ")";
            if (previous == null) {
                events.add(new StatusEvent(lb, false, "AmphoraJoined", amphora + " joined the pair as "
                        + info.getRole()));
            } else if (previous != info.getRole()) {
                boolean healthy = Boolean.TRUE.equals(info.getHealthy());
                events.add(new StatusEvent(lb, info.getRole() != AmphoraInfo.Role.MASTER && !healthy, "RoleChanged",
                        amphora + " is " + info.getRole() + " now, was " + previous
                                + (healthy ? "" : ": it is not healthy")));
            }
        }
        announced.put(uid, after);
        return events;
    }

    void forget(String loadBalancerUid) {
        announced.remove(loadBalancerUid);
    }

    private static Map<String, AmphoraInfo.Role> fromStatus(LoadBalancer lb) {
        Map<String, AmphoraInfo.Role> roles = new HashMap<>();
        if (lb.getStatus() != null) {
            lb.getStatus().getAmphorae().forEach(info -> roles.put(info.getId(), info.getRole()));
        }
        return roles;
    }
}
