package dev.lbaas.amphora.balancing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lbaas.amphora.config.LbAlgorithm;
import dev.lbaas.amphora.config.MemberConfig;
import dev.lbaas.amphora.config.MemberHealth;
import dev.lbaas.amphora.config.PoolConfig;
import dev.lbaas.amphora.config.PoolProtocol;
import dev.lbaas.amphora.config.SessionPersistenceConfig;
import dev.lbaas.amphora.config.SessionPersistenceConfig.Type;
import dev.lbaas.amphora.stats.TrafficCounters;
import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class SessionPersistenceTest {

    private static final InetSocketAddress CLIENT = new InetSocketAddress("192.0.2.10", 40000);

    private final AtomicLong healthVersion = new AtomicLong();
    private final Map<String, MemberHealth> health = new HashMap<>();
    private final StickTables tables = new StickTables();

    private PoolMember member(String id, int weight, boolean adminStateUp) {
        health.putIfAbsent(id, MemberHealth.UP);
        return new PoolMember(new MemberConfig(id, id, "127.0.0.1", 8080, weight, false, adminStateUp, null, null),
                new InetSocketAddress("127.0.0.1", 8080), () -> health.get(id), new TrafficCounters());
    }

    private Pool pool(SessionPersistenceConfig persistence, PoolMember... members) {
        PoolConfig config = new PoolConfig("p", null, PoolProtocol.TCP, LbAlgorithm.ROUND_ROBIN, true,
                List.of(members).stream().map(PoolMember::config).toList(), null, persistence);
        return new Pool(config, List.of(members),
                MemberPicker.create(LbAlgorithm.ROUND_ROBIN, List.of(members), healthVersion::get), new TrafficCounters(),
                tables.persistence(config, List.of(members)));
    }

    private static SessionPersistenceConfig sourceIp() {
        return new SessionPersistenceConfig(Type.SOURCE_IP, null, null, null);
    }

    @Test
    void aBoundMemberThatGoesDownIsReplacedAndTheBindingFollows() {
        Pool pool = pool(sourceIp(), member("a", 1, true), member("b", 1, true));
        String first = pool.pick(CLIENT).id();
        assertThat(pool.pick(CLIENT).id()).isEqualTo(first);

        health.put(first, MemberHealth.DOWN);
        healthVersion.incrementAndGet();
        String replacement = pool.pick(CLIENT).id();
        assertThat(replacement).isNotEqualTo(first);

        // the member comes back, but the client stays with its replacement
        health.put(first, MemberHealth.UP);
        healthVersion.incrementAndGet();
        assertThat(pool.pick(CLIENT).id()).isEqualTo(replacement);
    }

    @Test
    void aDrainingMemberKeepsItsSessionsButTakesNoNewOnes() {
        Pool before = pool(sourceIp(), member("a", 1, true), member("b", 1, true));
        String first = before.pick(CLIENT).id();
        String other = first.equals("a") ? "b" : "a";
        // the next generation drains the bound member (weight 0); the table is kept
        Pool after = pool(sourceIp(), member(first, 0, true), member(other, 1, true));
        assertThat(after.pick(CLIENT).id()).isEqualTo(first);
        InetSocketAddress newcomer = new InetSocketAddress("192.0.2.99", 1);
        for (int i = 0; i < 4; i++) {
            assertThat(after.pick(newcomer).id()).isEqualTo(other);
        }
    }

    @Test
    void stickTableEntriesExpireWhenIdleAndTheTableStaysBounded() {
        AtomicLong now = new AtomicLong();
        StickTable table = new StickTable(100, 1_000, now::get);
        table.put("client", "a");
        now.addAndGet(900_000_000L);
        assertThat(table.get("client")).isEqualTo("a");
        now.addAndGet(900_000_000L);
        // used 0.9 s ago: still there
        assertThat(table.get("client")).isEqualTo("a");
        now.addAndGet(1_100_000_000L);
        assertThat(table.get("client")).isNull();

        StickTable noExpiry = new StickTable(100, 0, now::get);
        for (int i = 0; i < 1000; i++) {
            now.incrementAndGet();
            noExpiry.put("client-" + i, "a");
        }
        assertThat(noExpiry.size()).isLessThanOrEqualTo(100);
        // the most recent entries survive, the oldest are gone
        assertThat(noExpiry.get("client-999")).isEqualTo("a");
        assertThat(noExpiry.get("client-0")).isNull();
    }
}
