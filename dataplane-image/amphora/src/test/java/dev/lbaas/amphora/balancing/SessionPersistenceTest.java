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

    private SessionPersistence persistence(SessionPersistenceConfig config, String poolId, PoolMember... members) {
        PoolConfig pool = new PoolConfig(poolId, null, PoolProtocol.HTTP, LbAlgorithm.ROUND_ROBIN, true,
                List.of(members).stream().map(PoolMember::config).toList(), null, config);
        return tables.persistence(pool, List.of(members));
    }

    @Test
    void eachTypeNamesItsCookie() {
        assertThat(SessionPersistence.NONE.type()).isNull();
        assertThat(SessionPersistence.NONE.cookieName()).isNull();
        assertThat(SessionPersistence.NONE.bound(CLIENT, "a")).isNull();
        assertThat(persistence(sourceIp(), "p").cookieName()).isNull();
        assertThat(persistence(new SessionPersistenceConfig(Type.HTTP_COOKIE, null, null, null), "p").cookieName())
                .isEqualTo("SRV");
        SessionPersistence app = persistence(new SessionPersistenceConfig(Type.APP_COOKIE, "JSESSIONID", null, null), "p");
        assertThat(app.cookieName()).isEqualTo("JSESSIONID");
        assertThat(app.type()).isEqualTo(Type.APP_COOKIE);
    }

    @Test
    void anInsertedCookieNamesTheMemberWhileItMayServe() {
        PoolMember a = member("a", 1, true);
        PoolMember disabled = member("disabled", 1, false);
        SessionPersistence cookies = persistence(new SessionPersistenceConfig(Type.HTTP_COOKIE, null, null, null), "p",
                a, disabled);
        assertThat(cookies.bound(CLIENT, "a")).isSameAs(a);
        assertThat(cookies.bound(CLIENT, "gone")).isNull();
        assertThat(cookies.bound(CLIENT, null)).isNull();
        assertThat(cookies.bound(CLIENT, "disabled")).isNull();
        health.put("a", MemberHealth.DOWN);
        assertThat(cookies.bound(CLIENT, "a")).isNull();
        health.put("a", MemberHealth.CHECKING);
        assertThat(cookies.bound(CLIENT, "a")).isSameAs(a);
    }

    @Test
    void anApplicationCookieIsLearntFromTheMemberOrFromTheFirstRequestThatCarriesIt() {
        PoolMember a = member("a", 1, true);
        PoolMember b = member("b", 1, true);
        SessionPersistence app = persistence(new SessionPersistenceConfig(Type.APP_COOKIE, "JSESSIONID", null, null), "p",
                a, b);
        app.sessionStarted("s1", b);
        app.sessionStarted("", a);
        assertThat(app.bound(CLIENT, "s1")).isSameAs(b);
        assertThat(app.bound(CLIENT, "")).isNull();
        assertThat(app.bound(CLIENT, null)).isNull();
        app.picked(CLIENT, "s2", a);
        app.picked(CLIENT, null, b);
        assertThat(app.bound(CLIENT, "s2")).isSameAs(a);
        assertThat(app.bound(new InetSocketAddress("198.51.100.1", 1), "s2")).as("the cookie, not the address").isSameAs(a);

        SessionPersistence bySource = persistence(sourceIp(), "q", a, b);
        bySource.sessionStarted("s3", a);
        assertThat(bySource.bound(CLIENT, "s3")).as("only APP_COOKIE learns from Set-Cookie").isNull();
        SessionPersistence byCookie = persistence(new SessionPersistenceConfig(Type.HTTP_COOKIE, null, null, null), "r",
                a, b);
        byCookie.picked(CLIENT, "s4", a);
        byCookie.sessionStarted("s4", a);
        assertThat(byCookie.bound(CLIENT, "s4")).isNull();
    }

    @Test
    void aGranularityBindsAWholeNetworkAndIpv6ClientsByTheirWholeAddress() {
        PoolMember a = member("a", 1, true);
        PoolMember b = member("b", 1, true);
        SessionPersistence byNetwork = persistence(new SessionPersistenceConfig(Type.SOURCE_IP, null, null,
                "255.255.255.0"), "p", a, b);
        byNetwork.picked(new InetSocketAddress("192.0.2.10", 1), null, b);
        assertThat(byNetwork.bound(new InetSocketAddress("192.0.2.200", 2), null)).isSameAs(b);
        assertThat(byNetwork.bound(new InetSocketAddress("192.0.3.10", 1), null)).isNull();
        assertThat(byNetwork.bound(new InetSocketAddress("64.0.2.10", 1), null)).as("the first octet counts").isNull();
        byNetwork.picked(new InetSocketAddress("2001:db8::1", 1), null, a);
        assertThat(byNetwork.bound(new InetSocketAddress("2001:db8::1", 9), null)).isSameAs(a);
        assertThat(byNetwork.bound(new InetSocketAddress("2001:db8::2", 9), null)).isNull();

        SessionPersistence byHost = persistence(new SessionPersistenceConfig(Type.SOURCE_IP, null, null,
                "255.255.255.255"), "q", a, b);
        byHost.picked(new InetSocketAddress("192.0.2.10", 1), null, a);
        assertThat(byHost.bound(new InetSocketAddress("192.0.2.11", 1), null)).isNull();
        assertThat(byHost.bound(new InetSocketAddress("192.0.2.10", 7), null)).isSameAs(a);

        SessionPersistence wide = persistence(new SessionPersistenceConfig(Type.SOURCE_IP, null, null, "255.0.0.0"),
                "w", a, b);
        wide.picked(new InetSocketAddress("10.1.2.3", 1), null, b);
        assertThat(wide.bound(new InetSocketAddress("10.200.0.1", 1), null)).isSameAs(b);
        assertThat(wide.bound(new InetSocketAddress("11.1.2.3", 1), null)).isNull();
    }

    @Test
    void aMastersBindingsAreToldAsMadeAndAgainWhileInUseAndAStandbyRestoresThemQuietly() {
        AtomicLong now = new AtomicLong();
        List<String> told = new java.util.ArrayList<>();
        StickTable table = new StickTable(100, 1_000, now::get, (key, memberId) -> told.add(key + "->" + memberId));
        table.put("k", "a");
        table.put("k", "a");
        assertThat(told).as("a binding is told once while it does not change").containsExactly("k->a");
        table.put("k", "b");
        assertThat(told).containsExactly("k->a", "k->b");
        now.addAndGet(500_000_000L);
        table.get("k");
        assertThat(told).as("not past half the idle timeout").hasSize(2);
        now.addAndGet(1);
        assertThat(table.get("k")).isEqualTo("b");
        assertThat(told).as("in use past half the idle timeout: told again, before the standby's copy expires")
                .containsExactly("k->a", "k->b", "k->b");

        table.restore("other", "c");
        assertThat(table.get("other")).isEqualTo("c");
        assertThat(told).as("restored bindings are not told back").hasSize(3);
        List<String> all = new java.util.ArrayList<>();
        table.forEach((key, memberId) -> all.add(key + "->" + memberId));
        assertThat(all).containsExactlyInAnyOrder("k->b", "other->c");

        List<String> forever = new java.util.ArrayList<>();
        StickTable noTimeout = new StickTable(100, 0, now::get, (key, memberId) -> forever.add(key));
        noTimeout.put("k", "a");
        now.addAndGet(3_600_000_000_000L);
        noTimeout.get("k");
        assertThat(forever).as("without an idle timeout the standby's copy never expires").containsExactly("k");
    }

    @Test
    void theTablesTellTheirSinkWithThePoolAndRestoreIntoTheRightPool() {
        PoolMember a = member("a", 1, true);
        List<String> told = new java.util.ArrayList<>();
        tables.publishTo((poolId, key, memberId) -> told.add(poolId + ":" + key + "->" + memberId));
        persistence(sourceIp(), "p", a).picked(CLIENT, null, a);
        assertThat(told).containsExactly("p:192.0.2.10->a");
        tables.publishTo(StickTables.Sink.NONE);
        tables.restore("p", "198.51.100.1", "a");
        tables.restore("unknown", "198.51.100.1", "a");
        assertThat(persistence(sourceIp(), "p", a).bound(new InetSocketAddress("198.51.100.1", 1), null)).isSameAs(a);
        List<String> all = new java.util.ArrayList<>();
        tables.forEach((poolId, key, memberId) -> all.add(poolId + ":" + key));
        assertThat(all).containsExactlyInAnyOrder("p:192.0.2.10", "p:198.51.100.1");
    }

    @Test
    void aPoolKeepsItsTableWhileItsPersistenceStaysTheSame() {
        PoolMember a = member("a", 1, true);
        SessionPersistence first = persistence(sourceIp(), "p", a);
        first.picked(CLIENT, null, a);
        assertThat(persistence(sourceIp(), "p", a).bound(CLIENT, null)).as("same settings, same table").isSameAs(a);
        assertThat(persistence(sourceIp(), "other", a).bound(CLIENT, null)).as("another pool").isNull();
        SessionPersistence changed = persistence(new SessionPersistenceConfig(Type.SOURCE_IP, null, 60_000L, null), "p", a);
        assertThat(changed.bound(CLIENT, null)).as("new settings, new table").isNull();
        changed.picked(CLIENT, null, a);
        tables.retain(List.of("other"));
        assertThat(persistence(new SessionPersistenceConfig(Type.SOURCE_IP, null, 60_000L, null), "p", a)
                .bound(CLIENT, null)).as("a pool that left takes its table along").isNull();
        persistence(sourceIp(), "other", a).picked(CLIENT, null, a);
        tables.retain(List.of("other"));
        assertThat(persistence(sourceIp(), "other", a).bound(CLIENT, null)).isSameAs(a);
    }

    @Test
    void aFullTableDropsTheLeastRecentlyUsedTenthBeyondItsCapacity() {
        AtomicLong now = new AtomicLong();
        StickTable table = new StickTable(100, 0, now::get);
        for (int i = 0; i < 100; i++) {
            now.incrementAndGet();
            table.put("client-" + i, "a");
        }
        assertThat(table.size()).isEqualTo(100);
        now.incrementAndGet();
        assertThat(table.get("client-0")).isEqualTo("a");
        now.incrementAndGet();
        table.put("client-100", "b");
        // one over capacity: that one and a tenth of the capacity go, the least recently used first
        assertThat(table.size()).isEqualTo(90);
        assertThat(table.get("client-0")).as("used just now").isEqualTo("a");
        assertThat(table.get("client-1")).isNull();
        assertThat(table.get("client-11")).isNull();
        assertThat(table.get("client-12")).isEqualTo("a");
        assertThat(table.get("client-100")).isEqualTo("b");
    }

    @Test
    void anEntryLivesExactlyItsIdleTimeoutAndIsSweptWithoutBeingMet() {
        AtomicLong now = new AtomicLong();
        StickTable table = new StickTable(10_000, 1_000, now::get);
        table.put("client", "a");
        table.put("client", "a");
        assertThat(table.size()).isEqualTo(1);
        now.addAndGet(1_000_000_000L);
        assertThat(table.get("client")).as("idle exactly the timeout").isEqualTo("a");
        now.addAndGet(1_000_000_001L);
        assertThat(table.get("client")).isNull();
        assertThat(table.size()).isZero();

        table.put("rebound", "a");
        table.put("rebound", "b");
        assertThat(table.get("rebound")).isEqualTo("b");

        StickTable swept = new StickTable(10_000, 1_000, now::get);
        swept.put("old", "a");
        now.addAndGet(2_000_000_000L);
        for (int i = 0; i < 1022; i++) {
            swept.put("fresh-" + i, "a");
        }
        assertThat(swept.size()).as("expired but not met yet").isEqualTo(1023);
        // the 1024th new binding sweeps what expired, met or not
        swept.put("fresh-last", "a");
        assertThat(swept.size()).isEqualTo(1023);
        assertThat(swept.get("old")).isNull();
    }
}
