package dev.lbaas.amphora.proxy;

import static dev.lbaas.amphora.testing.Configs.config;
import static dev.lbaas.amphora.testing.Configs.freePort;
import static dev.lbaas.amphora.testing.Configs.listener;
import static dev.lbaas.amphora.testing.Configs.tcpMonitor;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.lbaas.amphora.config.AmphoraConfig;
import dev.lbaas.amphora.config.HealthMonitorConfig;
import dev.lbaas.amphora.config.LbAlgorithm;
import dev.lbaas.amphora.config.ListenerProtocol;
import dev.lbaas.amphora.config.MemberConfig;
import dev.lbaas.amphora.config.PoolConfig;
import dev.lbaas.amphora.config.PoolProtocol;
import dev.lbaas.amphora.testing.NamedTcpBackend;
import dev.lbaas.amphora.testing.RunningDataplane;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Which member takes a new TCP connection, with real backends that greet with their name:
 * draining, backup members, disabled members and the consistency of source hashing.
 */
class BalancingIT {

    private static final String VIP = "127.1.13.1";

    @Test
    void weightZeroDrainsTheMemberOpenConnectionsFinishNewOnesGoElsewhere() throws Exception {
        try (RunningDataplane amphora = new RunningDataplane();
                NamedTcpBackend a = new NamedTcpBackend("a"); NamedTcpBackend b = new NamedTcpBackend("b")) {
            int port = freePort(VIP);
            amphora.apply(tcpConfig(1, port, LbAlgorithm.ROUND_ROBIN, null,
                    member("a", a.port(), 1, false, true), member("b", b.port(), 1, false, true)));
            List<Socket> open = new ArrayList<>();
            Socket onB = null;
            while (onB == null && open.size() < 4) {
                Socket socket = connect(port);
                open.add(socket);
                if (TcpProxyIT.greeting(socket).equals("b")) {
                    onB = socket;
                }
            }
            assertThat(onB).as("round robin reaches b").isNotNull();

            amphora.apply(tcpConfig(2, port, LbAlgorithm.ROUND_ROBIN, null,
                    member("a", a.port(), 1, false, true), member("b", b.port(), 0, false, true)));

            assertThat(greetings(port, 20)).containsOnly("a");
            assertThat(echo(onB, "still there")).as("b's open connection keeps working").isEqualTo("still there");
            for (Socket socket : open) {
                socket.close();
            }
        }
    }

    @Test
    void backupMembersServeOnlyWhileEveryOtherMemberIsDown() throws Exception {
        HealthMonitorConfig monitor = tcpMonitor(200, 150, 1, 1);
        try (RunningDataplane amphora = new RunningDataplane(); NamedTcpBackend backup = new NamedTcpBackend("backup")) {
            NamedTcpBackend primary = new NamedTcpBackend("primary");
            int primaryPort = primary.port();
            int port = freePort(VIP);
            amphora.apply(tcpConfig(1, port, LbAlgorithm.ROUND_ROBIN, monitor,
                    member("primary", primaryPort, 1, false, true), member("backup", backup.port(), 1, true, true)));
            await().atMost(Duration.ofSeconds(5)).until(() -> greetings(port, 1).equals(List.of("primary")));
            assertThat(greetings(port, 20)).containsOnly("primary");

            primary.close();
            // the first refused connection takes primary out at once (passive detection)
            await().atMost(Duration.ofSeconds(5)).until(() -> greetings(port, 1).equals(List.of("backup")));
            assertThat(greetings(port, 20)).containsOnly("backup");

            try (NamedTcpBackend back = new NamedTcpBackend("primary", primaryPort)) {
                await().atMost(Duration.ofSeconds(5)).until(() -> greetings(port, 1).equals(List.of("primary")));
                assertThat(greetings(port, 20)).containsOnly("primary");
            }
        }
    }

