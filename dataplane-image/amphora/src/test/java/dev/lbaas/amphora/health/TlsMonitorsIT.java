package dev.lbaas.amphora.health;

import static dev.lbaas.amphora.testing.Configs.config;
import static dev.lbaas.amphora.testing.Configs.freePort;
import static dev.lbaas.amphora.testing.Configs.member;
import static dev.lbaas.amphora.testing.Configs.monitor;
import static dev.lbaas.amphora.testing.Configs.pool;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.lbaas.amphora.config.HealthMonitorConfig;
import dev.lbaas.amphora.config.MemberHealth;
import dev.lbaas.amphora.config.MonitorType;
import dev.lbaas.amphora.config.PoolProtocol;
import dev.lbaas.amphora.testing.NamedHttpBackend;
import dev.lbaas.amphora.testing.NamedTcpBackend;
import dev.lbaas.amphora.testing.RunningDataplane;
import dev.lbaas.amphora.testing.TlsHttpBackend;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** HTTPS and TLS-HELLO monitors against a real TLS member with a self-signed certificate. */
class TlsMonitorsIT {

    private static final String VIP = "127.1.3.2";

    @Test
    void httpsMonitorSendsHostAndSniAndAcceptsAListOfCodesWithoutTrustingTheCertificate() throws Exception {
        try (RunningDataplane amphora = new RunningDataplane(); TlsHttpBackend member = new TlsHttpBackend()) {
            HealthMonitorConfig https = new HealthMonitorConfig("hm", MonitorType.HTTPS, 300, 200, 1, 1,
                    "GET", "/health", "200, 202", "1.1", "health.example", true);
            amphora.apply(config(1, VIP, List.of(), pool("p", PoolProtocol.HTTPS, https,
                    member("m", member.port(), 1))));
            await().atMost(Duration.ofSeconds(10)).until(() -> amphora.health("m") == MemberHealth.UP);
            assertThat(member.seenHosts).contains("health.example");
            assertThat(member.seenServerNames).contains("health.example");

            member.healthStatus.set(500);
            await().atMost(Duration.ofSeconds(10)).until(() -> amphora.health("m") == MemberHealth.DOWN);
            member.healthStatus.set(202);
            await().atMost(Duration.ofSeconds(10)).until(() -> amphora.health("m") == MemberHealth.UP);
            member.healthStatus.set(201);
            await().atMost(Duration.ofSeconds(10)).until(() -> amphora.health("m") == MemberHealth.DOWN);
        }
    }

    @Test
    void httpsMonitorAcceptsARangeOverHttp10AndFailsOnAPlainHttpMember() throws Exception {
        try (RunningDataplane amphora = new RunningDataplane(); TlsHttpBackend tls = new TlsHttpBackend();
                NamedHttpBackend plain = new NamedHttpBackend("plain")) {
            HealthMonitorConfig https = new HealthMonitorConfig("hm", MonitorType.HTTPS, 300, 200, 1, 1,
                    "HEAD", "/health", "200-204", "1.0", null, true);
            tls.healthStatus.set(204);
            amphora.apply(config(1, VIP, List.of(), pool("p", PoolProtocol.HTTPS, https,
                    member("tls", tls.port(), 1), member("plain", plain.port(), 1),
                    // nothing serves the traffic address and port; the monitor address and port do
                    member("tls-at-monitor-port", "127.0.0.9", freePort("127.0.0.1"), "127.0.0.1", tls.port()))));
            await().atMost(Duration.ofSeconds(10)).until(() -> amphora.health("tls") == MemberHealth.UP
                    && amphora.health("tls-at-monitor-port") == MemberHealth.UP
                    && amphora.health("plain") == MemberHealth.DOWN);
            // HTTP/1.0 sends no Host header, and without a domain name there is nothing to send as SNI
            assertThat(tls.seenHosts).containsOnly("null");
            assertThat(tls.seenServerNames).isEmpty();

            tls.healthStatus.set(205);
            await().atMost(Duration.ofSeconds(10)).until(() -> amphora.health("tls") == MemberHealth.DOWN);
        }
    }

    @Test
    void tlsHelloPassesOnACompletedHandshakeOnlyAndChecksTheMonitorAddressAndPort() throws Exception {
        try (RunningDataplane amphora = new RunningDataplane(); TlsHttpBackend tls = new TlsHttpBackend();
                NamedTcpBackend plain = new NamedTcpBackend("plain")) {
            int closed = freePort("127.0.0.1");
            amphora.apply(config(1, VIP, List.of(), pool("p", PoolProtocol.HTTPS,
                    monitor(MonitorType.TLS_HELLO, 300, 200, 1, 1),
                    member("tls", tls.port(), 1),
                    member("plain", plain.port(), 1),
                    member("absent", closed, 1),
                    // nothing serves the traffic address; the monitor address and port serve TLS
                    member("tls-behind-monitor-port", "127.0.0.9", closed, "127.0.0.1", tls.port()),
                    // the traffic port serves TLS; the monitor port does not
                    member("plain-monitor-port", "127.0.0.1", tls.port(), null, plain.port()))));
            await().atMost(Duration.ofSeconds(10)).until(() -> amphora.health("tls") == MemberHealth.UP
                    && amphora.health("tls-behind-monitor-port") == MemberHealth.UP
                    && amphora.health("plain") == MemberHealth.DOWN
                    && amphora.health("absent") == MemberHealth.DOWN
                    && amphora.health("plain-monitor-port") == MemberHealth.DOWN);
        }
    }
}
