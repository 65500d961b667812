package dev.lbaas.amphora.proxy;

import static dev.lbaas.amphora.testing.Configs.config;
import static dev.lbaas.amphora.testing.Configs.freePort;
import static dev.lbaas.amphora.testing.Configs.listener;
import static dev.lbaas.amphora.testing.Configs.member;
import static dev.lbaas.amphora.testing.Configs.pool;
import static org.assertj.core.api.Assertions.assertThat;

import dev.lbaas.amphora.config.ListenerProtocol;
import dev.lbaas.amphora.config.PoolProtocol;
import dev.lbaas.amphora.config.TrafficStats;
import dev.lbaas.amphora.testing.NamedTcpBackend;
import dev.lbaas.amphora.testing.RunningDataplane;
import java.io.BufferedReader;
import java.io.DataInputStream;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class TcpProxyIT {

    private static final String VIP = "127.1.2.1";

    /** Reads the greeting line byte by byte, so that nothing after it is buffered away. */
    static String greeting(Socket socket) throws Exception {
        StringBuilder line = new StringBuilder();
        int b;
        while ((b = socket.getInputStream().read()) != '\n') {
            assertThat(b).isNotNegative();
            line.append((char) b);
        }
        return line.toString();
    }

    @Test
    void largeTransferArrivesIntactAndIsCounted() throws Exception {
        try (RunningDataplane amphora = new RunningDataplane(); NamedTcpBackend echo = new NamedTcpBackend("echo")) {
            int port = freePort(VIP);
            amphora.apply(config(1, VIP, List.of(listener("l", ListenerProtocol.TCP, port, "p")),
                    pool("p", PoolProtocol.TCP, null, member("m", echo.port(), 1))));
            byte[] payload = new byte[8 * 1024 * 1024];
            new Random(1).nextBytes(payload);
            try (Socket socket = new Socket(VIP, port)) {
                socket.setSoTimeout(10_000);
                assertThat(greeting(socket)).isEqualTo("echo");
                CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
                    try {
                        socket.getOutputStream().write(payload);
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                });
                byte[] back = new byte[payload.length];
                new DataInputStream(socket.getInputStream()).readFully(back);
                writer.join();
                assertThat(back).isEqualTo(payload);
            }
            TrafficStats stats = amphora.dataplane.status().listeners().get(0).stats();
            assertThat(stats.bytesIn()).isEqualTo(payload.length);
            assertThat(stats.bytesOut()).isEqualTo(payload.length + "echo\n".length());
            assertThat(stats.totalConnections()).isEqualTo(1);
        }
    }

    @Test
    void aMemberRefusingConnectionsIsSkipped() throws Exception {
        int deadPort;
        try (ServerSocket probe = new ServerSocket()) {
            probe.bind(new InetSocketAddress("127.0.0.1", 0));
            deadPort = probe.getLocalPort();
        }
        try (RunningDataplane amphora = new RunningDataplane(); NamedTcpBackend alive = new NamedTcpBackend("alive")) {
            int port = freePort(VIP);
            amphora.apply(config(1, VIP, List.of(listener("l", ListenerProtocol.TCP, port, "p")),
                    pool("p", PoolProtocol.TCP, null, member("dead", deadPort, 1), member("alive", alive.port(), 1))));
            for (int i = 0; i < 4; i++) {
                try (Socket socket = new Socket(VIP, port);
                        BufferedReader in = new BufferedReader(
                                new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8))) {
                    socket.setSoTimeout(5000);
                    assertThat(in.readLine()).isEqualTo("alive");
                }
            }
        }
    }
}
