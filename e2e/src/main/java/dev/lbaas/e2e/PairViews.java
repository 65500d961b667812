package dev.lbaas.e2e;

import dev.lbaas.api.v1alpha1.AmphoraInfo;
import dev.lbaas.api.v1alpha1.LoadBalancer;
import dev.lbaas.api.v1alpha1.OperatingStatus;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.List;

/**
 * What an ACTIVE_STANDBY load balancer's status says of its pair, and its failover request, as
 * the end-to-end tests and the failover benchmark read and make them.
 */
public final class PairViews {

    private PairViews() {
    }

    /** The amphora of that role; fails when the status has none. */
    public static AmphoraInfo amphora(LoadBalancer lb, AmphoraInfo.Role role) {
        return lb.getStatus().getAmphorae().stream().filter(a -> a.getRole() == role).findFirst()
                .orElseThrow(() -> new IllegalStateException("no " + role + " in " + lb.getStatus().getAmphorae()));
    }

    /** ONLINE, with a MASTER and a BACKUP, both healthy. */
    public static boolean healthyPair(LoadBalancer lb) {
        if (lb == null || lb.getStatus() == null || lb.getStatus().getOperatingStatus() != OperatingStatus.ONLINE) {
            return false;
        }
        List<AmphoraInfo> amphorae = lb.getStatus().getAmphorae();
        return amphorae.size() == 2 && amphorae.stream().allMatch(a -> Boolean.TRUE.equals(a.getHealthy()))
                && amphorae.stream().map(AmphoraInfo::getRole).toList()
                .containsAll(List.of(AmphoraInfo.Role.MASTER, AmphoraInfo.Role.BACKUP));
    }

    /** The process id of an amphora of the local driver ("pid N"). */
    public static long pid(AmphoraInfo amphora) {
        return Long.parseLong(amphora.getLocation().replace("pid ", ""));
    }

    /** The pod of an amphora of the kubernetes driver ("pod NAME"). */
    public static String pod(AmphoraInfo amphora) {
        return amphora.getLocation().replace("pod ", "");
    }

    /** Asks for a planned failover, as {@code kubectl annotate ... lbaas.dev/failover=VALUE --overwrite}. */
    public static void requestFailover(KubernetesClient client, String namespace, String name, String value) {
        client.resources(LoadBalancer.class).inNamespace(namespace).withName(name).edit(current -> {
            if (current.getMetadata().getAnnotations() == null) {
                current.getMetadata().setAnnotations(new java.util.HashMap<>());
            }
            current.getMetadata().getAnnotations().put(LoadBalancer.FAILOVER_ANNOTATION, value);
            return current;
        });
    }

    /**
     * The addresses the VIP Service's EndpointSlice of a kubernetes-driver pair lists (named as
     * the Service, {@code <load balancer>-vip}); none while it is absent.
     */
    public static List<String> vipEndpoints(KubernetesClient client, String namespace, String loadBalancer) {
        var slice = client.discovery().v1().endpointSlices().inNamespace(namespace).withName(loadBalancer + "-vip")
                .get();
        return slice == null || slice.getEndpoints() == null ? List.of() : slice.getEndpoints().stream()
                .flatMap(endpoint -> endpoint.getAddresses().stream()).toList();
    }
}
