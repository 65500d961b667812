package dev.lbaas.amphora.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.ThrowingSupplier;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every bound of every record, from both sides: the last value in is accepted, the first value out
 * is refused with a message naming the field, the rule and the value. What the amphora accepts is
 * what the operator's admission tests rely on, so each edge is pinned.
 */
class RecordBoundsTest {

    private static final long DAY = 86_400_000;

    private static MemberConfig member(String address, int port, int weight, Integer monitorPort) {
        return new MemberConfig("m", null, address, port, weight, false, true, null, monitorPort);
    }

    private static ListenerConfig listener(String id, int port, int connectionLimit) {
        return new ListenerConfig(id, null, ListenerProtocol.TCP, port, connectionLimit, true, null, null, null, null);
    }

    private static HealthMonitorConfig monitor(long delay, long timeout, int rise, int fall) {
        return new HealthMonitorConfig("hm", MonitorType.TCP, delay, timeout, rise, fall, null, null, null, null, null,
                true);
    }

    private static SessionPersistenceConfig persistence(Long timeoutMillis) {
        return new SessionPersistenceConfig(SessionPersistenceConfig.Type.SOURCE_IP, null, timeoutMillis, null);
    }

    /** 32 bytes, base64: the shortest key a pair may have. */
    static final String KEY = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=";

    private static FailoverConfig failover(int port, int priority, int interval, String key) {
        return new FailoverConfig("10.0.0.2", 1985, port, priority, interval, false, key);
    }

