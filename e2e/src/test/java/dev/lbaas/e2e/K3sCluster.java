package dev.lbaas.e2e;

import dev.lbaas.api.v1alpha1.LoadBalancerStatus;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.Container.ExecResult;
import org.testcontainers.k3s.K3sContainer;
import org.testcontainers.utility.DockerImageName;
import org.testcontainers.utility.MountableFile;

/**
 * K3s in a container (Testcontainers), where a Docker-compatible engine runs: the images are
 * imported into its containerd, and this machine reaches VIPs through node ports on the
 * container's address. The K3s image is {@code lbaas.e2e.k3sImage} (default: the K3s release of the
 * tests' Kubernetes version), pulled by the engine.
 */
final class K3sCluster implements KubernetesCluster {

    private final K3sContainer container;
    private final Path kubeconfig;
    private final Path work;

    private K3sCluster(K3sContainer container, Path kubeconfig, Path work) {
        this.container = container;
        this.kubeconfig = kubeconfig;
        this.work = work;
    }

    /** Why K3s cannot run here, if it cannot. */
    static Optional<String> whyNot() {
        try {
            return DockerClientFactory.instance().isDockerAvailable() ? Optional.empty()
                    : Optional.of("no Docker-compatible engine is reachable (DOCKER_HOST, /var/run/docker.sock)");
        } catch (RuntimeException e) {
            return Optional.of("no Docker-compatible engine: " + e.getMessage());
        }
    }

    static K3sCluster start(String kubeVersion, Path work) {
        String image = System.getProperty("lbaas.e2e.k3sImage", "rancher/k3s:v" + kubeVersion + "-k3s1");
        K3sContainer container = new K3sContainer(DockerImageName.parse(image).asCompatibleSubstituteFor("rancher/k3s"));
        container.start();
        try {
            Files.createDirectories(work);
            Path kubeconfig = Files.writeString(work.resolve("kubeconfig"), container.getKubeConfigYaml());
            return new K3sCluster(container, kubeconfig, work);
        } catch (IOException e) {
            container.stop();
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public String description() {
        return "K3s in container " + container.getContainerName() + " (" + container.getDockerImageName() + ")";
    }

    @Override
    public Path kubeconfig() {
        return kubeconfig;
    }

    /** The OCI archives, copied into the container and imported into its containerd. */
    @Override
    public void provideImages(ProjectLayout layout) {
        String webArchive = Commands.run(List.of("bash", layout.script("single-node-cluster.sh").toString(),
                "demo-web-archive", work.toString()), 300).strip().lines().reduce((first, last) -> last).orElseThrow();
        for (Path archive : List.of(layout.imageArchive("amphora"), layout.imageArchive("operator"), Path.of(webArchive))) {
            String inside = "/tmp/" + archive.getFileName();
            container.copyFileToContainer(MountableFile.forHostPath(archive), inside);
            ctr("importing " + archive, "images", "import", inside);
        }
    }

    /** Imported images only; VIPs as node ports, which this machine reaches on the container's address. */
    @Override
    public List<String> chartValues() {
        return List.of("image.operator.pullPolicy=Never", "image.amphora.pullPolicy=Never",
                "defaultClass.vipService.type=NodePort");
    }

    @Override
    public InetSocketAddress reach(LoadBalancerStatus status, int port) {
        String address = container.getContainerInfo().getNetworkSettings().getIpAddress();
        return KubernetesCluster.nodePort(status, port, address);
    }

    /** SIGKILL through K3s's containerd, inside its container. */
    @Override
    public void kill(KubernetesClient client, String namespace, String pod) {
        ctr("SIGKILL of " + pod, "tasks", "kill", "-s", "SIGKILL", KubernetesCluster.containerId(client, namespace, pod));
    }

    /** containerd's ctr in the K3s container, in Kubernetes' namespace; fails with what it said. */
    private void ctr(String what, String... arguments) {
        String[] command = new String[arguments.length + 3];
        command[0] = "ctr";
        command[1] = "-n";
        command[2] = "k8s.io";
        System.arraycopy(arguments, 0, command, 3, arguments.length);
        try {
            ExecResult result = container.execInContainer(command);
            if (result.getExitCode() != 0) {
                throw new IllegalStateException(what + " in K3s: " + result.getStderr());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public boolean removedOnClose() {
        return true;
    }

    @Override
    public void close() {
        container.stop();
    }
}
