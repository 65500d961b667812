package dev.lbaas.amphora.health;

import static dev.lbaas.amphora.testing.Configs.config;
import static dev.lbaas.amphora.testing.Configs.freePort;
import static dev.lbaas.amphora.testing.Configs.listener;
import static dev.lbaas.amphora.testing.Configs.member;
import static dev.lbaas.amphora.testing.Configs.pool;
import static dev.lbaas.amphora.testing.Configs.tcpMonitor;
import static dev.lbaas.amphora.testing.CheckCounting.assertTransition;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.lbaas.amphora.config.ListenerProtocol;
import dev.lbaas.amphora.config.MemberHealth;
import dev.lbaas.amphora.config.PoolConfig;
import dev.lbaas.amphora.config.PoolProtocol;
import dev.lbaas.amphora.testing.NamedHttpBackend;
import dev.lbaas.amphora.testing.NamedTcpBackend;
import dev.lbaas.amphora.testing.RunningDataplane;
import java.io.IOException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Passive detection: a member that fails a proxied connection is out of rotation at once, its
 * client is served by another member, and the member is reported DOWN before any monitor could
 * have noticed.
 */
class PassiveHealthIT {

    private static final String VIP = "127.1.3.5";

    private final HttpClient http = HttpClient.newHttpClient();

