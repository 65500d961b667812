package dev.lbaas.e2e;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The product as a cluster runs it, on the real single-node cluster: the images imported, the
 * chart installed with {@code helm install}, and the seed walkthrough as a cluster runs it (web
 * servers as pods behind a Service, the pool's members selected from it). For {@code KubernetesClusterIT} and
 * {@code quickstart.sh --kubernetes}.
 */
public final class ClusterDemo implements AutoCloseable {

    /** Where the chart is installed. */
    public static final String SYSTEM_NAMESPACE = "lbaas-system";
    /** The ServiceAccount the chart gives the operator. */
    public static final String OPERATOR_ACCOUNT = "system:serviceaccount:" + SYSTEM_NAMESPACE + ":lbaas";

    private final ProjectLayout layout;
    private final SingleNodeCluster cluster;
    private final KubernetesClient client;
    private final String helm;
    private final Path kubectl;
    private final long installMillis;

    private ClusterDemo(ProjectLayout layout, SingleNodeCluster cluster, KubernetesClient client, String helm,
            Path kubectl, long installMillis) {
        this.layout = layout;
        this.cluster = cluster;
        this.client = client;
        this.helm = helm;
        this.kubectl = kubectl;
        this.installMillis = installMillis;
    }

    /** Starts the cluster in {@code state}, imports the images and installs the chart (both operators ready). */
    public static ClusterDemo start(ProjectLayout layout, Path state, String kubeVersion) {
        SingleNodeCluster cluster = SingleNodeCluster.start(layout, state);
        try {
            cluster.importImages(layout.imageArchive("amphora"), layout.imageArchive("operator"));
            cluster.importDemoWeb();
            KubernetesClient client = new KubernetesClientBuilder()
                    .withConfig(Config.fromKubeconfig(Files.readString(cluster.kubeconfig()))).build();
            // The script prints the binary's path last, after what building it said.
            String helm = Commands.run(List.of("bash", layout.script("helm.sh").toString()), 900).strip().lines()
                    .reduce((first, last) -> last).orElseThrow();
            Path kubectl = Path.of(System.getProperty("user.home"), ".kubeapitest", "k8s",
                    kubeVersion + "-linux-amd64", "kubectl");
            long started = System.nanoTime();
            Commands.run(List.of(helm, "install", "lbaas", layout.chart().toString(), "--namespace", SYSTEM_NAMESPACE,
                    "--create-namespace", "--set", "image.operator.pullPolicy=Never", "--set",
                    "image.amphora.pullPolicy=Never", "--wait", "--timeout", "120s", "--kubeconfig",
                    cluster.kubeconfig().toString()), 180);
            return new ClusterDemo(layout, cluster, client, helm, kubectl,
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
        } catch (IOException | RuntimeException e) {
            cluster.close();
            throw e instanceof IOException io ? new UncheckedIOException(io) : (RuntimeException) e;
        }
    }

    public KubernetesClient client() {
        return client;
    }

    public Path kubeconfig() {
        return cluster.kubeconfig();
    }

    public Path kubectl() {
        return kubectl;
    }

    /** How long {@code helm install --wait} took. */
    public long installMillis() {
        return installMillis;
    }

    public void createNamespace(String namespace) {
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(namespace).endMetadata().build())
                .serverSideApply();
    }

    /**
     * examples/kubernetes/seed-scenario.yaml: web1 and web2 as pods behind the Service "web", and
     * the seed walkthrough's load balancer with its pool's members selected from that Service.
     */
    public String seedScenario() {
        try {
            return Files.readString(layout.examples().resolve("kubernetes/seed-scenario.yaml"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Applies manifests to a namespace, as {@code kubectl apply --server-side} does. */
    public void apply(String namespace, String yaml) {
        for (HasMetadata item : client.load(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8))).items()) {
            item.getMetadata().setNamespace(namespace);
            client.resource(item).fieldManager("lbaas-demo").forceConflicts().serverSideApply();
        }
    }

    /** Runs helm against the cluster; fails with its output if it fails. */
    public String helm(String... arguments) {
        List<String> command = new ArrayList<>(List.of(helm));
        command.addAll(List.of(arguments));
        command.addAll(List.of("--kubeconfig", cluster.kubeconfig().toString()));
        return Commands.run(command, 180);
    }

    /** Runs kubectl against the cluster; fails with its output if it fails. */
    public String kubectl(String... arguments) {
        List<String> command = new ArrayList<>(List.of(kubectl.toString(), "--kubeconfig",
                cluster.kubeconfig().toString()));
        command.addAll(List.of(arguments));
        return Commands.run(command, 60);
    }

    @Override
    public void close() {
        client.close();
        cluster.close();
    }
}
