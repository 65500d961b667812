package dev.lbaas.api.testing;

import io.fabric8.kubeapitest.KubeAPIServer;
import io.fabric8.kubeapitest.KubeAPIServerConfig;
import io.fabric8.kubeapitest.KubeAPIServerConfigBuilder;
import io.fabric8.kubeapitest.KubeAPITestException;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalTime;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real Kubernetes control plane on this machine serving the lbaas.dev API: kube-apiserver and
 * etcd (started by fabric8 kube-api-test) with the CRDs and the admission policies the crds build
 * generates, found on the classpath, and optionally kube-controller-manager's garbage collector, so
 * that ownerReferences cascade deletes as in a cluster. There is no container runtime: this is the
 * API the operator and its admission rules are tested against, and what the quickstart runs on.
 *
 * <p>The binaries come from {@code scripts/kube-binaries.sh}, in kube-api-test's cache
 * ({@code ~/.kubeapitest}, or {@code $KUBE_API_TEST_DIR}).
 */
public final class ControlPlane implements AutoCloseable {

    /** The plural names of the lbaas.dev kinds, in the order their CRDs are installed. */
    public static final List<String> PLURALS = List.of("loadbalancers", "listeners", "pools", "members",
            "healthmonitors", "l7policies", "l7rules", "loadbalancerclasses");

    /**
     * The ValidatingAdmissionPolicies (and their bindings) that keep rules spanning two objects, such
     * as a Pool's memberSelector against the Members written by hand for that Pool.
     */
    public static final String ADMISSION_POLICIES = "META-INF/lbaas/admission-policies.yaml";

    private static final Duration STARTUP_TIMEOUT = Duration.ofMinutes(2);

    private final KubeAPIServer apiServer;
    private final Process controllerManager;
    private final Path kubeconfig;
    private final Path binaries;
    private final KubernetesClient client;
    private final List<CustomResourceDefinition> crds;

    private ControlPlane(KubeAPIServer apiServer, Process controllerManager, Path kubeconfig, Path binaries,
            KubernetesClient client, List<CustomResourceDefinition> crds) {
        this.apiServer = apiServer;
        this.controllerManager = controllerManager;
        this.kubeconfig = kubeconfig;
        this.binaries = binaries;
        this.client = client;
        this.crds = crds;
    }

    /** The Kubernetes version of the tests' binaries: the {@code lbaas.kube.version} system property. */
    public static String kubeVersion() {
        return System.getProperty("lbaas.kube.version", "1.34.4");
    }

    /** An API server with the lbaas.dev API, for admission tests; nothing is written to disk but its own data. */
    public static ControlPlane start() {
        return start(kubeVersion(), null);
    }

    /**
     * The API server with the lbaas.dev API and kube-controller-manager's garbage collector; the
     * kubeconfig and the controller manager's log are written to {@code workDirectory}.
     */
    public static ControlPlane startWithGarbageCollector(Path workDirectory, String kubeVersion) {
        return start(kubeVersion, workDirectory);
    }

    private static ControlPlane start(String kubeVersion, Path workDirectory) {
        String testDir = System.getenv("KUBE_API_TEST_DIR");
        Path binaries = (testDir != null ? Path.of(testDir) : Path.of(System.getProperty("user.home"), ".kubeapitest"))
                .resolve("k8s").resolve(kubeVersion + "-linux-amd64");
        KubeAPIServerConfigBuilder config = KubeAPIServerConfigBuilder.anAPIServerConfig()
                .withApiServerVersion(kubeVersion)
                .withOfflineMode(true)
                .withUpdateKubeConfig(false)
                .withStartupTimeout((int) STARTUP_TIMEOUT.toMillis());
        if (testDir != null) {
            config.withTestDir(testDir);
        }
        KubeAPIServer apiServer = startApiServer(config.build());
        Process controllerManager = null;
        KubernetesClient client = null;
        try {
            Path kubeconfig = null;
            if (workDirectory != null) {
                Files.createDirectories(workDirectory);
                kubeconfig = Files.writeString(workDirectory.resolve("kubeconfig"), apiServer.getKubeConfigYaml());
                controllerManager = new ProcessBuilder(binaries.resolve("kube-controller-manager").toString(),
                        "--kubeconfig=" + kubeconfig,
                        "--authentication-kubeconfig=" + kubeconfig,
                        "--authorization-kubeconfig=" + kubeconfig,
                        "--controllers=garbagecollector,namespace",
                        "--leader-elect=false",
                        "--bind-address=127.0.0.1",
                        "--secure-port=0",
                        "--concurrent-gc-syncs=5")
                        .redirectErrorStream(true)
                        .redirectOutput(workDirectory.resolve("kube-controller-manager.log").toFile())
                        .start();
            }
            client = new KubernetesClientBuilder().withConfig(Config.fromKubeconfig(apiServer.getKubeConfigYaml()))
                    .build();
            List<CustomResourceDefinition> crds = installCrds(client);
            installAdmissionPolicies(client);
            return new ControlPlane(apiServer, controllerManager, kubeconfig, binaries, client, crds);
        } catch (IOException | RuntimeException e) {
            if (client != null) {
                client.close();
            }
            stop(controllerManager);
            apiServer.stop();
            throw e instanceof IOException io ? new UncheckedIOException(io) : (RuntimeException) e;
        }
    }

