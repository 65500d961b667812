package dev.lbaas.amphora.health;

import dev.lbaas.amphora.Transport;
import static dev.lbaas.amphora.testing.Configs.config;
import static dev.lbaas.amphora.testing.Configs.freePort;
import static dev.lbaas.amphora.testing.Configs.member;
import static dev.lbaas.amphora.testing.Configs.monitor;
import static dev.lbaas.amphora.testing.Configs.pool;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.lbaas.amphora.config.MemberHealth;
import dev.lbaas.amphora.config.MonitorType;
import dev.lbaas.amphora.config.PoolProtocol;
import dev.lbaas.amphora.testing.RunningDataplane;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.Promise;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * PING monitors. The amphora pings with ICMP where it may (root here) and with a TCP connection
 * to the monitor port where it may not; both methods are run explicitly below.
 */
class PingMonitorIT {

    private static final String VIP = "127.1.3.3";
    /** TEST-NET-2, reserved for documentation: nothing answers there. */
    private static final String SILENT_HOST = "198.51.100.1";

    @Test
    void aLoopbackAddressIsUpAndAnAddressThatDoesNotAnswerIsDown() throws Exception {
        // without ICMP the silent host would be checked over TCP, which some networks answer for it
        Assumptions.assumeTrue(PingMethod.detect() == PingMethod.ICMP_ECHO, "this process may not send ICMP");
        try (RunningDataplane amphora = new RunningDataplane()) {
            int closed = freePort("127.0.0.1");
            amphora.apply(config(1, VIP, List.of(), pool("p", PoolProtocol.TCP,
                    monitor(MonitorType.PING, 1_500, 1_000, 1, 1),
                    member("loopback", "127.0.0.1", closed, null, null),
                    member("silent", SILENT_HOST, closed, null, null),
                    // checked at the monitor address, whatever the traffic address
                    member("silent-but-monitored-on-loopback", SILENT_HOST, closed, "127.0.0.1", null))));
            await().atMost(Duration.ofSeconds(5)).until(() -> amphora.health("loopback") == MemberHealth.UP
                    && amphora.health("silent-but-monitored-on-loopback") == MemberHealth.UP
                    && amphora.health("silent") == MemberHealth.DOWN);
        }
    }

    @Test
    void icmpEchoRunsOffTheEventLoopWithinTheTimeout() throws Exception {
        Assumptions.assumeTrue(PingMethod.detect() == PingMethod.ICMP_ECHO, "this process may not send ICMP");
        EventLoopGroup group = Transport.CURRENT.newEventLoopGroup(1);
        ExecutorService probes = Executors.newCachedThreadPool();
        try {
            HealthCheck ping = new HealthCheck.IcmpEcho(probes);
            assertThat(run(group.next(), ping, "127.0.0.1", 0, 1_000)).isTrue();

            long timeoutMillis = 800;
            long started = System.nanoTime();
            EventLoop loop = group.next();
            Promise<Boolean> silent = loop.newPromise();
            loop.submit(() -> ping.start(loop, new InetSocketAddress(SILENT_HOST, 0), timeoutMillis, silent)).get();
            // the event loop is free again at once, while the echo waits for its timeout elsewhere
            assertThat(loop.submit(() -> true).get(5, TimeUnit.SECONDS)).isTrue();
            assertThat(silent.get(10, TimeUnit.SECONDS)).isFalse();
            // The promise is the monitor's timeout: not given up before it (less 50 ms of clock
            // granularity), and answered soon after it (3 s of slack for a loaded machine).
            assertThat((System.nanoTime() - started) / 1_000_000).isBetween(timeoutMillis - 50, timeoutMillis + 3_000);
        } finally {
            probes.shutdownNow();
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
        }
    }

    @Test
    void withoutIcmpAnOpenedOrRefusedConnectionToTheMonitorPortMeansAliveAndSilenceMeansDown() throws Exception {
        EventLoopGroup group = Transport.CURRENT.newEventLoopGroup(1);
        List<Socket> queued = new ArrayList<>();
        try (ServerSocket listening = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"));
                ServerSocket silent = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            HealthCheck fallback = HealthCheck.of(monitor(MonitorType.PING, 1_500, 1_000, 1, 1),
                    PingMethod.TCP_CONNECT, Runnable::run);
            assertThat(fallback).isInstanceOf(HealthCheck.TcpReachability.class);
            assertThat(run(group.next(), fallback, "127.0.0.1", listening.getLocalPort(), 1_000)).isTrue();
            assertThat(run(group.next(), fallback, "127.0.0.1", freePort("127.0.0.1"), 1_000)).isTrue();

            // A peer that never answers the connection request, as a dead host: the kernel drops
            // connection requests to a socket whose accept queue is full.
            while (true) {
                Socket socket = new Socket();
                queued.add(socket);
                try {
                    socket.connect(silent.getLocalSocketAddress(), 300);
                } catch (SocketTimeoutException e) {
                    break;
                }
            }
            assertThat(run(group.next(), fallback, "127.0.0.1", silent.getLocalPort(), 500)).isFalse();
        } finally {
            for (Socket socket : queued) {
                socket.close();
            }
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
        }
    }

    @Test
    void theMethodFollowsTheNetRawCapability() {
        assertThat(PingMethod.fromProcStatus(List.of("Name:\tjava", "CapEff:\t000001fffeffffff")))
                .isEqualTo(PingMethod.ICMP_ECHO);
        // a container's default set without NET_RAW (bit 13)
        assertThat(PingMethod.fromProcStatus(List.of("CapEff:\t00000000a80405fb"))).isEqualTo(PingMethod.TCP_CONNECT);
        assertThat(PingMethod.fromProcStatus(List.of("CapEff:\t0000000000000000"))).isEqualTo(PingMethod.TCP_CONNECT);
    }

    /** One check, as the monitor runs it: started on the loop, bounded by the timeout. */
    private static boolean run(EventLoop loop, HealthCheck check, String host, int port, long timeoutMillis)
            throws Exception {
        Promise<Boolean> outcome = loop.newPromise();
        loop.execute(() -> {
            Runnable release = check.start(loop, new InetSocketAddress(host, port), timeoutMillis, outcome);
            loop.schedule(() -> outcome.trySuccess(check.passesWhenSilent()), timeoutMillis, TimeUnit.MILLISECONDS);
            outcome.addListener(done -> release.run());
        });
        return outcome.get(timeoutMillis + 2_000, TimeUnit.MILLISECONDS);
    }
}