    @Test
    void aDisabledMemberTakesNoConnections() throws Exception {
        try (RunningDataplane amphora = new RunningDataplane();
                NamedTcpBackend a = new NamedTcpBackend("a"); NamedTcpBackend b = new NamedTcpBackend("b")) {
            int port = freePort(VIP);
            amphora.apply(tcpConfig(1, port, LbAlgorithm.LEAST_CONNECTIONS, null,
                    member("a", a.port(), 1, false, true), member("b", b.port(), 1, false, false)));

            assertThat(greetings(port, 20)).containsOnly("a");

            amphora.apply(tcpConfig(2, port, LbAlgorithm.LEAST_CONNECTIONS, null,
                    member("a", a.port(), 1, false, true), member("b", b.port(), 1, false, true)));
            assertThat(greetings(port, 20)).contains("a", "b");
        }
    }

    @Test
    void leastConnectionsSendsNewConnectionsToTheMemberWithFewerOpen() throws Exception {
        try (RunningDataplane amphora = new RunningDataplane();
                NamedTcpBackend a = new NamedTcpBackend("a"); NamedTcpBackend b = new NamedTcpBackend("b")) {
            int port = freePort(VIP);
            amphora.apply(tcpConfig(1, port, LbAlgorithm.LEAST_CONNECTIONS, null,
                    member("a", a.port(), 1, false, true), member("b", b.port(), 1, false, true)));
            Map<String, List<Socket>> open = new HashMap<>(Map.of("a", new ArrayList<>(), "b", new ArrayList<>()));
            for (int i = 0; i < 4; i++) {
                hold(port, open);
            }
            assertThat(open.get("a")).hasSize(2);
            assertThat(open.get("b")).hasSize(2);

            // b's connections end, a's stay open: the next two connections go to b
            for (Socket socket : open.get("b")) {
                socket.close();
            }
            open.get("b").clear();
            await().atMost(Duration.ofSeconds(10)).until(() -> activeConnections(amphora, "b") == 0);
            assertThat(activeConnections(amphora, "a")).isEqualTo(2);
            assertThat(hold(port, open)).isEqualTo("b");
            assertThat(hold(port, open)).isEqualTo("b");
            closeAll(open);
        }
    }

    @Test
    void weightedLeastConnectionsKeepsOpenConnectionsInProportionToTheWeights() throws Exception {
        try (RunningDataplane amphora = new RunningDataplane();
                NamedTcpBackend a = new NamedTcpBackend("a"); NamedTcpBackend b = new NamedTcpBackend("b")) {
            int port = freePort(VIP);
            amphora.apply(tcpConfig(1, port, LbAlgorithm.LEAST_CONNECTIONS, null,
                    member("a", a.port(), 1, false, true), member("b", b.port(), 3, false, true)));
            Map<String, List<Socket>> open = new HashMap<>(Map.of("a", new ArrayList<>(), "b", new ArrayList<>()));
            for (int i = 0; i < 8; i++) {
                hold(port, open);
            }
            assertThat(open.get("a")).hasSize(2);
            assertThat(open.get("b")).hasSize(6);
            assertThat(activeConnections(amphora, "b")).isEqualTo(6);
            closeAll(open);
        }
    }

    /** Opens a connection and keeps it open; returns the member that greeted it. */
    private static String hold(int port, Map<String, List<Socket>> open) throws Exception {
        Socket socket = connect(port);
        String member = TcpProxyIT.greeting(socket);
        open.get(member).add(socket);
        return member;
    }

    private static void closeAll(Map<String, List<Socket>> open) throws IOException {
        for (List<Socket> sockets : open.values()) {
            for (Socket socket : sockets) {
                socket.close();
            }
        }
    }

    private static long activeConnections(RunningDataplane amphora, String memberId) {
        return amphora.dataplane.status().pools().get(0).members().stream()
                .filter(m -> m.id().equals(memberId)).findFirst().orElseThrow().stats().activeConnections();
    }

