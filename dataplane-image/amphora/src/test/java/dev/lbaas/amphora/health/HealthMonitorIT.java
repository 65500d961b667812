package dev.lbaas.amphora.health;

import static dev.lbaas.amphora.testing.Configs.config;
import static dev.lbaas.amphora.testing.Configs.freePort;
import static dev.lbaas.amphora.testing.Configs.listener;
import static dev.lbaas.amphora.testing.Configs.member;
import static dev.lbaas.amphora.testing.Configs.monitor;
import static dev.lbaas.amphora.testing.Configs.pool;
import static dev.lbaas.amphora.testing.Configs.tcpMonitor;
import static dev.lbaas.amphora.testing.CheckCounting.assertTransition;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.lbaas.amphora.config.HealthMonitorConfig;
import dev.lbaas.amphora.config.ListenerProtocol;
import dev.lbaas.amphora.config.MemberHealth;
import dev.lbaas.amphora.config.MonitorType;
import dev.lbaas.amphora.config.PoolProtocol;
import dev.lbaas.amphora.runtime.ApplyResult;
import dev.lbaas.amphora.testing.NamedHttpBackend;
import dev.lbaas.amphora.testing.RunningDataplane;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class HealthMonitorIT {

    private static final String VIP = "127.1.3.1";

    @Test
    void tcpMonitorTakesAStoppedMemberDownAfterMaxRetriesDownAndBackUpAfterMaxRetries() throws Exception {
        try (RunningDataplane amphora = new RunningDataplane();
                NamedHttpBackend web1 = new NamedHttpBackend("web1");
                NamedHttpBackend web2 = new NamedHttpBackend("web2")) {
            int port = freePort(VIP);
            amphora.apply(config(1, VIP, List.of(listener("l", ListenerProtocol.HTTP, port, "p")),
                    pool("p", PoolProtocol.HTTP, tcpMonitor(500, 400, 2, 3),
                            member("m1", web1.port(), 1), member("m2", web2.port(), 1))));
            await().atMost(Duration.ofSeconds(10)).until(() -> amphora.health("m1") == MemberHealth.UP
                    && amphora.health("m2") == MemberHealth.UP);

            web2.stop();
            await().atMost(Duration.ofSeconds(15)).until(() -> amphora.health("m2") == MemberHealth.DOWN);
            assertTransition(amphora.checks("m2"), MemberHealth.UP, MemberHealth.DOWN, false, 3);

            HttpClient http = HttpClient.newHttpClient();
            for (int i = 0; i < 4; i++) {
                HttpResponse<String> response = http.send(
                        HttpRequest.newBuilder(URI.create("http://" + VIP + ":" + port + "/")).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(response.body()).isEqualTo("web1");
            }

            web2.restart();
            await().atMost(Duration.ofSeconds(15)).until(() -> amphora.health("m2") == MemberHealth.UP);
            assertTransition(amphora.checks("m2"), MemberHealth.DOWN, MemberHealth.UP, true, 2);
        }
    }

    @Test
    void httpMonitorChecksTheStatusCode() throws Exception {
        try (RunningDataplane amphora = new RunningDataplane(); NamedHttpBackend web = new NamedHttpBackend("web")) {
            HealthMonitorConfig monitor = new HealthMonitorConfig("hm", MonitorType.HTTP, 300, 200, 1, 1,
                    "GET", "/health", "200-204", "1.1", "health.example", true);
            amphora.apply(config(1, VIP, List.of(), pool("p", PoolProtocol.HTTP, monitor, member("m", web.port(), 1))));
            await().atMost(Duration.ofSeconds(10)).until(() -> amphora.health("m") == MemberHealth.UP);
            web.healthStatus.set(500);
            await().atMost(Duration.ofSeconds(10)).until(() -> amphora.health("m") == MemberHealth.DOWN);
            web.healthStatus.set(204);
            await().atMost(Duration.ofSeconds(10)).until(() -> amphora.health("m") == MemberHealth.UP);
        }
    }

    @Test
    void healthSurvivesAnUnrelatedReconfiguration() throws Exception {
        try (RunningDataplane amphora = new RunningDataplane(); NamedHttpBackend web = new NamedHttpBackend("web")) {
            var monitored = pool("p", PoolProtocol.HTTP, tcpMonitor(10_000, 1_000, 3, 3), member("m", web.port(), 1));
            amphora.apply(config(1, VIP, List.of(), monitored));
            await().atMost(Duration.ofSeconds(10)).until(() -> amphora.health("m") == MemberHealth.UP);
            web.stop();
            List<CheckRecord> before = amphora.checks("m");
            amphora.apply(config(2, VIP, List.of(listener("l", ListenerProtocol.HTTP, freePort(VIP), "p")), monitored));
            // The same monitor goes on: a restarted one would start a new record and check at once, and
            // its first failure would decide DOWN.
            assertThat(amphora.checks("m")).isEqualTo(before);
            assertThat(before).isNotEmpty();
            assertThat(amphora.health("m")).isEqualTo(MemberHealth.UP);
        }
    }

    @Test
    void sctpMonitorIsRefusedWholeBecauseThePlatformHasNoSctp() {
        try (RunningDataplane amphora = new RunningDataplane()) {
            ApplyResult result = amphora.dataplane.apply(config(1, VIP, List.of(), pool("p", PoolProtocol.TCP,
                    monitor(MonitorType.SCTP, 1_000, 500, 1, 1), member("m", 9, 1))));
            assertThat(result).isEqualTo(new ApplyResult.Rejected("pools[p].healthMonitor.type: "
                    + "SCTP is not available on this platform (its kernel has no SCTP support)"));
            assertThat(amphora.dataplane.appliedGeneration()).isZero();
        }
    }
}
