package dev.lbaas.amphora.proxy;

import static dev.lbaas.amphora.testing.Configs.config;
import static dev.lbaas.amphora.testing.Configs.member;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.lbaas.amphora.config.AmphoraStatus;
import dev.lbaas.amphora.config.LbAlgorithm;
import dev.lbaas.amphora.config.ListenerConfig;
import dev.lbaas.amphora.config.ListenerProtocol;
import dev.lbaas.amphora.config.ListenerTimeouts;
import dev.lbaas.amphora.config.MemberConfig;
import dev.lbaas.amphora.config.MemberHealth;
import dev.lbaas.amphora.config.PoolConfig;
import dev.lbaas.amphora.config.PoolProtocol;
import dev.lbaas.amphora.config.SessionPersistenceConfig;
import dev.lbaas.amphora.config.TrafficStats;
import dev.lbaas.amphora.testing.Configs;
import dev.lbaas.amphora.testing.NamedTcpBackend;
import dev.lbaas.amphora.testing.NamedUdpBackend;
import dev.lbaas.amphora.testing.RunningDataplane;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** UDP listeners: a session per client address and port, replies from the VIP, timeouts, limits. */
class UdpProxyIT {

    private static final String VIP = "127.1.12.1";
    private static final ListenerTimeouts SHORT_IDLE = new ListenerTimeouts(300, 5_000, 50_000, 0);

    private RunningDataplane amphora;
    private NamedUdpBackend a;
    private NamedUdpBackend b;
    private int port;

    @BeforeEach
    void start() throws Exception {
        amphora = new RunningDataplane();
        a = new NamedUdpBackend("a");
        b = new NamedUdpBackend("b");
        try (DatagramSocket probe = new DatagramSocket(new InetSocketAddress(VIP, 0))) {
            port = probe.getLocalPort();
        }
    }

    @AfterEach
    void stop() throws Exception {
        amphora.close();
        a.close();
        b.close();
    }

    /** A UDP client on its own address and port, which checks that every reply comes from the VIP. */
    private final class Client implements AutoCloseable {
        final DatagramSocket socket;

        Client(String address) throws IOException {
            socket = new DatagramSocket(new InetSocketAddress(address, 0));
            socket.setSoTimeout(5_000);
        }

        void send(String text) throws IOException {
            byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
            socket.send(new DatagramPacket(bytes, bytes.length, new InetSocketAddress(VIP, port)));
        }

        /** Sends and returns the reply's text. */
        String ask(String text) throws IOException {
            send(text);
            byte[] buffer = new byte[65_535];
            DatagramPacket reply = new DatagramPacket(buffer, buffer.length);
            socket.receive(reply);
            assertThat(reply.getSocketAddress()).as("where the reply came from").isEqualTo(new InetSocketAddress(VIP, port));
            return new String(reply.getData(), 0, reply.getLength(), StandardCharsets.UTF_8);
        }

        /** The name of the member that answered. */
        String member(String text) throws IOException {
            String reply = ask(text);
            assertThat(reply).endsWith(" " + text);
            return reply.substring(0, reply.length() - text.length() - 1);
        }

        @Override
        public void close() {
            socket.close();
        }
    }

    private static ListenerConfig udpListener(int port, int connectionLimit, ListenerTimeouts timeouts,
            List<String> allowedCidrs) {
        return new ListenerConfig("u", "u", ListenerProtocol.UDP, port, connectionLimit, true, "p", timeouts,
                allowedCidrs, null);
    }

    private static PoolConfig udpPool(MemberConfig... members) {
        return new PoolConfig("p", "p", PoolProtocol.UDP, LbAlgorithm.ROUND_ROBIN, true, Arrays.asList(members), null);
    }

    private void serve(long generation, ListenerConfig listener, MemberConfig... members) {
        amphora.apply(config(generation, VIP, List.of(listener), udpPool(members)));
    }

    private AmphoraStatus.ListenerStatus listenerStatus() {
        return amphora.dataplane.status().listeners().get(0);
    }

