package dev.lbaas.amphora.proxy;

import static dev.lbaas.amphora.testing.Configs.config;
import static dev.lbaas.amphora.testing.Configs.freePort;
import static dev.lbaas.amphora.testing.Configs.member;
import static dev.lbaas.amphora.testing.Configs.pool;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.lbaas.amphora.config.AmphoraStatus;
import dev.lbaas.amphora.config.ListenerConfig;
import dev.lbaas.amphora.config.ListenerProtocol;
import dev.lbaas.amphora.config.PoolProtocol;
import dev.lbaas.amphora.testing.NamedTcpBackend;
import dev.lbaas.amphora.testing.RunningDataplane;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** allowedCidrs and connectionLimit: who gets in, and how many at once. */
class ClientAdmissionIT {

    private static final String VIP = "127.1.6.1";

    @Test
    void onlyClientsFromAllowedNetworksGetIn() throws Exception {
        try (RunningDataplane amphora = new RunningDataplane(); NamedTcpBackend backend = new NamedTcpBackend("web")) {
            int port = freePort(VIP);
            var pool = pool("p", PoolProtocol.TCP, null, member("m", backend.port(), 1));
            amphora.apply(config(1, VIP, List.of(listener(port, -1, List.of("10.0.0.0/8"))), pool));
            assertThat(greetingOrClosed(port)).as("a client from 127.0.0.1 outside 10.0.0.0/8").isNull();

            amphora.apply(config(2, VIP, List.of(listener(port, -1, List.of("10.0.0.0/8", "127.0.0.0/8"))), pool));
            assertThat(greetingOrClosed(port)).isEqualTo("web");
        }
    }

    @Test
    void theConnectionLimitHoldsAndIsReported() throws Exception {
        try (RunningDataplane amphora = new RunningDataplane(); NamedTcpBackend backend = new NamedTcpBackend("web")) {
            int port = freePort(VIP);
            amphora.apply(config(1, VIP, List.of(listener(port, 2, List.of())),
                    pool("p", PoolProtocol.TCP, null, member("m", backend.port(), 1))));
            long versionBefore = amphora.dataplane.healthVersion();

            try (Socket first = connect(port); Socket second = connect(port)) {
                assertThat(TcpProxyIT.greeting(first)).isEqualTo("web");
                assertThat(TcpProxyIT.greeting(second)).isEqualTo("web");
                assertThat(greetingOrClosed(port)).as("a third connection over the limit of 2").isNull();
                assertThat(listenerStatus(amphora).atConnectionLimit()).isTrue();
                assertThat(amphora.dataplane.healthVersion()).isGreaterThan(versionBefore);
            }
            await().atMost(Duration.ofSeconds(5))
                    .until(() -> !listenerStatus(amphora).atConnectionLimit());
            assertThat(greetingOrClosed(port)).isEqualTo("web");
        }
    }

    private static ListenerConfig listener(int port, int connectionLimit, List<String> allowedCidrs) {
        return new ListenerConfig("l", "l", ListenerProtocol.TCP, port, connectionLimit, true, "p", null,
                allowedCidrs, null);
    }

    private static AmphoraStatus.ListenerStatus listenerStatus(RunningDataplane amphora) {
        return amphora.dataplane.status().listeners().get(0);
    }

    private static Socket connect(int port) throws IOException {
        Socket socket = new Socket();
        socket.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0));
        socket.connect(new InetSocketAddress(VIP, port), 2_000);
        socket.setSoTimeout(5_000);
        return socket;
    }

    /** The backend's greeting, or null when the amphora closed the connection without serving it. */
    private static String greetingOrClosed(int port) throws IOException {
        try (Socket socket = connect(port)) {
            StringBuilder line = new StringBuilder();
            int b;
            while ((b = socket.getInputStream().read()) != '\n') {
                if (b < 0) {
                    return null;
                }
                line.append((char) b);
            }
            return line.toString();
        } catch (java.net.SocketException reset) {
            return null;
        }
    }
}