    private String get(int port) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(
                HttpRequest.newBuilder(URI.create("http://" + VIP + ":" + port + "/")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        return response.body();
    }

    @Test
    void withAMonitorARefusingMemberIsDownAtOnceAndComesBackOnlyThroughTheMonitor() throws Exception {
        try (RunningDataplane amphora = new RunningDataplane();
                NamedHttpBackend web1 = new NamedHttpBackend("web1");
                NamedHttpBackend web2 = new NamedHttpBackend("web2")) {
            int port = freePort(VIP);
            // checks 2 s apart: the monitor alone would need three failed ones to notice a dead member
            amphora.apply(config(1, VIP, List.of(listener("l", ListenerProtocol.HTTP, port, "p")),
                    pool("p", PoolProtocol.HTTP, tcpMonitor(2_000, 500, 2, 3),
                            member("m1", web1.port(), 1), member("m2", web2.port(), 1))));
            await().atMost(Duration.ofSeconds(10)).until(() -> amphora.health("m1") == MemberHealth.UP
                    && amphora.health("m2") == MemberHealth.UP);
            long versionBefore = amphora.dataplane.healthVersion();

            web2.stop();
            for (int i = 0; i < 6; i++) {
                assertThat(get(port)).isEqualTo("web1");
            }
            assertThat(amphora.health("m2")).isEqualTo(MemberHealth.DOWN);
            List<CheckRecord> checks = amphora.checks("m2");
            CheckRecord fall = checks.stream().filter(c -> c.healthAfter() == MemberHealth.DOWN).findFirst().orElseThrow();
            assertThat(fall.passive()).as("a refused connection, not the monitor, took it down: " + checks).isTrue();
            assertThat(amphora.dataplane.healthVersion()).isGreaterThan(versionBefore);

            web2.restart();
            // up again, but back in rotation only once the monitor has seen it rise: maxRetries passed checks
            await().atMost(Duration.ofSeconds(15)).until(() -> amphora.health("m2") == MemberHealth.UP);
            assertTransition(amphora.checks("m2"), MemberHealth.DOWN, MemberHealth.UP, true, 2);
            await().atMost(Duration.ofSeconds(10)).until(() -> get(port).equals("web2"));
        }
    }

    @Test
    void withoutAMonitorARefusingMemberIsDownUntilTheAmphoraCanConnectToItAgain() throws Exception {
        try (RunningDataplane amphora = new RunningDataplane();
                NamedHttpBackend web1 = new NamedHttpBackend("web1");
                NamedHttpBackend web2 = new NamedHttpBackend("web2")) {
            int port = freePort(VIP);
            amphora.apply(config(1, VIP, List.of(listener("l", ListenerProtocol.HTTP, port, "p")),
                    pool("p", PoolProtocol.HTTP, null, member("m1", web1.port(), 1), member("m2", web2.port(), 1))));
            assertThat(amphora.health("m2")).isEqualTo(MemberHealth.NO_MONITOR);

            web2.stop();
            for (int i = 0; i < 6; i++) {
                assertThat(get(port)).isEqualTo("web1");
            }
            assertThat(amphora.health("m2")).isEqualTo(MemberHealth.DOWN);

            web2.restart();
            // the first retry comes 1 s after the failure, the next ones later and later
            await().atMost(Duration.ofSeconds(15)).until(() -> amphora.health("m2") == MemberHealth.NO_MONITOR);
            await().atMost(Duration.ofSeconds(10)).until(() -> get(port).equals("web2"));
        }
    }

    @Test
    void aReconfigurationKeepsThePassiveStateOfAnUnchangedMemberAndForgetsItForAMovedOne() throws Exception {
        try (RunningDataplane amphora = new RunningDataplane();
                NamedHttpBackend web1 = new NamedHttpBackend("web1");
                NamedHttpBackend web2 = new NamedHttpBackend("web2");
                NamedHttpBackend web3 = new NamedHttpBackend("web3")) {
            int port = freePort(VIP);
            PoolConfig pool = pool("p", PoolProtocol.HTTP, null, member("m1", web1.port(), 1),
                    member("m2", web2.port(), 1));
            amphora.apply(config(1, VIP, List.of(listener("l", ListenerProtocol.HTTP, port, "p")), pool));
            web2.stop();
            for (int i = 0; i < 4; i++) {
                assertThat(get(port)).isEqualTo("web1");
            }
            assertThat(amphora.health("m2")).isEqualTo(MemberHealth.DOWN);

            // an unrelated change (one more listener) keeps what traffic taught about m2
            amphora.apply(config(2, VIP, List.of(listener("l", ListenerProtocol.HTTP, port, "p"),
                    listener("l2", ListenerProtocol.HTTP, freePort(VIP), "p")), pool));
            assertThat(amphora.health("m2")).isEqualTo(MemberHealth.DOWN);
            for (int i = 0; i < 4; i++) {
                assertThat(get(port)).isEqualTo("web1");
            }

            // m2 moved to another port: what was learnt about the old one no longer applies
            amphora.apply(config(3, VIP, List.of(listener("l", ListenerProtocol.HTTP, port, "p")),
                    pool("p", PoolProtocol.HTTP, null, member("m1", web1.port(), 1), member("m2", web3.port(), 1))));
            assertThat(amphora.health("m2")).isEqualTo(MemberHealth.NO_MONITOR);
            await().atMost(Duration.ofSeconds(10)).until(() -> get(port).equals("web3"));
        }
    }

    @Test
    void aTcpListenerServesEveryClientFromTheLiveMemberWhenTheOtherRefuses() throws Exception {
        try (RunningDataplane amphora = new RunningDataplane(); NamedTcpBackend live = new NamedTcpBackend("live")) {
            int port = freePort(VIP);
            amphora.apply(config(1, VIP, List.of(listener("l", ListenerProtocol.TCP, port, "p")),
                    pool("p", PoolProtocol.TCP, null,
                            member("dead", freePort("127.0.0.1"), 1), member("live", live.port(), 1))));
            for (int i = 0; i < 4; i++) {
                try (Socket client = new Socket(VIP, port)) {
                    client.setSoTimeout(5_000);
                    byte[] greeting = client.getInputStream().readNBytes("live\n".length());
                    assertThat(new String(greeting, StandardCharsets.UTF_8)).isEqualTo("live\n");
                }
            }
            assertThat(amphora.health("dead")).isEqualTo(MemberHealth.DOWN);
            assertThat(amphora.health("live")).isEqualTo(MemberHealth.NO_MONITOR);
        }
    }
}
