package dev.lbaas.amphora.health;

import static dev.lbaas.amphora.testing.Configs.config;
import static dev.lbaas.amphora.testing.Configs.freePort;
import static dev.lbaas.amphora.testing.Configs.member;
import static dev.lbaas.amphora.testing.Configs.monitor;
import static dev.lbaas.amphora.testing.Configs.pool;
import static org.awaitility.Awaitility.await;

import dev.lbaas.amphora.config.MemberHealth;
import dev.lbaas.amphora.config.MonitorType;
import dev.lbaas.amphora.config.PoolProtocol;
import dev.lbaas.amphora.testing.RunningDataplane;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** UDP-CONNECT against a real UDP socket on loopback, where the kernel answers a closed port with ICMP. */
class UdpConnectMonitorIT {

    private static final String VIP = "127.1.3.4";

    @Test
    void aClosedPortIsDownAndAListeningSocketIsUpEvenWhenItNeverAnswers() throws Exception {
        int udpPort;
        try (DatagramSocket probe = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            udpPort = probe.getLocalPort();
        }
        try (RunningDataplane amphora = new RunningDataplane()) {
            // the traffic port is a closed TCP port: only the monitor port is checked
            amphora.apply(config(1, VIP, List.of(), pool("p", PoolProtocol.TCP,
                    monitor(MonitorType.UDP_CONNECT, 400, 250, 1, 1),
                    member("m", "127.0.0.1", freePort("127.0.0.1"), null, udpPort))));
            await().atMost(Duration.ofSeconds(10)).until(() -> amphora.health("m") == MemberHealth.DOWN);

            try (DatagramSocket silent = new DatagramSocket(new InetSocketAddress("127.0.0.1", udpPort))) {
                await().atMost(Duration.ofSeconds(10)).until(() -> amphora.health("m") == MemberHealth.UP);
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> amphora.health("m") == MemberHealth.DOWN);
        }
    }

    @Test
    void anAnswerPassesAtOnce() throws Exception {
        try (RunningDataplane amphora = new RunningDataplane();
                DatagramSocket echo = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            Thread echoing = new Thread(() -> {
                byte[] buffer = new byte[64];
                while (!echo.isClosed()) {
                    try {
                        DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
                        echo.receive(packet);
                        echo.send(new DatagramPacket(packet.getData(), packet.getLength(), packet.getSocketAddress()));
                    } catch (IOException e) {
                        return;
                    }
                }
            });
            echoing.start();
            // a timeout longer than the test waits: only an answer can make the member UP in time
            amphora.apply(config(1, VIP, List.of(), pool("p", PoolProtocol.TCP,
                    monitor(MonitorType.UDP_CONNECT, 10_000, 5_000, 1, 1),
                    member("m", "127.0.0.1", 9, null, echo.getLocalPort()))));
            await().atMost(Duration.ofSeconds(10)).until(() -> amphora.health("m") == MemberHealth.UP);
            echo.close();
            echoing.join(1_000);
        }
    }
}