    @Test
    void eachClientKeepsItsMemberAndRepliesComeFromTheVip() throws Exception {
        serve(1, udpListener(port, -1, null, List.of()), member("a", a.port(), 1), member("b", b.port(), 1));
        try (Client first = new Client("127.0.0.1"); Client second = new Client("127.0.0.1")) {
            String firstMember = first.member("one");
            assertThat(first.member("two")).isEqualTo(firstMember);
            assertThat(first.member("three")).isEqualTo(firstMember);
            // round robin: the next session goes to the other member, and stays there
            String secondMember = second.member("four");
            assertThat(secondMember).isNotEqualTo(firstMember).isIn("a", "b");
            assertThat(second.member("five")).isEqualTo(secondMember);

            // datagrams far above Netty's default 2 KiB receive buffer arrive whole, both ways
            String big = "x".repeat(9_000);
            assertThat(first.member(big)).isEqualTo(firstMember);

            TrafficStats stats = listenerStatus().stats();
            assertThat(stats.activeConnections()).isEqualTo(2);
            assertThat(stats.totalConnections()).isEqualTo(2);
            long sent = "one".length() + "two".length() + "three".length() + "four".length() + "five".length()
                    + big.length();
            assertThat(stats.bytesIn()).isEqualTo(sent);
            assertThat(stats.bytesOut()).isEqualTo(sent + 6 * "a ".length());
        }
    }

    @Test
    void aTcpListenerMayShareThePortNumber() throws Exception {
        try (NamedTcpBackend tcp = new NamedTcpBackend("tcp")) {
            amphora.apply(config(1, VIP, List.of(udpListener(port, -1, null, List.of()),
                            Configs.listener("t", ListenerProtocol.TCP, port, "tp")),
                    udpPool(member("a", a.port(), 1)),
                    Configs.pool("tp", PoolProtocol.TCP, null, member("t", tcp.port(), 1))));
            try (Client client = new Client("127.0.0.1"); Socket socket = new Socket(VIP, port)) {
                socket.setSoTimeout(5_000);
                assertThat(client.member("over udp")).isEqualTo("a");
                assertThat(TcpProxyIT.greeting(socket)).isEqualTo("tcp");
            }
        }
    }

    @Test
    void anIdleSessionEndsAndTheNextDatagramIsBalancedAgain() throws Exception {
        serve(1, udpListener(port, -1, SHORT_IDLE, List.of()), member("a", a.port(), 1), member("b", b.port(), 1));
        try (Client client = new Client("127.0.0.1")) {
            String before = client.member("one");
            assertThat(listenerStatus().stats().activeConnections()).isEqualTo(1);

            await().atMost(Duration.ofSeconds(5)).until(() -> listenerStatus().stats().activeConnections() == 0);

            // a new session, and round robin gives it the other member
            assertThat(client.member("two")).isNotEqualTo(before);
            assertThat(listenerStatus().stats().totalConnections()).isEqualTo(2);
        }
    }

    @Test
    void sourceIpPersistenceBringsTheNextSessionBackToTheSameMember() throws Exception {
        // Octavia's UDP pools persist by client address (LVS persistence_timeout): sessions end
        // when idle, but the next one from that address returns to its member.
        amphora.apply(config(1, VIP, List.of(udpListener(port, -1, SHORT_IDLE, List.of())),
                new PoolConfig("p", "p", PoolProtocol.UDP, LbAlgorithm.ROUND_ROBIN, true,
                        List.of(member("a", a.port(), 1), member("b", b.port(), 1)), null,
                        new SessionPersistenceConfig(SessionPersistenceConfig.Type.SOURCE_IP, null, 60_000L, null))));
        try (Client client = new Client("127.0.0.1"); Client otherAddress = new Client("127.0.0.2")) {
            String bound = client.member("one");
            await().atMost(Duration.ofSeconds(5)).until(() -> listenerStatus().stats().activeConnections() == 0);

            // round robin alone would now give the other member, as in the test above
            assertThat(client.member("two")).isEqualTo(bound);
            assertThat(listenerStatus().stats().totalConnections()).isEqualTo(2);
            // another client address is balanced as usual
            assertThat(otherAddress.member("three")).isNotEqualTo(bound);
        }
    }

