package dev.lbaas.helm;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The chart as helm sees it: lint, rendering with its values, refusals by its schema, and its CRDs. */
class ChartTest {

    private static final Path PROJECT = Path.of(System.getProperty("lbaas.project.dir", "..")).toAbsolutePath();
    private static final Path CHART = PROJECT.resolve("helm/lbaas-operator");
    private static String helm;
    private static KubernetesClient yaml;

    @BeforeAll
    static void findHelm() throws Exception {
        // The script prints the binary's path last, after what building it said.
        helm = run(List.of("bash", PROJECT.resolve("scripts/helm.sh").toString())).output().strip().lines()
                .reduce((first, last) -> last).orElseThrow();
        yaml = new KubernetesClientBuilder().build();
    }

    @AfterAll
    static void close() {
        yaml.close();
    }

    @Test
    void theChartsCrdsAndAdmissionPoliciesAreTheApis() throws Exception {
        List<String> plurals = List.of("loadbalancers", "listeners", "pools", "members", "healthmonitors",
                "l7policies", "l7rules", "loadbalancerclasses");
        try (Stream<Path> files = Files.list(CHART.resolve("crds"))) {
            assertThat(files.map(file -> file.getFileName().toString()))
                    .containsExactlyInAnyOrderElementsOf(plurals.stream().map(p -> p + ".lbaas.dev.yaml").toList());
        }
        for (String plural : plurals) {
            String generated;
            try (InputStream in = ChartTest.class.getClassLoader()
                    .getResourceAsStream("META-INF/fabric8/" + plural + ".lbaas.dev-v1.yml")) {
                assertThat(in).as("generated CRD of " + plural).isNotNull();
                generated = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
            assertThat(Files.readString(CHART.resolve("crds/" + plural + ".lbaas.dev.yaml")))
                    .as("the chart's copy of the " + plural + " CRD differs from the generated one: run "
                            + "scripts/chart-crds.sh")
                    .isEqualTo(generated);
        }
        try (InputStream in = ChartTest.class.getClassLoader().getResourceAsStream("META-INF/lbaas/admission-policies.yaml")) {
            assertThat(in).as("the API's admission policies").isNotNull();
            assertThat(Files.readString(CHART.resolve("files/admission-policies.yaml")))
                    .as("the chart's copy of the admission policies differs from the API's: run scripts/chart-crds.sh")
                    .isEqualTo(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
    }

    @Test
    void lintPassesStrictly() throws Exception {
        Result lint = run(List.of(helm, "lint", "--strict", CHART.toString()));
        assertThat(lint.exit()).as(lint.output()).isZero();
    }

    @Test
    void theDefaultsInstallTwoOperatorsWithLeaderElectionTheDefaultClassAndLeastPrivilege() throws Exception {
        List<HasMetadata> objects = template();

        assertThat(objects).extracting(HasMetadata::getKind).containsExactlyInAnyOrder("ServiceAccount", "ClusterRole",
                "ClusterRoleBinding", "Role", "RoleBinding", "Service", "Deployment", "LoadBalancerClass",
                "ValidatingAdmissionPolicy", "ValidatingAdmissionPolicy", "ValidatingAdmissionPolicyBinding",
                "ValidatingAdmissionPolicyBinding",
                // an ACTIVE_STANDBY pair's amphorae change their VIP's endpoints, nothing else
                "ValidatingAdmissionPolicy", "ValidatingAdmissionPolicyBinding");
        Deployment deployment = only(objects, Deployment.class);
        assertThat(deployment.getSpec().getReplicas()).isEqualTo(2);
        var container = deployment.getSpec().getTemplate().getSpec().getContainers().get(0);
        assertThat(container.getImage()).isEqualTo("localhost/lbaas/operator:" + appVersion());
        Map<String, String> env = container.getEnv().stream().filter(e -> e.getValue() != null)
                .collect(Collectors.toMap(e -> e.getName(), e -> e.getValue()));
        assertThat(env).containsEntry("LBAAS_DRIVER", "kubernetes").containsEntry("LBAAS_LEADER_ELECTION", "true")
                .containsEntry("LBAAS_KUBERNETES_AMPHORA_IMAGE", "localhost/lbaas/amphora:" + appVersion());
        assertThat(container.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
        assertThat(container.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");

        List<PolicyRule> rules = new ArrayList<>(only(objects, ClusterRole.class).getRules());
        rules.addAll(only(objects, Role.class).getRules());
        assertThat(rules).allSatisfy(rule -> {
            assertThat(rule.getVerbs()).doesNotContain("*", "escalate", "bind", "impersonate");
            assertThat(rule.getResources()).doesNotContain("*");
            assertThat(rule.getApiGroups()).doesNotContain("*");
        });
        // Secrets outside the operator's namespace: listeners' certificates read, agent certificates
        // written; a user's Secret is never changed.
        assertThat(only(objects, ClusterRole.class).getRules()).filteredOn(r -> r.getResources().contains("secrets"))
                .singleElement().satisfies(r -> assertThat(r.getVerbs()).doesNotContain("update", "patch"));
        assertThat(objects).filteredOn(o -> o.getKind().equals("ClusterRoleBinding")).singleElement()
                .satisfies(binding -> assertThat(((io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding) binding)
                        .getRoleRef().getName()).isEqualTo("lbaas"));

        HasMetadata lbClass = objects.stream().filter(o -> o.getKind().equals("LoadBalancerClass")).findFirst()
                .orElseThrow();
        assertThat(lbClass.getMetadata().getAnnotations()).containsEntry("lbaas.dev/is-default-class", "true");
    }

    @Test
    void valuesChangeWhatTheyName() throws Exception {
        List<HasMetadata> objects = template("--set", "operator.replicas=3", "--set", "image.amphora.tag=1.2.3",
                "--set", "image.amphora.repository=registry.example/lbaas/amphora", "--set",
                "metrics.serviceMonitor.enabled=true", "--set", "defaultClass.vipService.type=LoadBalancer",
                "--set", "defaultClass.amphora.resources.limits.memory=1Gi");
        Deployment deployment = only(objects, Deployment.class);
        assertThat(deployment.getSpec().getReplicas()).isEqualTo(3);
        assertThat(deployment.getSpec().getTemplate().getSpec().getContainers().get(0).getEnv())
                .anySatisfy(e -> {
                    assertThat(e.getName()).isEqualTo("LBAAS_KUBERNETES_AMPHORA_IMAGE");
                    assertThat(e.getValue()).isEqualTo("registry.example/lbaas/amphora:1.2.3");
                });
        assertThat(objects).extracting(HasMetadata::getKind).contains("ServiceMonitor");
        String rendered = render("--set", "defaultClass.vipService.type=LoadBalancer", "--set",
                "defaultClass.amphora.resources.limits.memory=1Gi");
        assertThat(rendered).contains("type: LoadBalancer").contains("memory: 1Gi");
        assertThat(render("--set", "defaultClass.topology=ACTIVE_STANDBY", "--set",
                "defaultClass.failover.advertIntervalMillis=200")).contains("topology: ACTIVE_STANDBY")
                .contains("failover:\n    advertIntervalMillis: 200");
        assertThat(render()).doesNotContain("failover:");
        assertThat(template("--set", "admissionPolicies.enabled=false")).extracting(HasMetadata::getKind)
                .doesNotContain("ValidatingAdmissionPolicy", "ValidatingAdmissionPolicyBinding");
    }

    @Test
    void theSchemaRefusesWhatTheOperatorCouldNotServe() throws Exception {
        assertRefused(List.of("--set", "defaultClass.vipService.type=ExternalName"), "'/defaultClass/vipService/type'",
                "'ClusterIP', 'NodePort', 'LoadBalancer'");
        assertRefused(List.of("--set", "defaultClass.topology=ACTIVE"), "'/defaultClass/topology'");
        assertRefused(List.of("--set", "defaultClass.failover.advertIntervalMillis=5"),
                "'/defaultClass/failover/advertIntervalMillis'");
        assertRefused(List.of("--set", "operator.replicas=0"), "'/operator/replicas'");
        assertRefused(List.of("--set", "image.operator.pullPolicy=Sometimes"), "'/image/operator/pullPolicy'");
        // A misspelt value is an error, not silently ignored.
        assertRefused(List.of("--set", "operator.replica=2"), "'/operator'", "'replica'");
    }

    private static void assertRefused(List<String> values, String... mentioned) throws Exception {
        List<String> command = new ArrayList<>(List.of(helm, "template", "lbaas", CHART.toString()));
        command.addAll(values);
        Result result = run(command);
        assertThat(result.exit()).as("helm template " + values + " must fail").isNotZero();
        assertThat(result.output()).contains("values don't meet the specifications of the schema").contains(mentioned);
    }

    private static String appVersion() throws IOException {
        return Files.readString(CHART.resolve("Chart.yaml")).lines().filter(l -> l.startsWith("appVersion:"))
                .findFirst().orElseThrow().replaceAll("appVersion:\\s*\"?([^\"]*)\"?", "$1").strip();
    }

    private static <T> T only(List<HasMetadata> objects, Class<T> type) {
        List<T> matching = objects.stream().filter(type::isInstance).map(type::cast).toList();
        assertThat(matching).as(type.getSimpleName()).hasSize(1);
        return matching.get(0);
    }

    private static List<HasMetadata> template(String... values) throws Exception {
        return yaml.load(new ByteArrayInputStream(render(values).getBytes(StandardCharsets.UTF_8))).items();
    }

    private static String render(String... values) throws Exception {
        List<String> command = new ArrayList<>(List.of(helm, "template", "lbaas", CHART.toString(), "--namespace",
                "lbaas-system"));
        command.addAll(List.of(values));
        Result result = run(command);
        assertThat(result.exit()).as(result.output()).isZero();
        return result.output();
    }

    private record Result(int exit, String output) {
    }

    private static Result run(List<String> command) throws Exception {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        byte[] out = process.getInputStream().readAllBytes();
        assertThat(process.waitFor(900, TimeUnit.SECONDS)).as(String.join(" ", command)).isTrue();
        return new Result(process.exitValue(), new String(out, StandardCharsets.UTF_8));
    }
}
