package dev.lbaas.e2e;

import dev.lbaas.api.v1alpha1.LoadBalancerStatus;
import io.fabric8.kubernetes.api.model.NodeAddress;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A cluster someone else runs, named by a kubeconfig: the suite installs the chart there as on the
 * single-node cluster and removes it again. Chosen with {@code -Dlbaas.e2e.cluster=kubeconfig}, never
 * just because {@code KUBECONFIG} is set, so that a build never installs into whatever cluster a
 * shell happens to point at.
 *
 * <p>Settings (system properties): {@code lbaas.e2e.kubeconfig} (default {@code $KUBECONFIG});
 * {@code lbaas.e2e.imageRepository} and {@code lbaas.e2e.imageTag}, where the cluster pulls the
 * amphora and operator images from ({@code <repository>/amphora}, {@code <repository>/operator};
 * default: the chart's own names, for images loaded into the nodes beforehand);
 * {@code lbaas.e2e.webImage}, a web server answering "This is $NAME" on port 8080 (default the
 * demo's, loaded beforehand); {@code lbaas.e2e.vipAccess}: {@code clusterIP} where this machine
 * routes the cluster's Service network, or {@code nodePort} (the default class's VIP Service becomes
 * a NodePort and the suite goes to {@code lbaas.e2e.nodeAddress}, by default the first node's
 * InternalIP).
 */
public final class KubeconfigCluster implements KubernetesCluster {

    private final Path kubeconfig;
    private final boolean throughNodePorts;
    private final String nodeAddress;

    private KubeconfigCluster(Path kubeconfig, boolean throughNodePorts, String nodeAddress) {
        this.kubeconfig = kubeconfig;
        this.throughNodePorts = throughNodePorts;
        this.nodeAddress = nodeAddress;
    }

    /** The cluster the settings name; fails with what is missing when they name none. */
    public static KubeconfigCluster fromSettings() {
        String named = System.getProperty("lbaas.e2e.kubeconfig", System.getenv("KUBECONFIG"));
        if (named == null || named.isBlank() || named.contains(java.io.File.pathSeparator)) {
            throw new IllegalStateException("-Dlbaas.e2e.cluster=kubeconfig needs one kubeconfig file, in "
                    + "-Dlbaas.e2e.kubeconfig or KUBECONFIG (got " + named + ")");
        }
        Path kubeconfig = Path.of(named);
        String access = System.getProperty("lbaas.e2e.vipAccess", "clusterIP");
        if (!access.equals("clusterIP") && !access.equals("nodePort")) {
            throw new IllegalStateException("lbaas.e2e.vipAccess is clusterIP or nodePort, not " + access);
        }
        boolean throughNodePorts = access.equals("nodePort");
        String nodeAddress = System.getProperty("lbaas.e2e.nodeAddress");
        if (throughNodePorts && nodeAddress == null) {
            nodeAddress = firstNodeAddress(kubeconfig);
        }
        return new KubeconfigCluster(kubeconfig, throughNodePorts, nodeAddress);
    }

    private static String firstNodeAddress(Path kubeconfig) {
        try (KubernetesClient client = new KubernetesClientBuilder()
                .withConfig(Config.fromKubeconfig(Files.readString(kubeconfig))).build()) {
            return client.nodes().list().getItems().stream()
                    .flatMap(node -> node.getStatus().getAddresses().stream())
                    .filter(address -> "InternalIP".equals(address.getType())).map(NodeAddress::getAddress)
                    .findFirst().orElseThrow(() -> new IllegalStateException("no node has an InternalIP"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public String description() {
        return "the cluster of " + kubeconfig;
    }

    @Override
    public Path kubeconfig() {
        return kubeconfig;
    }

    /** Nothing to do from here: the images come from the repository named, or were loaded into the nodes. */
    @Override
    public void provideImages(ProjectLayout layout) {
    }

    @Override
    public List<String> chartValues() {
        List<String> values = new ArrayList<>();
        String repository = System.getProperty("lbaas.e2e.imageRepository");
        if (repository != null) {
            values.add("image.operator.repository=" + repository + "/operator");
            values.add("image.amphora.repository=" + repository + "/amphora");
        }
        String tag = System.getProperty("lbaas.e2e.imageTag");
        if (tag != null) {
            values.add("image.operator.tag=" + tag);
            values.add("image.amphora.tag=" + tag);
        }
        if (throughNodePorts) {
            values.add("defaultClass.vipService.type=NodePort");
        }
        return values;
    }

    @Override
    public String webImage() {
        return System.getProperty("lbaas.e2e.webImage", DEMO_WEB_IMAGE);
    }

    @Override
    public InetSocketAddress reach(LoadBalancerStatus status, int port) {
        return throughNodePorts ? KubernetesCluster.nodePort(status, port, nodeAddress)
                : KubernetesCluster.clusterIp(status, port);
    }

    /** The cluster is not ours to stop. */
    @Override
    public void close() {
    }
}