    @Test
    void aSessionKeepsItsMemberAcrossGenerationsUntilTheMemberIsRemoved() throws Exception {
        serve(1, udpListener(port, -1, null, List.of()), member("a", a.port(), 1), member("b", b.port(), 1));
        try (Client client = new Client("127.0.0.1")) {
            String kept = client.member("one");
            String other = kept.equals("a") ? "b" : "a";
            NamedUdpBackend otherBackend = kept.equals("a") ? b : a;
            NamedUdpBackend keptBackend = kept.equals("a") ? a : b;

            // the other member now has all the weight: new sessions go there, this one stays
            serve(2, udpListener(port, -1, null, List.of()), member(kept, keptBackend.port(), 0),
                    member(other, otherBackend.port(), 5));
            assertThat(client.member("two")).isEqualTo(kept);
            try (Client fresh = new Client("127.0.0.1")) {
                assertThat(fresh.member("fresh")).isEqualTo(other);
            }

            serve(3, udpListener(port, -1, null, List.of()), member(other, otherBackend.port(), 1));
            await().atMost(Duration.ofSeconds(5)).until(() -> listenerStatus().stats().activeConnections() == 1);
            assertThat(client.member("three")).isEqualTo(other);
            assertThat(keptBackend.received).containsExactly("one", "two");
        }
    }

    @Test
    void aSessionWhoseMemberGoesDownMovesToTheBackup() throws Exception {
        // The members are checked over TCP on monitor ports: closing one takes its member down.
        try (ServerSocket primaryCheck = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"));
                ServerSocket backupCheck = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
            amphora.apply(config(1, VIP, List.of(udpListener(port, -1, null, List.of())),
                    new PoolConfig("p", "p", PoolProtocol.UDP, LbAlgorithm.SOURCE_IP, true, List.of(
                            new MemberConfig("a", "a", "127.0.0.1", a.port(), 1, false, true, null,
                                    primaryCheck.getLocalPort()),
                            new MemberConfig("b", "b", "127.0.0.1", b.port(), 1, true, true, null,
                                    backupCheck.getLocalPort())),
                            Configs.tcpMonitor(200, 150, 1, 1))));
            try (Client client = new Client("127.0.0.1")) {
                // the backup takes nothing while the primary is up
                assertThat(client.member("one")).isEqualTo("a");

                primaryCheck.close();
                await().atMost(Duration.ofSeconds(5)).until(() -> amphora.health("a") == MemberHealth.DOWN);

                assertThat(client.member("two")).isEqualTo("b");
                assertThat(a.received).containsExactly("one");
            }
        }
    }

    @Test
    void datagramsFromOutsideTheAllowedNetworksAreDropped() throws Exception {
        serve(1, udpListener(port, -1, null, List.of("127.0.0.2/32")), member("a", a.port(), 1));
        try (Client outsider = new Client("127.0.0.3"); Client allowed = new Client("127.0.0.2")) {
            outsider.send("from outside");
            // one VIP socket reads datagrams in order: once this one is answered, the first was handled
            assertThat(allowed.member("from inside")).isEqualTo("a");

            assertThat(a.received).containsExactly("from inside");
            assertThat(listenerStatus().stats().totalConnections()).isEqualTo(1);
        }
    }

    @Test
    void theConnectionLimitBoundsSessionsAndIsReported() throws Exception {
        serve(1, udpListener(port, 2, new ListenerTimeouts(3_000, 5_000, 50_000, 0), List.of()),
                member("a", a.port(), 1));
        long versionBefore = amphora.dataplane.healthVersion();
        try (Client first = new Client("127.0.0.1"); Client second = new Client("127.0.0.1");
                Client third = new Client("127.0.0.1")) {
            assertThat(first.member("first")).isEqualTo("a");
            assertThat(second.member("second")).isEqualTo("a");
            third.send("third");
            // handled in order: once the first client's next datagram is answered, the third's was dropped
            assertThat(first.member("first again")).isEqualTo("a");

            assertThat(a.received).containsExactly("first", "second", "first again");
            assertThat(listenerStatus().atConnectionLimit()).isTrue();
            assertThat(amphora.dataplane.healthVersion()).isGreaterThan(versionBefore);

            // the sessions idle out, and a new one is let in
            await().atMost(Duration.ofSeconds(10)).until(() -> !listenerStatus().atConnectionLimit());
            assertThat(third.member("third again")).isEqualTo("a");
        }
    }
}
