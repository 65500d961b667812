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
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class MemberPickerTest {

    private static final InetSocketAddress CLIENT = new InetSocketAddress("192.0.2.10", 40000);

    private final AtomicLong healthVersion = new AtomicLong();
    private final Map<String, MemberHealth> health = new HashMap<>();

    private PoolMember member(String id, int weight, boolean backup) {
        health.put(id, MemberHealth.UP);
        return new PoolMember(new MemberConfig(id, id, "127.0.0.1", 8080, weight, backup, true, null, null),
                new InetSocketAddress("127.0.0.1", 8080), () -> health.get(id), new TrafficCounters());
    }

    private void setHealth(String id, MemberHealth value) {
        health.put(id, value);
        healthVersion.incrementAndGet();
    }

    private List<String> picks(MemberPicker picker, int count) {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            PoolMember picked = picker.pick(CLIENT);
            ids.add(picked == null ? null : picked.id());
        }
        return ids;
    }

    private MemberPicker roundRobin(PoolMember... members) {
        return MemberPicker.create(LbAlgorithm.ROUND_ROBIN, List.of(members), healthVersion::get);
    }

    @Test
    void smoothWeightedRoundRobinSpreadsHeavyMembers() {
        MemberPicker picker = roundRobin(member("a", 5, false), member("b", 1, false), member("c", 1, false));
        assertThat(picks(picker, 14)).containsExactly("a", "a", "b", "a", "c", "a", "a", "a", "a", "b", "a", "c", "a", "a");
    }

    @Test
    void equalWeightsAlternateStrictly() {
        MemberPicker picker = roundRobin(member("a", 2, false), member("b", 2, false));
        assertThat(picks(picker, 6)).containsExactly("a", "b", "a", "b", "a", "b");
    }

    @Test
    void weightZeroDrainsAndDownMembersAreSkipped() {
        MemberPicker picker = roundRobin(member("a", 1, false), member("b", 0, false), member("c", 1, false));
        assertThat(picks(picker, 4)).containsExactly("a", "c", "a", "c");
        setHealth("c", MemberHealth.DOWN);
        assertThat(picks(picker, 3)).containsOnly("a");
        setHealth("c", MemberHealth.UP);
        assertThat(picks(picker, 4)).containsOnly("a", "c").contains("c");
    }

    @Test
    void backupsServeOnlyWhenEveryPrimaryIsDown() {
        MemberPicker picker = roundRobin(member("a", 1, false), member("spare", 1, true));
        assertThat(picks(picker, 3)).containsOnly("a");
        setHealth("a", MemberHealth.DOWN);
        assertThat(picks(picker, 3)).containsOnly("spare");
        setHealth("spare", MemberHealth.DOWN);
        assertThat(picker.pick(CLIENT)).isNull();
        setHealth("a", MemberHealth.CHECKING);
        assertThat(picks(picker, 2)).containsOnly("a");
    }

    @Test
    void leastConnectionsPrefersFewestConnectionsPerWeight() {
        PoolMember light = member("light", 1, false);
        PoolMember heavy = member("heavy", 3, false);
        MemberPicker picker = MemberPicker.create(LbAlgorithm.LEAST_CONNECTIONS, List.of(light, heavy),
                healthVersion::get);
        light.counters().connectionOpened();
        heavy.counters().connectionOpened();
        heavy.counters().connectionOpened();
        // light: 1 per unit of weight, heavy: 2/3
        assertThat(picker.pick(CLIENT)).isSameAs(heavy);
        heavy.counters().connectionOpened();
        heavy.counters().connectionOpened();
        assertThat(picker.pick(CLIENT)).isSameAs(light);
    }

    @Test
    void sourceIpKeepsAClientOnItsMemberAndMovesFewClientsWhenOneLeaves() {
        List<PoolMember> members = IntStream.range(0, 4).mapToObj(i -> member("m" + i, 1, false)).toList();
        MemberPicker picker = MemberPicker.create(LbAlgorithm.SOURCE_IP, members, healthVersion::get);
        Map<Integer, String> before = new HashMap<>();
        for (int i = 0; i < 200; i++) {
            InetSocketAddress client = new InetSocketAddress("10.0." + (i / 250) + "." + (i % 250), 1000 + i);
            before.put(i, picker.pick(client).id());
            assertThat(picker.pick(new InetSocketAddress(client.getAddress(), 9))).isEqualTo(picker.pick(client));
        }
        assertThat(before.values()).contains("m0", "m1", "m2", "m3");
        setHealth("m3", MemberHealth.DOWN);
        for (int i = 0; i < 200; i++) {
            InetSocketAddress client = new InetSocketAddress("10.0." + (i / 250) + "." + (i % 250), 1000 + i);
            String now = picker.pick(client).id();
            if (!before.get(i).equals("m3")) {
                assertThat(now).isEqualTo(before.get(i));
            }
        }
    }
}
