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
 * The product as a cluster runs it: the images provided, the chart installed with {@code helm
 * install}, and the seed walkthrough as a cluster runs it (web servers as pods behind a Service, the
 * pool's members selected from it). On the real single-node cluster for {@code KubernetesClusterIT}
 * and {@code quickstart.sh --kubernetes}, or on any {@link KubernetesCluster}.
 */
public final class ClusterDemo implements AutoCloseable {

    /** Where the chart is installed. */
    public static final String SYSTEM_NAMESPACE = "lbaas-system";
    /** The ServiceAccount the chart gives the operator. */
    public static final String OPERATOR_ACCOUNT = "system:serviceaccount:" + SYSTEM_NAMESPACE + ":lbaas";

    private final ProjectLayout layout;
    private final KubernetesCluster cluster;
    private final KubernetesClient client;
    private final String helm;
    private final Path kubectl;
    private long installMillis = -1;

    private ClusterDemo(ProjectLayout layout, KubernetesCluster cluster, KubernetesClient client, String helm,
            Path kubectl) {
        this.layout = layout;
        this.cluster = cluster;
        this.client = client;
        this.helm = helm;
        this.kubectl = kubectl;
    }

    /** Starts the real single-node cluster in {@code state} and installs the chart (both operators ready). */
    public static ClusterDemo start(ProjectLayout layout, Path state, String kubeVersion) {
        ClusterDemo demo = prepare(layout, SingleNodeCluster.start(layout, state), kubeVersion);
        try {
            demo.installChart();
            return demo;
        } catch (RuntimeException e) {
            demo.close();
            throw e;
        }
    }

    /**
     * Provides the images to {@code cluster} and finds helm and kubectl; the chart is not installed
     * yet. The demo owns the cluster from here: closing it closes the cluster.
     */
    public static ClusterDemo prepare(ProjectLayout layout, KubernetesCluster cluster, String kubeVersion) {
        try {
            cluster.provideImages(layout);
            KubernetesClient client = new KubernetesClientBuilder()
                    .withConfig(Config.fromKubeconfig(Files.readString(cluster.kubeconfig()))).build();
            // The script prints the binary's path last, after what building it said.
            String helm = Commands.run(List.of("bash", layout.script("helm.sh").toString()), 900).strip().lines()
                    .reduce((first, last) -> last).orElseThrow();
            Path kubectl = Path.of(System.getProperty("user.home"), ".kubeapitest", "k8s",
                    kubeVersion + "-linux-amd64", "kubectl");
            return new ClusterDemo(layout, cluster, client, helm, kubectl);
        } catch (IOException | RuntimeException e) {
            cluster.close();
            throw e instanceof IOException io ? new UncheckedIOException(io) : (RuntimeException) e;
        }
    }

    /** {@code helm install} of the chart, waiting for both operator replicas to be ready. */
    public void installChart() {
        List<String> command = new ArrayList<>(List.of(helm, "install", "lbaas", layout.chart().toString(),
                "--namespace", SYSTEM_NAMESPACE, "--create-namespace", "--wait", "--timeout", "120s",
                "--kubeconfig", cluster.kubeconfig().toString()));
        for (String value : cluster.chartValues()) {
            command.addAll(List.of("--set", value));
        }
        long started = System.nanoTime();
        Commands.run(command, 180);
        installMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
    }

    public KubernetesCluster cluster() {
        return cluster;
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

    /** How long {@code helm install --wait} took; -1 before it ran. */
    public long installMillis() {
        return installMillis;
    }

    public void createNamespace(String namespace) {
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(namespace).endMetadata().build())
                .serverSideApply();
    }

    /**
     * examples/kubernetes/seed-scenario.yaml: web1 and web2 as pods behind the Service "web", and
     * the seed walkthrough's load balancer with its pool's members selected from that Service; the
     * web servers' image is the cluster's.
     */
    public String seedScenario() {
        try {
            return Files.readString(layout.examples().resolve("kubernetes/seed-scenario.yaml"))
                    .replace(KubernetesCluster.DEMO_WEB_IMAGE, cluster.webImage());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** examples/kubernetes/active-standby.yaml: lb-pair, whose members are the pods of seedScenario's Service. */
    public String activeStandbyScenario() {
        try {
            return Files.readString(layout.examples().resolve("kubernetes/active-standby.yaml"));
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
