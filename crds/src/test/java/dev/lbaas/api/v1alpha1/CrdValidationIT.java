package dev.lbaas.api.v1alpha1;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.fabric8.kubeapitest.KubeAPIServer;
import io.fabric8.kubeapitest.KubeAPIServerConfigBuilder;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every admission rule of the generated CRDs, against a real kube-apiserver: a small invalid object
 * each, and the exact message the user reads.
 */
class CrdValidationIT {

    private static final AtomicInteger NAMES = new AtomicInteger();
    private static KubeAPIServer apiServer;
    private static KubernetesClient client;

    @BeforeAll
    static void startApiServer() throws Exception {
        apiServer = new KubeAPIServer(KubeAPIServerConfigBuilder.anAPIServerConfig()
                .withApiServerVersion(System.getProperty("lbaas.kube.version", "1.34.4"))
                .withOfflineMode(true)
                .withUpdateKubeConfig(false)
                .build());
        apiServer.start();
        client = new KubernetesClientBuilder().withConfig(Config.fromKubeconfig(apiServer.getKubeConfigYaml())).build();
        for (String plural : List.of("loadbalancers", "listeners", "pools", "members", "healthmonitors")) {
            try (InputStream in = CrdValidationIT.class.getClassLoader()
                    .getResourceAsStream("META-INF/fabric8/" + plural + ".lbaas.dev-v1.yml")) {
                for (HasMetadata crd : client.load(in).items()) {
                    client.resource(crd).create();
                }
            }
            client.resources(CustomResourceDefinition.class).withName(plural + ".lbaas.dev")
                    .waitUntilCondition(crd -> crd != null && crd.getStatus() != null
                            // the API server creates the status before it fills in the conditions
                            && crd.getStatus().getConditions() != null && crd.getStatus().getConditions().stream()
                            .anyMatch(c -> "Established".equals(c.getType()) && "True".equals(c.getStatus())),
                            60, TimeUnit.SECONDS);
        }
    }

    @AfterAll
    static void stopApiServer() {
        if (client != null) {
            client.close();
        }
        if (apiServer != null) {
            apiServer.stop();
        }
    }

    @Test
    void seedObjectsAreAcceptedWithOctaviaDefaults() {
        GenericKubernetesResource member = create("Member", "poolRef: pool-web\naddress: 192.168.200.9\nprotocolPort: 80");
        assertThat(spec(member)).containsEntry("weight", 1).containsEntry("adminStateUp", true)
                .containsEntry("backup", false);
        GenericKubernetesResource monitor = create("HealthMonitor",
                "poolRef: pool-web\ntype: TCP\ndelaySeconds: 5\ntimeoutSeconds: 4\nmaxRetries: 3");
        assertThat(spec(monitor)).containsEntry("maxRetriesDown", 3);
        GenericKubernetesResource pool = create("Pool", "loadBalancerRef: lb-web\nprotocol: HTTP");
        assertThat(spec(pool)).containsEntry("lbAlgorithm", "ROUND_ROBIN");
        GenericKubernetesResource listener = create("Listener",
                "loadBalancerRef: lb-web\nprotocol: HTTP\nprotocolPort: 80\ndefaultPoolRef: pool-web");
        assertThat(spec(listener)).containsEntry("connectionLimit", -1);
        create("LoadBalancer", "description: LB_WEB");
    }

    @Test
    void monitorTimeoutMustBeBelowDelay() {
        assertThat(rejection("HealthMonitor", "poolRef: p\ntype: TCP\ndelaySeconds: 4\ntimeoutSeconds: 4\nmaxRetries: 3"))
                .contains("spec.timeoutSeconds: Invalid value", "timeoutSeconds must be less than delaySeconds");
    }

    @Test
    void monitorRetriesAreBetweenOneAndTen() {
        assertThat(rejection("HealthMonitor", "poolRef: p\ntype: TCP\ndelaySeconds: 5\ntimeoutSeconds: 4\nmaxRetries: 11"))
                .contains("spec.maxRetries: Invalid value: 11: spec.maxRetries in body should be less than or equal to 10");
        assertThat(rejection("HealthMonitor",
                "poolRef: p\ntype: TCP\ndelaySeconds: 5\ntimeoutSeconds: 4\nmaxRetries: 3\nmaxRetriesDown: 0"))
                .contains("spec.maxRetriesDown: Invalid value: 0: spec.maxRetriesDown in body should be greater than or equal to 1");
    }

    @Test
    void httpFieldsOnlyOnHttpMonitors() {
        assertThat(rejection("HealthMonitor",
                "poolRef: p\ntype: TCP\ndelaySeconds: 5\ntimeoutSeconds: 4\nmaxRetries: 3\nurlPath: /health"))
                .contains("httpMethod, urlPath, expectedCodes, httpVersion and domainName are only allowed with type HTTP or HTTPS");
    }

    @Test
    void expectedCodesFollowOctaviaSyntax() {
        String base = "poolRef: p\ntype: HTTP\ndelaySeconds: 5\ntimeoutSeconds: 4\nmaxRetries: 3\nexpectedCodes: ";
        assertThat(rejection("HealthMonitor", base + "abc")).contains("spec.expectedCodes: Invalid value: \"abc\"");
        create("HealthMonitor", base + "\"200, 202\"");
        create("HealthMonitor", base + "200-204");
    }

    @Test
    void domainNameNeedsHttp11() {
        assertThat(rejection("HealthMonitor",
                "poolRef: p\ntype: HTTP\ndelaySeconds: 5\ntimeoutSeconds: 4\nmaxRetries: 3\ndomainName: example.com"))
                .contains("spec.domainName: Invalid value", "domainName needs httpVersion 1.1");
    }

