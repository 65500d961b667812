package dev.lbaas.amphora.health;

import static dev.lbaas.amphora.testing.Configs.config;
import static dev.lbaas.amphora.testing.Configs.freePort;
import static dev.lbaas.amphora.testing.Configs.listener;
import static dev.lbaas.amphora.testing.Configs.member;
import static dev.lbaas.amphora.testing.Configs.monitor;
import static dev.lbaas.amphora.testing.Configs.pool;
import static dev.lbaas.amphora.testing.CheckCounting.assertTransition;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.lbaas.amphora.config.HealthMonitorConfig;
import dev.lbaas.amphora.config.ListenerProtocol;
import dev.lbaas.amphora.config.MemberConfig;
import dev.lbaas.amphora.config.MemberHealth;
import dev.lbaas.amphora.config.MonitorType;
import dev.lbaas.amphora.config.PoolProtocol;
import dev.lbaas.amphora.testing.NamedHttpBackend;
import dev.lbaas.amphora.testing.RunningDataplane;
import dev.lbaas.amphora.testing.SwitchableTcpFront;
import dev.lbaas.amphora.testing.TlsHttpBackend;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Octavia's rise and fall counted check by check, for every monitor type that can be made to fail
 * and pass again on loopback: a member that is up goes down on exactly its maxRetriesDown-th failed
 * check in a row, and a member that is down comes back on exactly its maxRetries-th passed check in
 * a row. The amphora's record of each verdict is read, so no timing decides the outcome: checks run
 * as often as they like on a loaded machine, and the count is what is asserted.
 */
class RiseAndFallCountedIT {

    private static final String VIP = "127.1.3.6";
    private static final int RISE = 2;
    private static final int FALL = 3;
    private static final Duration PATIENCE = Duration.ofSeconds(15);

    /** A member that a test can make fail and pass its checks of one type. */
    interface Switchable extends AutoCloseable {
        MemberConfig config();

        void fail() throws Exception;

        void pass() throws Exception;
    }

    static Stream<MonitorType> types() {
        return Stream.of(MonitorType.TCP, MonitorType.HTTP, MonitorType.HTTPS, MonitorType.TLS_HELLO,
                MonitorType.UDP_CONNECT);
    }

    private static HealthMonitorConfig monitorOf(MonitorType type) {
        return switch (type) {
            case HTTP, HTTPS -> new HealthMonitorConfig("hm", type, 200, 150, RISE, FALL, "GET", "/health", "200",
                    "1.1", null, true);
            default -> monitor(type, 200, 150, RISE, FALL);
        };
    }

