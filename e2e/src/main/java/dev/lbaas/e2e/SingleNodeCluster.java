package dev.lbaas.e2e;

import dev.lbaas.api.v1alpha1.LoadBalancerStatus;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The real single-node cluster of scripts/single-node-cluster.sh (kube-apiserver with RBAC, a
 * kubelet running pods with containerd, kube-proxy), brought up for a test or a demo and taken
 * down with the host cleaned when closed, or when the JVM exits without closing it.
 */
public final class SingleNodeCluster implements KubernetesCluster {

    private final ProjectLayout layout;
    private final Path state;
    private final Path kubeconfig;
    private final Thread cleanupOnExit;
    private boolean closed;

    private SingleNodeCluster(ProjectLayout layout, Path state, Path kubeconfig) {
        this.layout = layout;
        this.state = state;
        this.kubeconfig = kubeconfig;
        this.cleanupOnExit = new Thread(this::down, "single-node-cluster-down");
        Runtime.getRuntime().addShutdownHook(cleanupOnExit);
    }

    /**
     * A state directory for a cluster of this process: short, because containerd's socket lives
     * in it and a Unix socket's path may not exceed 107 bytes, wherever the project is checked out.
     */
    public static Path stateDirectory(String purpose) {
        return Path.of(System.getProperty("java.io.tmpdir"), "lbaas-" + purpose + "-" + ProcessHandle.current().pid());
    }

    /** Whether this process may run the cluster (root, on Linux). */
    public static boolean canRunHere() {
        return "root".equals(System.getProperty("user.name")) && System.getProperty("os.name").startsWith("Linux");
    }

    /** Starts the cluster; its state (logs, kubeconfigs) goes to {@code state}. */
    public static SingleNodeCluster start(ProjectLayout layout, Path state) {
        String out = run(layout, 300, "up", state.toString());
        String kubeconfig = out.lines().filter(line -> line.startsWith("KUBECONFIG=")).reduce((a, b) -> b)
                .orElseThrow(() -> new IllegalStateException("the cluster did not come up:\n" + out))
                .substring("KUBECONFIG=".length());
        return new SingleNodeCluster(layout, state, Path.of(kubeconfig));
    }

    @Override
    public String description() {
        return "the real single-node cluster of this machine";
    }

    @Override
    public Path kubeconfig() {
        return kubeconfig;
    }

    @Override
    public void provideImages(ProjectLayout layout) {
        importImages(layout.imageArchive("amphora"), layout.imageArchive("operator"));
        importDemoWeb();
    }

    /** The images are imported, never pulled: there is no registry. */
    @Override
    public List<String> chartValues() {
        return List.of("image.operator.pullPolicy=Never", "image.amphora.pullPolicy=Never");
    }

    /** This machine is the node: kube-proxy routes the Service network here. */
    @Override
    public InetSocketAddress reach(LoadBalancerStatus status, int port) {
        return KubernetesCluster.clusterIp(status, port);
    }

    /** Makes images available to pods, from OCI archives. */
    public void importImages(Path... archives) {
        List<String> arguments = new ArrayList<>(List.of("import", state.toString()));
        for (Path archive : archives) {
            arguments.add(archive.toString());
        }
        run(layout, 120, arguments.toArray(String[]::new));
    }

    /** Builds and imports localhost/lbaas/demo-web:1, a web server answering "This is $NAME". */
    public void importDemoWeb() {
        run(layout, 300, "demo-web", state.toString());
    }

    /** SIGKILL through the node's containerd: the process dies at once, the kubelet restarts the container. */
    @Override
    public void kill(KubernetesClient client, String namespace, String pod) {
        run(layout, 30, "kill", state.toString(), KubernetesCluster.containerId(client, namespace, pod));
    }

    @Override
    public boolean canSignal() {
        return true;
    }

    @Override
    public void signal(KubernetesClient client, String namespace, String pod, String signal) {
        run(layout, 30, "signal", state.toString(), KubernetesCluster.containerId(client, namespace, pod), signal);
    }

    @Override
    public boolean removedOnClose() {
        return true;
    }

    @Override
    public synchronized void close() {
        down();
        try {
            Runtime.getRuntime().removeShutdownHook(cleanupOnExit);
        } catch (IllegalStateException e) {
            // already exiting: the hook is what called us
        }
    }

    private synchronized void down() {
        if (!closed) {
            closed = true;
            run(layout, 180, "down", state.toString());
        }
    }

    private static String run(ProjectLayout layout, int timeoutSeconds, String... arguments) {
        List<String> command = new ArrayList<>(List.of("bash", layout.script("single-node-cluster.sh").toString()));
        command.addAll(List.of(arguments));
        return Commands.run(command, timeoutSeconds);
    }
}