    @Test
    void memberWeightAndAddress() {
        assertThat(rejection("Member", "poolRef: p\naddress: 10.0.0.1\nprotocolPort: 80\nweight: 257"))
                .contains("spec.weight: Invalid value: 257: spec.weight in body should be less than or equal to 256");
        assertThat(rejection("Member", "poolRef: p\naddress: web1.local\nprotocolPort: 80"))
                .contains("spec.address: Invalid value", "address must be an IPv4 or IPv6 address");
        assertThat(rejection("Member", "poolRef: p\naddress: 10.0.0.1\nprotocolPort: 0"))
                .contains("spec.protocolPort: Invalid value: 0");
    }

    @Test
    void memberPoolIsImmutable() {
        GenericKubernetesResource member = create("Member", "poolRef: a\naddress: 10.0.0.1\nprotocolPort: 80");
        spec(member).put("poolRef", "b");
        KubernetesClientException error = catchThrowableOfType(KubernetesClientException.class,
                () -> client.resource(member).update());
        assertThat(error.getMessage()).contains("poolRef is immutable");
    }

    @Test
    void listenerProtocolAndHeaders() {
        assertThat(rejection("Listener", "loadBalancerRef: lb\nprotocol: FTP\nprotocolPort: 21"))
                .contains("spec.protocol: Unsupported value: \"FTP\"");
        assertThat(rejection("Listener",
                "loadBalancerRef: lb\nprotocol: TCP\nprotocolPort: 80\ninsertHeaders: [X-Forwarded-For]"))
                .contains("spec.insertHeaders: Invalid value",
                        "insertHeaders is only allowed on HTTP and TERMINATED_HTTPS listeners");
        assertThat(rejection("Listener",
                "loadBalancerRef: lb\nprotocol: HTTP\nprotocolPort: 80\nallowedCidrs: [10.0.0.0/33]"))
                .contains("allowedCidrs must hold CIDRs such as 10.0.0.0/8");
        assertThat(rejection("Listener",
                "loadBalancerRef: lb\nprotocol: HTTP\nprotocolPort: 80\ntimeouts: {clientData: 50}"))
                .contains("spec.timeouts.clientData: Invalid value");
    }

    @Test
    void theDeadlineForHeadersIsBoundedAndForHttpListenersOnly() {
        String http = "loadBalancerRef: lb\nprotocol: HTTP\nprotocolPort: 80\n";
        assertThat(spec(create("Listener", http + "timeouts: {httpRequest: 2s500ms}")))
                .containsEntry("timeouts", Map.of("httpRequest", "2s500ms"));
        assertThat(rejection("Listener", http + "timeouts: {httpRequest: 0s}"))
                .contains("spec.timeouts.httpRequest: Invalid value", "httpRequest must be more than 0s and at most 24h");
        assertThat(rejection("Listener", http + "timeouts: {httpRequest: 25h}"))
                .contains("httpRequest must be more than 0s and at most 24h");
        assertThat(rejection("Listener", "loadBalancerRef: lb\nprotocol: TCP\nprotocolPort: 80\ntimeouts: {httpRequest: 5s}"))
                .contains("spec.timeouts.httpRequest: Invalid value",
                        "timeouts.httpRequest is only allowed on HTTP and TERMINATED_HTTPS listeners");
    }

    @Test
    void poolNeedsAParentAndPersistenceRules() {
        assertThat(rejection("Pool", "protocol: HTTP"))
                .contains("one of listenerRef or loadBalancerRef is required");
        assertThat(rejection("Pool", "loadBalancerRef: lb\nprotocol: HTTP\nsessionPersistence: {type: APP_COOKIE}"))
                .contains("spec.sessionPersistence.cookieName: Invalid value", "cookieName is required with type APP_COOKIE");
        assertThat(rejection("Pool",
                "loadBalancerRef: lb\nprotocol: HTTP\nsessionPersistence: {type: SOURCE_IP, cookieName: c}"))
                .contains("cookieName is only allowed with type APP_COOKIE");
        assertThat(rejection("Pool", "loadBalancerRef: lb\nprotocol: UDP\nsessionPersistence: {type: HTTP_COOKIE}"))
                .contains("UDP and SCTP pools only accept sessionPersistence type SOURCE_IP");
    }

    @Test
    void loadBalancerVipMustBeAnAddress() {
        assertThat(rejection("LoadBalancer", "vipAddress: not-an-ip"))
                .contains("spec.vipAddress: Invalid value", "vipAddress must be an IPv4 or IPv6 address");
    }

    private static GenericKubernetesResource create(String kind, String specYaml) {
        return client.resource(object(kind, specYaml)).create();
    }

    private static String rejection(String kind, String specYaml) {
        KubernetesClientException error = catchThrowableOfType(KubernetesClientException.class,
                () -> client.resource(object(kind, specYaml)).create());
        assertThat(error).as(kind + " with spec " + specYaml + " must be rejected").isNotNull();
        assertThat(error.getCode()).isEqualTo(422);
        return error.getMessage();
    }

    private static GenericKubernetesResource object(String kind, String specYaml) {
        String yaml = "apiVersion: lbaas.dev/v1alpha1\nkind: " + kind + "\nmetadata:\n  name: t"
                + NAMES.incrementAndGet() + "\n  namespace: default\nspec:\n  " + specYaml.replace("\n", "\n  ") + "\n";
        return (GenericKubernetesResource) client.load(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8)))
                .items().get(0);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> spec(GenericKubernetesResource resource) {
        return (Map<String, Object>) resource.getAdditionalProperties().get("spec");
    }
}
