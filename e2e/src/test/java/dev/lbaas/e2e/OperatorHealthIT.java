package dev.lbaas.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * An informer that stops makes the operator not alive, so that a supervisor restarts it, and says
 * why in its log. The published CRDs bound every integer so that every admitted object can be read;
 * here the Listener CRD is loosened on purpose to let through one the operator cannot read, the way
 * an older CRD or a hand-edited one could.
 */
class OperatorHealthIT {

    private static LocalSystem system;
    private static KubernetesClient client;
    private static int port;

    @BeforeAll
    static void start() throws Exception {
        system = LocalSystem.start(ProjectLayout.current(), Files.createTempDirectory("lbaas-health-"),
                System.getProperty("lbaas.kube.version", "1.34.4"));
        client = system.client();
        port = system.operatorHttpPort(Duration.ofSeconds(90));
    }

    @AfterAll
    static void stop() {
        if (system != null) {
            system.close();
        }
    }

    @Test
    void aStoppedInformerMakesTheOperatorNotAlive() throws Exception {
        await().atMost(Duration.ofSeconds(60)).ignoreExceptions().untilAsserted(() -> {
            Curl.Response live = Curl.get("127.0.0.1", port, "/q/health/live");
            assertThat(live.status()).as(live.body()).isEqualTo(200);
            assertThat(Curl.get("127.0.0.1", port, "/q/health/ready").status()).isEqualTo(200);
        });

        CustomResourceDefinition crd = client.resources(CustomResourceDefinition.class).withName("listeners.lbaas.dev")
                .get();
        JSONSchemaProps connectionLimit = crd.getSpec().getVersions().get(0).getSchema().getOpenAPIV3Schema()
                .getProperties().get("spec").getProperties().get("connectionLimit");
        connectionLimit.setMaximum(null);
        connectionLimit.setFormat(null);
        client.resource(crd).update();
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> {
            client.load(new ByteArrayInputStream("""
                    apiVersion: lbaas.dev/v1alpha1
                    kind: Listener
                    metadata: {name: unreadable, namespace: default}
                    spec: {loadBalancerRef: lb, protocol: TCP, protocolPort: 80, connectionLimit: 99999999999}
                    """.getBytes(StandardCharsets.UTF_8))).create();
            return true;
        });

        await().atMost(Duration.ofSeconds(60)).ignoreExceptions().untilAsserted(() -> {
            Curl.Response live = Curl.get("127.0.0.1", port, "/q/health/live");
            assertThat(live.status()).isEqualTo(503);
            assertThat(live.body()).contains("\"name\": \"informers\"", "\"status\": \"DOWN\"",
                    "\"loadbalancer/listeners\": \"running=false");
        });
        assertThat(system.operator().logText()).contains("informers stopped, so their kinds are no longer reconciled");
    }
}