    /**
     * SOURCE_IP_PORT with 200 client sources (one address, fixed ports): removing a member moves
     * only the sources it had, and adding one moves sources only to it. Clients end their
     * connections with a reset so that the same source port can connect again at once (no
     * TIME_WAIT on the client's side).
     */
    @Test
    void sourceHashingMovesOnlyTheShareOfTheMemberThatCameOrWent() throws Exception {
        NamedTcpBackend[] backends = new NamedTcpBackend[5];
        try (RunningDataplane amphora = new RunningDataplane()) {
            for (int i = 0; i < backends.length; i++) {
                backends[i] = new NamedTcpBackend("m" + (i + 1));
            }
            int port = freePort(VIP);
            List<Integer> sources = new ArrayList<>();
            for (int sourcePort = 21_000; sourcePort < 21_200; sourcePort++) {
                sources.add(sourcePort);
            }

            amphora.apply(tcpConfig(1, port, LbAlgorithm.SOURCE_IP_PORT, null, members(backends, 0, 1, 2, 3)));
            Map<Integer, String> four = mapSources(port, sources);
            for (String member : List.of("m1", "m2", "m3", "m4")) {
                assertThat(four.values().stream().filter(member::equals).count())
                        .as("share of %s among %d sources", member, four.size()).isBetween(20L, 90L);
            }

            amphora.apply(tcpConfig(2, port, LbAlgorithm.SOURCE_IP_PORT, null, members(backends, 0, 1, 2)));
            Map<Integer, String> three = mapSources(port, four.keySet());
            for (Integer source : three.keySet()) {
                if (!four.get(source).equals("m4")) {
                    assertThat(three.get(source)).as("source port %d, not on the removed member", source)
                            .isEqualTo(four.get(source));
                }
            }
            assertThat(three.values()).doesNotContain("m4");

            amphora.apply(tcpConfig(3, port, LbAlgorithm.SOURCE_IP_PORT, null, members(backends, 0, 1, 2, 4)));
            Map<Integer, String> withNew = mapSources(port, three.keySet());
            Set<Integer> moved = new HashSet<>();
            for (Integer source : withNew.keySet()) {
                if (!withNew.get(source).equals(three.get(source))) {
                    moved.add(source);
                    assertThat(withNew.get(source)).as("source port %d moved", source).isEqualTo("m5");
                }
            }
            assertThat(moved.size()).as("sources the new member took").isBetween(20, 90);
        } finally {
            for (NamedTcpBackend backend : backends) {
                if (backend != null) {
                    backend.close();
                }
            }
        }
    }

    /** Which member each source port reaches; ports this machine cannot bind right now are left out. */
    private static Map<Integer, String> mapSources(int port, Iterable<Integer> sourcePorts) throws Exception {
        Map<Integer, String> members = new HashMap<>();
        for (int sourcePort : sourcePorts) {
            Socket socket = new Socket();
            socket.setReuseAddress(true);
            try {
                socket.bind(new InetSocketAddress("127.0.0.1", sourcePort));
            } catch (IOException taken) {
                socket.close();
                continue;
            }
            socket.connect(new InetSocketAddress(VIP, port), 2_000);
            socket.setSoTimeout(5_000);
            members.put(sourcePort, TcpProxyIT.greeting(socket));
            socket.setSoLinger(true, 0);
            socket.close();
        }
        assertThat(members).hasSizeGreaterThan(150);
        return members;
    }

    private static MemberConfig[] members(NamedTcpBackend[] backends, int... indexes) {
        return Arrays.stream(indexes)
                .mapToObj(i -> member("m" + (i + 1), backends[i].port(), 1, false, true))
                .toArray(MemberConfig[]::new);
    }

    private static MemberConfig member(String id, int port, int weight, boolean backup, boolean adminStateUp) {
        return new MemberConfig(id, id, "127.0.0.1", port, weight, backup, adminStateUp, null, null);
    }

    private static AmphoraConfig tcpConfig(long generation, int port, LbAlgorithm algorithm,
            HealthMonitorConfig monitor, MemberConfig... members) {
        return config(generation, VIP, List.of(listener("l", ListenerProtocol.TCP, port, "p")),
                new PoolConfig("p", "p", PoolProtocol.TCP, algorithm, true, Arrays.asList(members), monitor));
    }

    private static Socket connect(int port) throws IOException {
        Socket socket = new Socket(VIP, port);
        socket.setSoTimeout(5_000);
        return socket;
    }

    /** The members that greet {@code count} new connections, in order. */
    private static List<String> greetings(int port, int count) throws Exception {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            try (Socket socket = connect(port)) {
                names.add(TcpProxyIT.greeting(socket));
            }
        }
        return names;
    }

    private static String echo(Socket socket, String text) throws Exception {
        socket.getOutputStream().write((text + "\n").getBytes(StandardCharsets.UTF_8));
        return TcpProxyIT.greeting(socket);
    }
}