    /** A value at the edge of a rule, and the message of the first value past it. */
    static Stream<Arguments> edges() {
        return Stream.of(
                edge(() -> failover(1, 1, 10, KEY), () -> failover(0, 1, 10, KEY),
                        "failover.advertPort: must be between 1 and 65535, got 0"),
                edge(() -> failover(65535, 254, 40_950, KEY), () -> failover(80, 255, 100, KEY),
                        "failover.priority: must be between 1 and 254, got 255"),
                edge(() -> failover(80, 1, 100, KEY), () -> failover(80, 0, 100, KEY),
                        "failover.priority: must be between 1 and 254, got 0"),
                edge(() -> failover(80, 100, 10, KEY), () -> failover(80, 100, 9, KEY),
                        "failover.advertIntervalMillis: must be between 10 and 40950, got 9"),
                edge(() -> failover(80, 100, 40_950, KEY), () -> failover(80, 100, 40_951, KEY),
                        "failover.advertIntervalMillis: must be between 10 and 40950, got 40951"),
                edge(() -> failover(80, 100, 100, KEY), () -> failover(80, 100, 100, "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZQ=="),
                        "failover.key: must be at least 32 bytes, got 31"),
                edge(() -> failover(80, 100, 100, KEY), () -> failover(80, 100, 100, "not base64!"),
                        "failover.key: must be base64: Illegal base64 character 20"),
                edge(() -> failover(80, 100, 100, KEY), () -> new FailoverConfig(" ", 80, 80, 100, 100, false, KEY),
                        "failover.peerAddress: must be set"),
                edge(() -> new FailoverConfig("10.0.0.2", 65535, 80, 100, 100, false, KEY),
                        () -> new FailoverConfig("10.0.0.2", 0, 80, 100, 100, false, KEY),
                        "failover.peerPort: must be between 1 and 65535, got 0"),
                edge(() -> listener("l", 1, -1), () -> listener("l", 0, -1),
                        "listener.protocolPort: must be between 1 and 65535, got 0"),
                edge(() -> listener("l", 65535, -1), () -> listener("l", 65536, -1),
                        "listener.protocolPort: must be between 1 and 65535, got 65536"),
                edge(() -> listener("l", 80, -1), () -> listener("l", 80, -2),
                        "listener.connectionLimit: must be -1 (unlimited) or more, got -2"),
                edge(() -> listener("l", 80, Integer.MAX_VALUE), () -> listener(" ", 80, -1),
                        "listener.id: must be set"),
                edge(() -> member("10.0.0.1", 1, 0, 1), () -> member("10.0.0.1", 1, -1, null),
                        "member.weight: must be between 0 and 256, got -1"),
                edge(() -> member("10.0.0.1", 65535, 256, 65535), () -> member("10.0.0.1", 80, 257, null),
                        "member.weight: must be between 0 and 256, got 257"),
                edge(() -> member("10.0.0.1", 80, 1, null), () -> member("10.0.0.1", 65536, 1, null),
                        "member.protocolPort: must be between 1 and 65535, got 65536"),
                edge(() -> member("10.0.0.1", 80, 1, null), () -> member("10.0.0.1", 80, 1, 0),
                        "member.monitorPort: must be between 1 and 65535, got 0"),
                edge(() -> member("10.0.0.1", 80, 1, null), () -> member("", 80, 1, null),
                        "member.address: must be set"),
                edge(() -> member("10.0.0.1", 80, 1, null),
                        () -> new MemberConfig(null, null, "10.0.0.1", 80, 1, false, true, null, null),
                        "member.id: must be set"),
                edge(() -> monitor(2, 1, 1, 1), () -> monitor(1, 0, 1, 1),
                        "healthMonitor.timeoutMillis: must be between 1 and 86400000, got 0"),
                edge(() -> monitor(DAY, DAY - 1, 10, 10), () -> monitor(DAY + 1, 1, 1, 1),
                        "healthMonitor.delayMillis: must be between 1 and 86400000, got 86400001"),
                edge(() -> monitor(DAY, DAY - 1, 10, 10), () -> monitor(0, 1, 1, 1),
                        "healthMonitor.delayMillis: must be between 1 and 86400000, got 0"),
                edge(() -> monitor(5, 4, 1, 1), () -> monitor(5, 4, 0, 1),
                        "healthMonitor.maxRetries: must be between 1 and 10, got 0"),
                edge(() -> monitor(5, 4, 10, 1), () -> monitor(5, 4, 11, 1),
                        "healthMonitor.maxRetries: must be between 1 and 10, got 11"),
                edge(() -> monitor(5, 4, 1, 10), () -> monitor(5, 4, 1, 11),
                        "healthMonitor.maxRetriesDown: must be between 1 and 10, got 11"),
                edge(() -> monitor(5, 4, 1, 1), () -> monitor(5, 4, 1, 0),
                        "healthMonitor.maxRetriesDown: must be between 1 and 10, got 0"),
                edge(() -> monitor(5, 4, 1, 1),
                        () -> new HealthMonitorConfig(" ", MonitorType.TCP, 5, 4, 1, 1, null, null, null, null, null, true),
                        "healthMonitor.id: must be set"),
                edge(() -> new HealthMonitorConfig("hm", MonitorType.HTTP, 5, 4, 1, 1, null, null, null, "1.1",
                                "example.com", true),
                        () -> new HealthMonitorConfig("hm", MonitorType.HTTP, 5, 4, 1, 1, null, null, null, "2.0", null,
                                true),
                        "healthMonitor.httpVersion: must be 1.0 or 1.1, got 2.0"),
                edge(() -> new HealthMonitorConfig("hm", MonitorType.HTTP, 5, 4, 1, 1, null, null, null, "1.1",
                                "example.com", true),
                        () -> new HealthMonitorConfig("hm", MonitorType.HTTP, 5, 4, 1, 1, null, null, null, null,
                                "example.com", true),
                        "healthMonitor.domainName: needs httpVersion 1.1"),
                edge(() -> persistence(1L), () -> persistence(0L),
                        "sessionPersistence.timeoutMillis: must be between 1 and 2678400000, got 0"),
                edge(() -> persistence(31 * DAY), () -> persistence(31 * DAY + 1),
                        "sessionPersistence.timeoutMillis: must be between 1 and 2678400000, got 2678400001"),
                edge(() -> new ListenerTimeouts(1, 1, 1, 0, 1), () -> new ListenerTimeouts(1, 0, 1, 0, 1),
                        "timeouts.memberConnectMillis: must be between 1 and 2073600000, got 0"),
                edge(() -> new ListenerTimeouts(1, 1, 1, 0, 1), () -> new ListenerTimeouts(1, 1, 0, 0, 1),
                        "timeouts.memberDataMillis: must be between 1 and 2073600000, got 0"),
                edge(() -> new ListenerTimeouts(1, 1, 1, ListenerTimeouts.MAX_MILLIS, 1),
                        () -> new ListenerTimeouts(1, 1, 1, ListenerTimeouts.MAX_MILLIS + 1, 1),
                        "timeouts.tcpInspectMillis: must be between 0 and 2073600000, got 2073600001"),
                edge(() -> new ListenerTimeouts(1, 1, 1, 0, 1), () -> new ListenerTimeouts(1, 1, 1, -1, 1),
                        "timeouts.tcpInspectMillis: must be between 0 and 2073600000, got -1"),
                edge(() -> new PoolConfig("p", null, PoolProtocol.TCP, LbAlgorithm.ROUND_ROBIN, true, List.of(), null),
                        () -> new PoolConfig("", null, PoolProtocol.TCP, LbAlgorithm.ROUND_ROBIN, true, List.of(), null),
                        "pool.id: must be set"),
                edge(() -> new AmphoraConfig(1, "lb", "127.0.0.1", true, null, null),
                        () -> new AmphoraConfig(0, "lb", "127.0.0.1", true, null, null),
                        "generation must be at least 1, got 0"),
                edge(() -> new AmphoraConfig(1, "lb", "127.0.0.1", true, null, null),
                        () -> new AmphoraConfig(1, " ", "127.0.0.1", true, null, null), "loadBalancerId: must be set"),
                edge(() -> new AmphoraConfig(1, "lb", "127.0.0.1", true, null, null),
                        () -> new AmphoraConfig(1, "lb", null, true, null, null), "vipAddress: must be set"));
    }

