package dev.lbaas.helm;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The Argo CD health checks of every lbaas.dev kind, run as Argo CD runs them (gopher-lua, the
 * libraries argocd-cm scripts get, the object as the global {@code obj}) against their
 * health_test.yaml cases: healthy, progressing, degraded, stale observedGeneration, no status.
 */
class ArgoCdHealthTest {

    private static final Path PROJECT = Path.of(System.getProperty("lbaas.project.dir", "..")).toAbsolutePath();
    private static final Path CHECKS = PROJECT.resolve("helm/argocd/resource_customizations/lbaas.dev");
    private static final List<String> KINDS_WITH_STATUS = List.of("LoadBalancer", "Listener", "Pool", "Member",
            "HealthMonitor", "L7Policy", "L7Rule");

    @Test
    void everyCaseGivesTheHealthItsTestExpects() throws Exception {
        Process process = new ProcessBuilder("bash", PROJECT.resolve("scripts/argocd-health.sh").toString(), "test")
                .redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(900, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(output).isZero();
        assertThat(output).contains("0 failed");
        for (String kind : KINDS_WITH_STATUS) {
            for (String testCase : List.of("healthy", "progressing", "degraded", "stale-observed-generation",
                    "no-status")) {
                assertThat(output).as(kind + " " + testCase)
                        .contains("PASS lbaas.dev/" + kind + "/testdata/" + testCase + ".yaml");
            }
        }
        assertThat(output).contains("PASS lbaas.dev/LoadBalancerClass/testdata/standard.yaml: Healthy");
    }

    @Test
    void everyKindWithAStatusHasTheSameCheck() throws Exception {
        String first = Files.readString(CHECKS.resolve(KINDS_WITH_STATUS.get(0)).resolve("health.lua"));
        for (String kind : KINDS_WITH_STATUS) {
            assertThat(Files.readString(CHECKS.resolve(kind).resolve("health.lua")))
                    .as(kind + "/health.lua must be the same check as " + KINDS_WITH_STATUS.get(0) + "'s").isEqualTo(first);
        }
    }
}
