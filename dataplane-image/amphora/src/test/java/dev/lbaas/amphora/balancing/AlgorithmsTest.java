package dev.lbaas.amphora.balancing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lbaas.amphora.config.LbAlgorithm;
import dev.lbaas.amphora.config.MemberConfig;
import dev.lbaas.amphora.config.MemberHealth;
import dev.lbaas.amphora.stats.TrafficCounters;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** What each balancing algorithm picks, exactly, and what a member says about itself. */
class AlgorithmsTest {

    private final AtomicLong healthVersion = new AtomicLong();
    private final Map<String, MemberHealth> health = new HashMap<>();
    private final AtomicInteger failures = new AtomicInteger();

    private PoolMember member(String id, int weight) {
        return member(id, weight, true, "127.0.0.1", 8080);
    }

    private PoolMember member(String id, int weight, boolean adminStateUp, String address, int port) {
        health.put(id, MemberHealth.UP);
        return new PoolMember(new MemberConfig(id, id + "-name", address, port, weight, false, adminStateUp, null, null),
                new InetSocketAddress(address, port), new dev.lbaas.amphora.health.MemberHealthTracker() {
                    @Override
                    public MemberHealth health() {
                        return health.get(id);
                    }

                    @Override
                    public void connectionFailed() {
                        failures.incrementAndGet();
                    }
                }, new TrafficCounters());
    }

    private static void open(PoolMember member, int connections) {
        for (int i = 0; i < connections; i++) {
            member.counters().connectionOpened();
        }
    }

