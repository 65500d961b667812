package dev.lbaas.e2e;

import dev.lbaas.api.v1alpha1.LoadBalancerStatus;
import dev.lbaas.api.v1alpha1.VipPort;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;

/**
 * A cluster the chart is installed on for the end-to-end suite and the Kubernetes demo: the real
 * single-node cluster this machine runs ({@link SingleNodeCluster}), any cluster a kubeconfig names
 * ({@link KubeconfigCluster}), or K3s in a container ({@link K3sCluster}). The suite is the same on
 * each; what differs is how images reach the nodes and how this machine reaches a VIP.
 */
public interface KubernetesCluster extends AutoCloseable {

    /** The image of the demo's web servers that {@code examples/kubernetes/seed-scenario.yaml} names. */
    String DEMO_WEB_IMAGE = "localhost/lbaas/demo-web:1";

    /** What the suite's reports call this cluster. */
    String description();

    /** A kubeconfig allowed to install the chart (cluster-admin). */
    Path kubeconfig();

    /**
     * Makes the amphora, operator and demo web server images available to the cluster's nodes,
     * where the cluster can take them from this machine.
     */
    void provideImages(ProjectLayout layout);

    /** {@code --set} values the chart is installed with here (image names, pull policies, VIP Service type). */
    List<String> chartValues();

    /** The image of the demo's web servers (answering "This is $NAME" on port 8080) on this cluster. */
    default String webImage() {
        return DEMO_WEB_IMAGE;
    }

    /** Where this machine reaches a load balancer's VIP port: its address, or a node port. */
    InetSocketAddress reach(LoadBalancerStatus status, int port);

    /**
     * Ends a pod's container without a chance to clean up, as a crash, the OOM killer or a node
     * failure would: SIGKILL to its process where the cluster lets this machine reach its runtime;
     * elsewhere the closest the API offers, a forced deletion without grace period.
     */
    default void kill(KubernetesClient client, String namespace, String pod) {
        client.pods().inNamespace(namespace).withName(pod).withGracePeriod(0).delete();
    }

    /** Whether {@link #signal} can reach the pods' processes here. */
    default boolean canSignal() {
        return false;
    }

    /**
     * Sends {@code signal} (SIGSTOP, SIGCONT, ...) to every process of a pod's container, through
     * the container runtime: a pause of a whole amphora, as a stalled node or a long GC would be.
     */
    default void signal(KubernetesClient client, String namespace, String pod, String signal) {
        throw new UnsupportedOperationException(description() + ": this machine cannot reach the container runtime");
    }

    /** The runtime's id of a pod's first container ("containerd://ID" in its status, without the scheme). */
    static String containerId(KubernetesClient client, String namespace, String pod) {
        String id = client.pods().inNamespace(namespace).withName(pod).get().getStatus().getContainerStatuses().get(0)
                .getContainerID();
        return id.substring(id.indexOf("://") + 3);
    }

    /** Whether closing this takes the whole cluster away (one started for the run), so nothing needs removing first. */
    default boolean removedOnClose() {
        return false;
    }

    @Override
    void close();

    /** Reaching the VIP at its ClusterIP: where this machine routes the Service network (a node of the cluster). */
    static InetSocketAddress clusterIp(LoadBalancerStatus status, int port) {
        return InetSocketAddress.createUnresolved(status.getVipAddress(), port);
    }

    /** Reaching the VIP through a node port, at {@code nodeAddress}: the class's VIP Service must be a NodePort. */
    static InetSocketAddress nodePort(LoadBalancerStatus status, int port, String nodeAddress) {
        List<VipPort> ports = status.getVipPorts() == null ? List.of() : status.getVipPorts();
        return ports.stream().filter(p -> Integer.valueOf(port).equals(p.getPort()) && p.getNodePort() != null)
                .map(p -> InetSocketAddress.createUnresolved(nodeAddress, p.getNodePort())).findFirst()
                .orElseThrow(() -> new IllegalStateException("no node port for VIP port " + port + " in " + ports));
    }
}