    private static Switchable switchable(MonitorType type) throws Exception {
        return switch (type) {
            case TCP -> {
                NamedHttpBackend web = new NamedHttpBackend("web");
                yield new Switchable() {
                    public MemberConfig config() {
                        return member("m", web.port(), 1);
                    }

                    public void fail() {
                        web.stop();
                    }

                    public void pass() throws IOException {
                        web.restart();
                    }

                    public void close() {
                        web.close();
                    }
                };
            }
            case HTTP -> {
                NamedHttpBackend web = new NamedHttpBackend("web");
                yield new Switchable() {
                    public MemberConfig config() {
                        return member("m", web.port(), 1);
                    }

                    public void fail() {
                        web.healthStatus.set(500);
                    }

                    public void pass() {
                        web.healthStatus.set(200);
                    }

                    public void close() {
                        web.close();
                    }
                };
            }
            case HTTPS -> {
                TlsHttpBackend web = new TlsHttpBackend();
                yield new Switchable() {
                    public MemberConfig config() {
                        return member("m", web.port(), 1);
                    }

                    public void fail() {
                        web.healthStatus.set(503);
                    }

                    public void pass() {
                        web.healthStatus.set(200);
                    }

                    public void close() {
                        web.close();
                    }
                };
            }
            case TLS_HELLO -> {
                TlsHttpBackend web = new TlsHttpBackend();
                SwitchableTcpFront front = new SwitchableTcpFront(web.port());
                yield new Switchable() {
                    public MemberConfig config() {
                        return member("m", front.port(), 1);
                    }

                    public void fail() {
                        front.passing(false);
                    }

                    public void pass() {
                        front.passing(true);
                    }

                    public void close() throws IOException {
                        front.close();
                        web.close();
                    }
                };
            }
            case UDP_CONNECT -> {
                int udpPort;
                try (DatagramSocket probe = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
                    udpPort = probe.getLocalPort();
                }
                // the traffic port is a closed TCP port: only the monitor port is checked
                int closedTcpPort = freePort("127.0.0.1");
                yield new Switchable() {
                    private DatagramSocket open = new DatagramSocket(new InetSocketAddress("127.0.0.1", udpPort));

                    public MemberConfig config() {
                        return member("m", "127.0.0.1", closedTcpPort, null, udpPort);
                    }

                    public void fail() {
                        open.close();
                    }

                    public void pass() throws IOException {
                        open = new DatagramSocket(new InetSocketAddress("127.0.0.1", udpPort));
                    }

                    public void close() {
                        open.close();
                    }
                };
            }
            default -> throw new IllegalArgumentException(type.toString());
        };
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("types")
    void downOnExactlyTheFallthFailureAndUpOnExactlyTheRisethSuccess(MonitorType type) throws Exception {
        try (RunningDataplane amphora = new RunningDataplane(); Switchable member = switchable(type)) {
            amphora.apply(config(1, VIP, List.of(), pool("p", PoolProtocol.TCP, monitorOf(type), member.config())));
            await().atMost(PATIENCE).until(() -> amphora.health("m") == MemberHealth.UP);
            CheckRecord first = amphora.checks("m").get(0);
            assertThat(first.sequence()).isEqualTo(1);
            assertThat(first.healthAfter()).as("the first check decides directly")
                    .isEqualTo(first.passed() ? MemberHealth.UP : MemberHealth.DOWN);

            member.fail();
            await().atMost(PATIENCE).until(() -> amphora.health("m") == MemberHealth.DOWN);
            assertTransition(amphora.checks("m"), MemberHealth.UP, MemberHealth.DOWN, false, FALL);

            member.pass();
            await().atMost(PATIENCE).until(() -> amphora.health("m") == MemberHealth.UP);
            assertTransition(amphora.checks("m"), MemberHealth.DOWN, MemberHealth.UP, true, RISE);
        }
    }

    @Test
    void aRefusedConnectionTakesAMemberDownAtOnceAndItsChecksBringItBackOnTheRisethSuccess() throws Exception {
        try (RunningDataplane amphora = new RunningDataplane(); NamedHttpBackend web = new NamedHttpBackend("web")) {
            int port = freePort(VIP);
            // Checks far apart, so that the refused request comes before the monitor could have seen the member fall.
            amphora.apply(config(1, VIP, List.of(listener("l", ListenerProtocol.HTTP, port, "p")),
                    pool("p", PoolProtocol.HTTP, monitor(MonitorType.TCP, 2_000, 1_000, RISE, FALL),
                            member("m", web.port(), 1))));
            await().atMost(PATIENCE).until(() -> amphora.health("m") == MemberHealth.UP);

            web.stop();
            HttpResponse<String> refused = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://" + VIP + ":" + port + "/")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(refused.statusCode()).isEqualTo(503);
            assertThat(amphora.health("m")).isEqualTo(MemberHealth.DOWN);
            List<CheckRecord> checks = amphora.checks("m");
            CheckRecord fall = checks.stream().filter(c -> c.healthAfter() == MemberHealth.DOWN).findFirst().orElseThrow();
            assertThat(fall.passive()).as("the refused connection, not a check, took it down: " + checks).isTrue();
            assertThat(checks.get(checks.indexOf(fall) - 1).healthAfter()).isEqualTo(MemberHealth.UP);

            web.restart();
            await().atMost(PATIENCE).until(() -> amphora.health("m") == MemberHealth.UP);
            assertTransition(amphora.checks("m"), MemberHealth.DOWN, MemberHealth.UP, true, RISE);
        }
    }
}
