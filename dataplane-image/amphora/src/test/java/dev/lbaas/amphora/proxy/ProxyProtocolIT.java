package dev.lbaas.amphora.proxy;

import static dev.lbaas.amphora.testing.Configs.config;
import static dev.lbaas.amphora.testing.Configs.freePort;
import static dev.lbaas.amphora.testing.Configs.listener;
import static dev.lbaas.amphora.testing.Configs.member;
import static dev.lbaas.amphora.testing.Configs.pool;
import static org.assertj.core.api.Assertions.assertThat;

import dev.lbaas.amphora.config.ListenerProtocol;
import dev.lbaas.amphora.config.PoolProtocol;
import dev.lbaas.amphora.testing.ProxyProtocolBackend;
import dev.lbaas.amphora.testing.RawHttp;
import dev.lbaas.amphora.testing.RunningDataplane;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * PROXY and PROXYV2 pools: every member connection starts with a PROXY header naming the real
 * client and the VIP, which a member decoding it with Netty's decoder reports back.
 */
class ProxyProtocolIT {

    private static final String VIP = "127.1.11.1";

    private static String version(PoolProtocol protocol) {
        return protocol == PoolProtocol.PROXY ? "v1" : "v2";
    }

    @ParameterizedTest
    @EnumSource(value = PoolProtocol.class, names = {"PROXY", "PROXYV2"})
    void aTcpListenerTellsTheMemberWhoTheClientIs(PoolProtocol protocol) throws Exception {
        try (RunningDataplane amphora = new RunningDataplane();
                ProxyProtocolBackend backend = new ProxyProtocolBackend(ProxyProtocolBackend.Mode.TCP)) {
            int port = freePort(VIP);
            amphora.apply(config(1, VIP, List.of(listener("l", ListenerProtocol.TCP, port, "p")),
                    pool("p", protocol, null, member("m", backend.port(), 1))));
            try (Socket socket = new Socket(VIP, port)) {
                socket.setSoTimeout(5000);
                // The member answers only once it has the header: the client sends nothing first,
                // so this also shows the header does not wait for client data to be flushed.
                assertThat(TcpProxyIT.greeting(socket)).isEqualTo(ProxyProtocolBackend.seen(version(protocol),
                        (InetSocketAddress) socket.getLocalSocketAddress(), new InetSocketAddress(VIP, port)));
                socket.getOutputStream().write("after the header".getBytes(StandardCharsets.UTF_8));
                assertThat(new String(socket.getInputStream().readNBytes(16), StandardCharsets.UTF_8))
                        .isEqualTo("after the header");
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = PoolProtocol.class, names = {"PROXY", "PROXYV2"})
    void anHttpListenerNeverLetsOneClientsMemberConnectionServeAnother(PoolProtocol protocol) throws Exception {
        try (RunningDataplane amphora = new RunningDataplane();
                ProxyProtocolBackend backend = new ProxyProtocolBackend(ProxyProtocolBackend.Mode.HTTP)) {
            int port = freePort(VIP);
            InetSocketAddress vip = new InetSocketAddress(VIP, port);
            amphora.apply(config(1, VIP, List.of(listener("l", ListenerProtocol.HTTP, port, "p")),
                    pool("p", protocol, null, member("m", backend.port(), 1))));
            try (RawHttp first = new RawHttp(VIP, port)) {
                String firstSeen = ProxyProtocolBackend.seen(version(protocol), first.localAddress(), vip);
                first.send("GET / HTTP/1.1\r\nHost: lb\r\n\r\n");
                assertThat(first.readResponse()).isEqualTo("HTTP/1.1 200 OK\n" + firstSeen);

                // Idle member connections are shared per event loop and client connections spread over
                // the loops: with three more clients at least one shares the first client's loop, and a
                // shared connection would bring it the first client's header.
                List<RawHttp> others = new ArrayList<>();
                try {
                    for (int i = 0; i < 3; i++) {
                        RawHttp other = new RawHttp(VIP, port);
                        others.add(other);
                        other.send("GET / HTTP/1.1\r\nHost: lb\r\n\r\n");
                        assertThat(other.readResponse()).isEqualTo("HTTP/1.1 200 OK\n"
                                + ProxyProtocolBackend.seen(version(protocol), other.localAddress(), vip));
                    }
                } finally {
                    for (RawHttp other : others) {
                        other.close();
                    }
                }

                // The first client's next request goes on its own member connection again.
                first.send("GET / HTTP/1.1\r\nHost: lb\r\n\r\n");
                assertThat(first.readResponse()).isEqualTo("HTTP/1.1 200 OK\n" + firstSeen);
                assertThat(backend.accepted).hasValue(4);
            }
        }
    }
}
