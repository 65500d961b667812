package dev.lbaas.api.testing;

import io.fabric8.kubeapitest.KubeAPIServer;
import io.fabric8.kubeapitest.KubeAPIServerConfigBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real kube-apiserver (and etcd) serving the CRDs the build generates, for tests of admission.
 * The Kubernetes version comes from the {@code lbaas.kube.version} system property.
 */
public final class ApiServerWithCrds implements AutoCloseable {

    /** The plural names of the lbaas.dev kinds, in the order their CRDs are installed. */
    public static final List<String> PLURALS = List.of("loadbalancers", "listeners", "pools", "members",
            "healthmonitors", "loadbalancerclasses");

    private final KubeAPIServer apiServer;
    private final KubernetesClient client;
    private final List<CustomResourceDefinition> crds;

    private ApiServerWithCrds(KubeAPIServer apiServer, KubernetesClient client, List<CustomResourceDefinition> crds) {
        this.apiServer = apiServer;
        this.client = client;
        this.crds = crds;
    }

    /** Starts the API server and installs every CRD, returning once each one is established. */
    public static ApiServerWithCrds start() {
        KubeAPIServer apiServer = new KubeAPIServer(KubeAPIServerConfigBuilder.anAPIServerConfig()
                .withApiServerVersion(System.getProperty("lbaas.kube.version", "1.34.4"))
                .withOfflineMode(true)
                .withUpdateKubeConfig(false)
                .build());
        apiServer.start();
        KubernetesClient client = new KubernetesClientBuilder()
                .withConfig(Config.fromKubeconfig(apiServer.getKubeConfigYaml())).build();
        List<CustomResourceDefinition> crds = new ArrayList<>();
        for (String plural : PLURALS) {
            CustomResourceDefinition crd = crd(plural);
            client.resource(crd).create();
            client.resources(CustomResourceDefinition.class).withName(crd.getMetadata().getName())
                    // the API server creates the status before it fills in the conditions
                    .waitUntilCondition(c -> c != null && c.getStatus() != null && c.getStatus().getConditions() != null
                            && c.getStatus().getConditions().stream()
                            .anyMatch(x -> "Established".equals(x.getType()) && "True".equals(x.getStatus())),
                            60, TimeUnit.SECONDS);
            crds.add(crd);
        }
        return new ApiServerWithCrds(apiServer, client, List.copyOf(crds));
    }

    /** The CRD of one kind as the build generated it. */
    public static CustomResourceDefinition crd(String plural) {
        try (InputStream in = ApiServerWithCrds.class.getClassLoader()
                .getResourceAsStream("META-INF/fabric8/" + plural + ".lbaas.dev-v1.yml")) {
            return Serialization.unmarshal(in, CustomResourceDefinition.class);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public KubernetesClient client() {
        return client;
    }

    public List<CustomResourceDefinition> crds() {
        return crds;
    }

    @Override
    public void close() {
        client.close();
        apiServer.stop();
    }
}