    private static List<String> picks(MemberPicker picker, InetSocketAddress client, int count) {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            ids.add(picker.pick(client).id());
        }
        return ids;
    }

    private static final InetSocketAddress CLIENT = new InetSocketAddress("192.0.2.10", 40000);

    @Test
    void leastConnectionsSharesTiesInTurn() {
        MemberPicker picker = MemberPicker.create(LbAlgorithm.LEAST_CONNECTIONS,
                List.of(member("a", 1), member("b", 1), member("c", 1)), healthVersion::get);
        assertThat(picks(picker, CLIENT, 6)).containsExactly("a", "b", "c", "a", "b", "c");
        assertThat(MemberPicker.create(LbAlgorithm.LEAST_CONNECTIONS, List.of(), healthVersion::get).pick(CLIENT))
                .isNull();
    }

    /** Connections per unit of weight decide; each case is asked from every starting point of the rotation. */
    static Stream<Arguments> loads() {
        return Stream.of(
                Arguments.of(1, 1, 3, 2, "b"),
                Arguments.of(1, 1, 3, 4, "a"),
                Arguments.of(2, 3, 1, 1, "b"),
                Arguments.of(3, 2, 1, 1, "a"),
                Arguments.of(4, 3, 1, 1, "a"),
                Arguments.of(1, 0, 256, 300, "a"),
                Arguments.of(5, 11, 2, 4, "b"));
    }

    @ParameterizedTest(name = "weights {0}/{2}, connections {1}/{3}: {4}")
    @MethodSource("loads")
    void leastConnectionsPicksTheFewestConnectionsPerWeight(int weightA, int activeA, int weightB, int activeB,
            String expected) {
        PoolMember a = member("a", weightA);
        PoolMember b = member("b", weightB);
        open(a, activeA);
        open(b, activeB);
        MemberPicker picker = MemberPicker.create(LbAlgorithm.LEAST_CONNECTIONS, List.of(a, b), healthVersion::get);
        assertThat(picks(picker, CLIENT, 4)).containsOnly(expected);
    }

    @Test
    void roundRobinRunsOneReducedCycleOfNginxSmoothWeights() {
        PoolMember a = member("a", 2);
        PoolMember b = member("b", 4);
        PoolMember c = member("c", 6);
        assertThat(SmoothWeightedRoundRobin.cycle(List.of(a, b, c))).extracting(PoolMember::id)
                .containsExactly("c", "b", "a", "c", "b", "c");
        assertThat(SmoothWeightedRoundRobin.cycle(List.of(a, b))).extracting(PoolMember::id)
                .containsExactly("b", "a", "b");
        MemberPicker picker = MemberPicker.create(LbAlgorithm.ROUND_ROBIN, List.of(a, b), healthVersion::get);
        assertThat(picks(picker, CLIENT, 6)).containsExactly("b", "a", "b", "b", "a", "b");
    }

    @Test
    void sourceIpSpreadsClientsInProportionToWeight() {
        PoolMember light = member("light", 1);
        PoolMember heavy = member("heavy", 3);
        MemberPicker picker = MemberPicker.create(LbAlgorithm.SOURCE_IP, List.of(light, heavy), healthVersion::get);
        Map<String, Integer> counts = new HashMap<>();
        for (int i = 0; i < 4_000; i++) {
            InetSocketAddress client = new InetSocketAddress("10." + (i >> 16) + "." + (i >> 8 & 0xff) + "." + (i & 0xff),
                    5000);
            counts.merge(picker.pick(client).id(), 1, Integer::sum);
        }
        // 3 in 4 to the heavy member; a binomial spread of 4,000 stays within a few points
        assertThat(counts.get("heavy")).isBetween(2_850, 3_150);
    }

    @Test
    void sourceIpIgnoresThePortAndSourceIpPortDoesNot() {
        List<PoolMember> members = List.of(member("a", 1), member("b", 1), member("c", 1), member("d", 1));
        MemberPicker byAddress = MemberPicker.create(LbAlgorithm.SOURCE_IP, members, healthVersion::get);
        MemberPicker byAddressAndPort = MemberPicker.create(LbAlgorithm.SOURCE_IP_PORT, members, healthVersion::get);
        List<String> ofAddress = new ArrayList<>();
        List<String> ofPort = new ArrayList<>();
        for (int port = 1000; port < 1400; port++) {
            InetSocketAddress client = new InetSocketAddress("192.0.2.77", port);
            ofAddress.add(byAddress.pick(client).id());
            ofPort.add(byAddressAndPort.pick(client).id());
            assertThat(byAddressAndPort.pick(client).id()).isEqualTo(ofPort.get(ofPort.size() - 1));
        }
        assertThat(ofAddress).containsOnly(ofAddress.get(0));
        for (String id : List.of("a", "b", "c", "d")) {
            assertThat(ofPort.stream().filter(id::equals).count()).as(id).isBetween(60L, 140L);
        }
    }

    @Test
    void aMemberTakesNewConnectionsOnlyWhenEnabledWeightedAndNotDown() {
        assertThat(member("on", 1).takesNewConnections()).isTrue();
        assertThat(member("draining", 0).takesNewConnections()).isFalse();
        assertThat(member("disabled", 1, false, "127.0.0.1", 80).takesNewConnections()).isFalse();
        PoolMember down = member("down", 1);
        health.put("down", MemberHealth.DOWN);
        assertThat(down.takesNewConnections()).isFalse();
        health.put("down", MemberHealth.CHECKING);
        assertThat(down.takesNewConnections()).isTrue();
        assertThat(down.health()).isEqualTo(MemberHealth.CHECKING);
    }

    @Test
    void aMemberSaysWhereItIsAndPassesOnFailedConnections() {
        PoolMember member = member("m", 1, true, "10.0.0.5", 8443);
        assertThat(member.endpoint()).isEqualTo(new InetSocketAddress("10.0.0.5", 8443));
        assertThat(member.toString()).isEqualTo("m-name(10.0.0.5:8443)");
        member.connectionFailed();
        member.connectionFailed();
        assertThat(failures.get()).isEqualTo(2);
        assertThat(member.sameEndpoint(member("m", 5, true, "10.0.0.5", 8443))).isTrue();
        assertThat(member.sameEndpoint(member("m", 1, true, "10.0.0.6", 8443))).isFalse();
        assertThat(member.sameEndpoint(member("m", 1, true, "10.0.0.5", 8444))).isFalse();
        assertThat(member.sameEndpoint(member("other", 1, true, "10.0.0.5", 8443))).isFalse();
        assertThat(member.sameEndpoint(null)).isFalse();
    }
}
