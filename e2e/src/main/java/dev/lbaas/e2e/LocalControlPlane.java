package dev.lbaas.e2e;

import io.fabric8.kubeapitest.KubeAPIServer;
import io.fabric8.kubeapitest.KubeAPIServerConfigBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A real Kubernetes control plane on this machine, with no container runtime: kube-apiserver and
 * etcd (started by fabric8 kube-api-test) plus kube-controller-manager for garbage collection, so
 * that ownerReferences cascade deletes as in a cluster. The lbaas.dev CRDs are installed.
 */
public final class LocalControlPlane implements AutoCloseable {

    /** The CRDs the crds module generates, found on the classpath. */
    private static final List<String> CRDS = List.of("loadbalancers", "listeners", "pools", "members", "healthmonitors",
            "loadbalancerclasses");

    private final Path binaries;
    private final KubeAPIServer apiServer;
    private final ManagedProcess controllerManager;
    private final Path kubeconfig;
    private final KubernetesClient client;

    private LocalControlPlane(Path binaries, KubeAPIServer apiServer, ManagedProcess controllerManager, Path kubeconfig,
            KubernetesClient client) {
        this.binaries = binaries;
        this.apiServer = apiServer;
        this.controllerManager = controllerManager;
        this.kubeconfig = kubeconfig;
        this.client = client;
    }

    /**
     * Starts the control plane; its kubeconfig and logs go to {@code workDirectory}.
     *
     * @param kubeVersion the Kubernetes version whose binaries scripts/kube-binaries.sh provides
     */
    public static LocalControlPlane start(Path workDirectory, String kubeVersion) {
        Path binaries = Path.of(System.getProperty("user.home"), ".kubeapitest", "k8s", kubeVersion + "-linux-amd64");
        String testDir = System.getenv("KUBE_API_TEST_DIR");
        if (testDir != null) {
            binaries = Path.of(testDir, "k8s", kubeVersion + "-linux-amd64");
        }
        KubeAPIServerConfigBuilder config = KubeAPIServerConfigBuilder.anAPIServerConfig()
                .withApiServerVersion(kubeVersion)
                .withOfflineMode(true)
                .withUpdateKubeConfig(false)
                .withStartupTimeout(120_000);
        if (testDir != null) {
            config.withTestDir(testDir);
        }
        KubeAPIServer apiServer = new KubeAPIServer(config.build());
        apiServer.start();
        try {
            Files.createDirectories(workDirectory);
            Path kubeconfig = workDirectory.resolve("kubeconfig");
            Files.writeString(kubeconfig, apiServer.getKubeConfigYaml());
            ManagedProcess controllerManager = ManagedProcess.start("kube-controller-manager", List.of(
                    binaries.resolve("kube-controller-manager").toString(),
                    "--kubeconfig=" + kubeconfig,
                    "--authentication-kubeconfig=" + kubeconfig,
                    "--authorization-kubeconfig=" + kubeconfig,
                    "--controllers=garbagecollector,namespace",
                    "--leader-elect=false",
                    "--bind-address=127.0.0.1",
                    "--secure-port=0",
                    "--concurrent-gc-syncs=5"),
                    Map.of(), workDirectory.resolve("kube-controller-manager.log"));
            KubernetesClient client = new KubernetesClientBuilder()
                    .withConfig(Config.fromKubeconfig(apiServer.getKubeConfigYaml()))
                    .build();
            LocalControlPlane plane = new LocalControlPlane(binaries, apiServer, controllerManager, kubeconfig, client);
            plane.installCrds();
            return plane;
        } catch (IOException e) {
            apiServer.stop();
            throw new UncheckedIOException(e);
        }
    }

    private void installCrds() {
        for (String plural : CRDS) {
            String resource = "META-INF/fabric8/" + plural + ".lbaas.dev-v1.yml";
            try (InputStream in = LocalControlPlane.class.getClassLoader().getResourceAsStream(resource)) {
                if (in == null) {
                    throw new IllegalStateException(resource + " is not on the classpath");
                }
                for (HasMetadata item : client.load(in).items()) {
                    client.resource(item).forceConflicts().serverSideApply();
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        for (String plural : CRDS) {
            client.resources(CustomResourceDefinition.class).withName(plural + ".lbaas.dev")
                    .waitUntilCondition(crd -> crd != null && crd.getStatus() != null
                            // the API server creates the status before it fills in the conditions
                            && crd.getStatus().getConditions() != null
                            && crd.getStatus().getConditions().stream().anyMatch(c -> "Established".equals(c.getType())
                                    && "True".equals(c.getStatus())), 60, TimeUnit.SECONDS);
        }
    }

    public Path kubeconfig() {
        return kubeconfig;
    }

    /** The kubectl built with the control plane's binaries (the machine may have none). */
    public Path kubectl() {
        return binaries.resolve("kubectl");
    }

    public KubernetesClient client() {
        return client;
    }

    @Override
    public void close() {
        client.close();
        controllerManager.close();
        apiServer.stop();
    }
}
