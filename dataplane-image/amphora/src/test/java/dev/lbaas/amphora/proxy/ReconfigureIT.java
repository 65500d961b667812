package dev.lbaas.amphora.proxy;

import static dev.lbaas.amphora.testing.Configs.config;
import static dev.lbaas.amphora.testing.Configs.freePort;
import static dev.lbaas.amphora.testing.Configs.listener;
import static dev.lbaas.amphora.testing.Configs.member;
import static dev.lbaas.amphora.testing.Configs.pool;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.lbaas.amphora.config.AmphoraConfig;
import dev.lbaas.amphora.config.FailoverConfig;
import dev.lbaas.amphora.config.ListenerProtocol;
import dev.lbaas.amphora.config.PoolProtocol;
import dev.lbaas.amphora.runtime.ApplyResult;
import dev.lbaas.amphora.testing.NamedHttpBackend;
import dev.lbaas.amphora.testing.NamedTcpBackend;
import dev.lbaas.amphora.testing.RawHttp;
import dev.lbaas.amphora.testing.RunningDataplane;
import java.io.IOException;
import java.net.ConnectException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReconfigureIT {

    private static final String VIP = "127.1.4.1";

    private static String echo(Socket socket, String text) throws IOException {
        socket.getOutputStream().write(text.getBytes(StandardCharsets.UTF_8));
        return new String(socket.getInputStream().readNBytes(text.length()), StandardCharsets.UTF_8);
    }

    @Test
    void openConnectionsSurviveANewGenerationWhileNewOnesUseTheNewMembers() throws Exception {
        try (RunningDataplane amphora = new RunningDataplane();
                NamedTcpBackend oldTcp = new NamedTcpBackend("old");
                NamedTcpBackend newTcp = new NamedTcpBackend("new");
                NamedHttpBackend oldWeb = new NamedHttpBackend("old-web");
                NamedHttpBackend newWeb = new NamedHttpBackend("new-web")) {
            int tcpPort = freePort(VIP);
            int httpPort = freePort(VIP);
            amphora.apply(config(1, VIP,
                    List.of(listener("tcp", ListenerProtocol.TCP, tcpPort, "tp"),
                            listener("http", ListenerProtocol.HTTP, httpPort, "hp")),
                    pool("tp", PoolProtocol.TCP, null, member("t-old", oldTcp.port(), 1)),
                    pool("hp", PoolProtocol.HTTP, null, member("h-old", oldWeb.port(), 1))));
            try (Socket held = new Socket(VIP, tcpPort); RawHttp keepAlive = new RawHttp(VIP, httpPort)) {
                held.setSoTimeout(5000);
                assertThat(TcpProxyIT.greeting(held)).isEqualTo("old");
                keepAlive.send("GET / HTTP/1.1\r\nHost: lb\r\n\r\n");
                assertThat(keepAlive.readResponse()).isEqualTo("HTTP/1.1 200 OK\nold-web");

                amphora.apply(config(2, VIP,
                        List.of(listener("tcp", ListenerProtocol.TCP, tcpPort, "tp"),
                                listener("http", ListenerProtocol.HTTP, httpPort, "hp")),
                        pool("tp", PoolProtocol.TCP, null, member("t-new", newTcp.port(), 1)),
                        pool("hp", PoolProtocol.HTTP, null, member("h-new", newWeb.port(), 1))));

                assertThat(echo(held, "still here")).isEqualTo("still here");
                // the kept-alive client connection follows the new generation from its next request on
                keepAlive.send("GET / HTTP/1.1\r\nHost: lb\r\n\r\n");
                assertThat(keepAlive.readResponse()).isEqualTo("HTTP/1.1 200 OK\nnew-web");
                try (Socket fresh = new Socket(VIP, tcpPort)) {
                    fresh.setSoTimeout(5000);
                    assertThat(TcpProxyIT.greeting(fresh)).isEqualTo("new");
                }

                amphora.apply(config(3, VIP, List.of(listener("http", ListenerProtocol.HTTP, httpPort, "hp")),
                        pool("hp", PoolProtocol.HTTP, null, member("h-new", newWeb.port(), 1))));
                // The JDK closes a listening socket's descriptor once its selector has processed the
                // cancelled key, a moment after the channel's close completed: allow for that moment.
                await().atMost(Duration.ofSeconds(2)).untilAsserted(() ->
                        assertThatThrownBy(() -> new Socket(VIP, tcpPort).close()).isInstanceOf(ConnectException.class));
                assertThat(echo(held, "after removal")).isEqualTo("after removal");
            }
        }
    }

    @Test
    void aListenerThatCannotBindLeavesThePreviousGenerationServing() throws Exception {
        try (RunningDataplane amphora = new RunningDataplane();
                NamedHttpBackend web = new NamedHttpBackend("web");
                ServerSocket squatter = new ServerSocket(0, 1, java.net.InetAddress.getByName(VIP))) {
            int port = freePort(VIP);
            var pool = pool("p", PoolProtocol.HTTP, null, member("m", web.port(), 1));
            amphora.apply(config(1, VIP, List.of(listener("a", ListenerProtocol.HTTP, port, "p")), pool));
            AmphoraConfig clash = config(2, VIP, List.of(listener("a", ListenerProtocol.HTTP, port, "p"),
                    listener("b", ListenerProtocol.HTTP, squatter.getLocalPort(), "p")), pool);

            ApplyResult result = amphora.dataplane.apply(clash);

            assertThat(result).isInstanceOf(ApplyResult.Rejected.class);
            assertThat(((ApplyResult.Rejected) result).message())
                    .startsWith("listeners[b]: cannot listen on " + VIP + ":" + squatter.getLocalPort());
            assertThat(amphora.dataplane.appliedGeneration()).isEqualTo(1);
            try (RawHttp client = new RawHttp(VIP, port)) {
                client.send("GET / HTTP/1.1\r\nHost: lb\r\n\r\n");
                assertThat(client.readResponse()).isEqualTo("HTTP/1.1 200 OK\nweb");
            }
        }
    }

    @Test
    void unsupportedFeaturesRejectTheWholeConfiguration() {
        try (RunningDataplane amphora = new RunningDataplane()) {
            ApplyResult result = amphora.dataplane.apply(config(1, VIP,
                    List.of(listener("t", ListenerProtocol.HTTP, 8443, null, "X-Forwarded-Host"))));
            assertThat(result).isEqualTo(
                    new ApplyResult.Rejected("listeners[t].insertHeaders: X-Forwarded-Host is not supported yet"));
            assertThat(amphora.dataplane.apply(config(1, VIP,
                    List.of(listener("t", ListenerProtocol.HTTP, 8443, null, "X-SSL-Client-CN"))))).isEqualTo(
                    new ApplyResult.Rejected("listeners[t].insertHeaders: X-SSL-Client-CN needs a TERMINATED_HTTPS "
                            + "listener, which sees client certificates"));
            assertThat(amphora.dataplane.appliedGeneration()).isZero();

            FailoverConfig pair = new FailoverConfig("127.0.0.2", 1985, 1985, 100, 100, false,
                    "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=");
            assertThat(amphora.dataplane.apply(config(1, VIP, List.of()).withFailover(pair))).isEqualTo(
                    new ApplyResult.Rejected("failover: this amphora was started without an address for a pair's "
                            + "adverts"));
        }
    }
}