    /**
     * Starts kube-apiserver and etcd. kube-api-test measures its startup timeout on the time of
     * day (LocalTime), which wraps at midnight: a start within the timeout before midnight fails
     * at once. Such a start waits for midnight to pass and tries again. A failed start stops the
     * etcd it began, which kube-api-test leaves running.
     */
    private static KubeAPIServer startApiServer(KubeAPIServerConfig config) {
        for (int attempt = 1;; attempt++) {
            KubeAPIServer apiServer = new KubeAPIServer(config);
            LocalTime started = LocalTime.now();
            try {
                apiServer.start();
                return apiServer;
            } catch (KubeAPITestException e) {
                try {
                    apiServer.stop();
                } catch (RuntimeException stopping) {
                    e.addSuppressed(stopping);
                }
                boolean wrapped = started.isAfter(LocalTime.MAX.minus(STARTUP_TIMEOUT));
                if (attempt > 1 || !wrapped) {
                    throw e;
                }
                LocalTime now = LocalTime.now();
                // (now before started: midnight has passed already)
                Duration untilMidnight = now.isBefore(started) ? Duration.ZERO
                        : Duration.between(now, LocalTime.MAX).plusSeconds(1);
                try {
                    Thread.sleep(untilMidnight.toMillis());
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
    }

    /** Installs every CRD, returning once each one is established. */
    private static List<CustomResourceDefinition> installCrds(KubernetesClient client) {
        List<CustomResourceDefinition> crds = new ArrayList<>();
        for (String plural : PLURALS) {
            CustomResourceDefinition crd = crd(plural);
            client.resource(crd).forceConflicts().serverSideApply();
            crds.add(crd);
        }
        for (CustomResourceDefinition crd : crds) {
            client.resources(CustomResourceDefinition.class).withName(crd.getMetadata().getName())
                    // the API server creates the status before it fills in the conditions
                    .waitUntilCondition(c -> c != null && c.getStatus() != null && c.getStatus().getConditions() != null
                            && c.getStatus().getConditions().stream()
                            .anyMatch(x -> "Established".equals(x.getType()) && "True".equals(x.getStatus())),
                            60, TimeUnit.SECONDS);
        }
        return List.copyOf(crds);
    }

    private static void installAdmissionPolicies(KubernetesClient client) {
        for (HasMetadata policy : admissionPolicies(client)) {
            client.resource(policy).forceConflicts().serverSideApply();
        }
    }

    /** The admission policies of the lbaas.dev API as the build packages them. */
    private static List<HasMetadata> admissionPolicies(KubernetesClient client) {
        try (InputStream in = resource(ADMISSION_POLICIES)) {
            return client.load(in).items();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The CRD of one kind as the build generated it. */
    public static CustomResourceDefinition crd(String plural) {
        try (InputStream in = resource("META-INF/fabric8/" + plural + ".lbaas.dev-v1.yml")) {
            return Serialization.unmarshal(in, CustomResourceDefinition.class);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static InputStream resource(String name) {
        InputStream in = ControlPlane.class.getClassLoader().getResourceAsStream(name);
        if (in == null) {
            throw new IllegalStateException(name + " is not on the classpath: build the crds module");
        }
        return in;
    }

    public KubernetesClient client() {
        return client;
    }

    /** The CRDs installed, as generated. */
    public List<CustomResourceDefinition> crds() {
        return crds;
    }

    /** The kubeconfig written to the work directory of {@link #startWithGarbageCollector}. */
    public Path kubeconfig() {
        if (kubeconfig == null) {
            throw new IllegalStateException("started without a work directory");
        }
        return kubeconfig;
    }

    /** The kubectl built with the control plane's binaries (the machine may have none). */
    public Path kubectl() {
        return binaries.resolve("kubectl");
    }

    @Override
    public void close() {
        client.close();
        stop(controllerManager);
        apiServer.stop();
    }

    private static void stop(Process process) {
        if (process == null) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
