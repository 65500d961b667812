package dev.lbaas.operator.status;

import dev.lbaas.amphora.config.AmphoraConfig;
import dev.lbaas.amphora.config.ListenerConfig;
import dev.lbaas.amphora.config.PoolConfig;
import dev.lbaas.api.v1alpha1.HealthMonitor;
import dev.lbaas.api.v1alpha1.LbaasStatus;
import dev.lbaas.api.v1alpha1.Listener;
import dev.lbaas.api.v1alpha1.Member;
import dev.lbaas.api.v1alpha1.Pool;
import dev.lbaas.api.v1alpha1.StatusTree;
import dev.lbaas.operator.model.LoadBalancerTree;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Builds the load balancer's status tree from the children's statuses and what is served: a
 * listener shows the pool the amphorae give it (not the one it names, if that one cannot be used).
 */
final class StatusTrees {

    private final LoadBalancerTree tree;
    private final AmphoraConfig served;
    private final Map<String, LbaasStatus> statuses;

    private StatusTrees(LoadBalancerTree tree, AmphoraConfig served, Map<String, LbaasStatus> statuses) {
        this.tree = tree;
        this.served = served;
        this.statuses = statuses;
    }

    /**
     * @param served the configuration rendered for the amphorae, or null when nothing is served
     * @param statuses every child's status, by uid
     */
    static StatusTree of(LoadBalancerTree tree, AmphoraConfig served, Map<String, LbaasStatus> statuses) {
        return new StatusTrees(tree, served, statuses).build();
    }

    private StatusTree build() {
        Map<String, String> defaultPools = new HashMap<>();
        if (served != null) {
            for (ListenerConfig listener : served.listeners()) {
                if (listener.defaultPoolId() != null) {
                    defaultPools.put(listener.id(), listener.defaultPoolId());
                }
            }
        }
        Set<String> attached = new HashSet<>(defaultPools.values());
        StatusTree result = new StatusTree();
        for (Listener listener : tree.listeners()) {
            StatusTree.ListenerNode node = fill(new StatusTree.ListenerNode(), listener);
            String poolUid = defaultPools.get(uid(listener));
            tree.pools().stream().filter(pool -> uid(pool).equals(poolUid)).findFirst()
                    .ifPresent(pool -> node.getPools().add(poolNode(pool)));
            result.getListeners().add(node);
        }
        for (Pool pool : tree.pools()) {
            if (!attached.contains(uid(pool))) {
                result.getPools().add(poolNode(pool));
            }
        }
        return result;
    }

    private StatusTree.PoolNode poolNode(Pool pool) {
        StatusTree.PoolNode node = fill(new StatusTree.PoolNode(), pool);
        PoolConfig servedPool = served == null ? null : served.pool(uid(pool));
        String servedMonitor = servedPool == null || servedPool.healthMonitor() == null ? null
                : servedPool.healthMonitor().id();
        // The monitor the pool uses; when it uses none, the one that names it, so that its error shows.
        tree.healthMonitors().stream()
                .filter(monitor -> servedMonitor != null ? uid(monitor).equals(servedMonitor)
                        : name(pool).equals(monitor.getSpec().getPoolRef()))
                .findFirst()
                .ifPresent(monitor -> node.setHealthMonitor(monitorNode(monitor)));
        for (Member member : tree.members()) {
            if (name(pool).equals(member.getSpec().getPoolRef())) {
                StatusTree.MemberNode memberNode = fill(new StatusTree.MemberNode(), member);
                memberNode.setAddress(member.getSpec().getAddress());
                memberNode.setProtocolPort(member.getSpec().getProtocolPort());
                node.getMembers().add(memberNode);
            }
        }
        return node;
    }

    private StatusTree.HealthMonitorNode monitorNode(HealthMonitor monitor) {
        StatusTree.HealthMonitorNode node = fill(new StatusTree.HealthMonitorNode(), monitor);
        node.setType(monitor.getSpec().getType());
        return node;
    }

    private <N extends StatusTree.Node> N fill(N node, HasMetadata object) {
        node.setName(name(object));
        LbaasStatus status = statuses.get(uid(object));
        if (status != null) {
            node.setProvisioningStatus(status.getProvisioningStatus());
            node.setOperatingStatus(status.getOperatingStatus());
            status.getConditions().stream()
                    .filter(c -> Conditions.READY.equals(c.getType()) && "False".equals(c.getStatus()))
                    .findFirst()
                    .ifPresent(ready -> {
                        node.setReason(ready.getReason());
                        node.setMessage(ready.getMessage());
                    });
        }
        return node;
    }

    private static String uid(HasMetadata object) {
        return object.getMetadata().getUid();
    }

    private static String name(HasMetadata object) {
        return object.getMetadata().getName();
    }
}