    private static Arguments edge(ThrowingSupplier<?> inside, Supplier<?> outside, String message) {
        return Arguments.of(inside, outside, message);
    }

    @ParameterizedTest(name = "{2}")
    @MethodSource("edges")
    void theLastValueInIsAcceptedAndTheFirstOutIsRefusedWithTheRule(ThrowingSupplier<?> inside, Supplier<?> outside,
            String message) {
        assertThatCode(inside::get).doesNotThrowAnyException();
        assertThatThrownBy(outside::get).isInstanceOf(IllegalArgumentException.class).hasMessage(message);
    }

    @Test
    void twoMembersOfAPoolCannotShareAnId() {
        MemberConfig member = member("10.0.0.1", 80, 1, null);
        assertThatThrownBy(() -> new PoolConfig("p", null, PoolProtocol.TCP, LbAlgorithm.ROUND_ROBIN, true,
                List.of(member, member), null))
                .hasMessage("pool[p].members: duplicate member id m");
    }

    @Test
    void twoPoolsCannotShareAnId() {
        PoolConfig pool = new PoolConfig("p", null, PoolProtocol.TCP, LbAlgorithm.ROUND_ROBIN, true, List.of(), null);
        assertThatThrownBy(() -> new AmphoraConfig(1, "lb", "127.0.0.1", true, List.of(), List.of(pool, pool)))
                .hasMessage("pools: duplicate pool id p");
    }

    @Test
    void aMonitorAddressAndPortStandInForTheMembersOnlyWhenSet() {
        MemberConfig plain = member("10.0.0.1", 80, 1, null);
        assertThat(plain.effectiveMonitorAddress()).isEqualTo("10.0.0.1");
        assertThat(plain.effectiveMonitorPort()).isEqualTo(80);
        MemberConfig monitored = new MemberConfig("m", null, "10.0.0.1", 80, 1, false, true, "10.0.0.2", 8080);
        assertThat(monitored.effectiveMonitorAddress()).isEqualTo("10.0.0.2");
        assertThat(monitored.effectiveMonitorPort()).isEqualTo(8080);
    }

    @Test
    void expectedCodesCoverExactlyTheCodesNamed() {
        ExpectedCodes edges = ExpectedCodes.parse("100, 200-202, 599");
        assertThat(Stream.of(99, 100, 101, 199, 200, 202, 203, 598, 599, 600, -1, 0).filter(edges::matches))
                .containsExactly(100, 200, 202, 599);
        assertThat(ExpectedCodes.parse("204-204").matches(204)).isTrue();
        assertThatThrownBy(() -> ExpectedCodes.parse("99")).hasMessage("healthMonitor.expectedCodes: \"99\" must be a "
                + "code, a list (200, 202) or a range (200-204) of codes 100-599");
        assertThatThrownBy(() -> ExpectedCodes.parse("200-600")).hasMessageContaining("\"200-600\"");
        assertThatThrownBy(() -> ExpectedCodes.parse("201-200")).hasMessage("healthMonitor.expectedCodes: range "
                + "201-200 is reversed");
    }

    @Test
    void recordsAreCopiedWithOneThingChanged() {
        AmphoraConfig config = AmphoraConfigTest.seedScenario();
        AmphoraConfig next = config.withGeneration(7);
        assertThat(next.generation()).isEqualTo(7);
        assertThat(next.withGeneration(config.generation())).isEqualTo(config);
        assertThat(config.pool("pool")).isSameAs(config.pools().get(0));
        assertThat(config.pool("other")).isNull();
        PoolConfig pool = config.pools().get(0);
        PoolConfig emptied = pool.withMembers(List.of(), null);
        assertThat(emptied.members()).isEmpty();
        assertThat(emptied.healthMonitor()).isNull();
        assertThat(emptied.withMembers(pool.members(), pool.healthMonitor())).isEqualTo(pool);
    }

    @Test
    void trafficStatsAddFieldByField() {
        assertThat(new TrafficStats(1, 2, 3, 4, 5).plus(new TrafficStats(10, 20, 30, 40, 50)))
                .isEqualTo(new TrafficStats(11, 22, 33, 44, 55));
        assertThat(TrafficStats.ZERO.plus(TrafficStats.ZERO)).isEqualTo(TrafficStats.ZERO);
    }
}
