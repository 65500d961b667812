package dev.lbaas.amphora.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import java.util.List;
import org.junit.jupiter.api.Test;

class AmphoraConfigTest {

    static AmphoraConfig seedScenario() {
        HealthMonitorConfig monitor = new HealthMonitorConfig("hm", MonitorType.TCP, 5000, 4000, 3, 3,
                null, null, null, null, null, true);
        PoolConfig pool = new PoolConfig("pool", "POOL_WEB", PoolProtocol.HTTP, LbAlgorithm.ROUND_ROBIN, true,
                List.of(new MemberConfig("m1", "web1", "127.0.0.1", 8081, 1, false, true, null, null),
                        new MemberConfig("m2", "web2", "127.0.0.1", 8082, 1, false, true, null, null)),
                monitor);
        ListenerConfig listener = new ListenerConfig("l", "LISTENER_WEB", ListenerProtocol.HTTP, 80, -1, true,
                "pool", null, null, null);
        return new AmphoraConfig(1, "lb", "127.100.0.1", true, List.of(listener), List.of(pool));
    }

    @Test
    void roundTripsThroughJson() throws Exception {
        AmphoraConfig config = seedScenario();
        String json = AgentApi.json().writeValueAsString(config);
        assertThat(AgentApi.json().readValue(json, AmphoraConfig.class)).isEqualTo(config);
        assertThat(json).contains("\"type\":\"TCP\"").doesNotContain("monitorPort");
    }

    @Test
    void aPairsConfigurationRoundTripsAndNeverShowsTheKey() throws Exception {
        FailoverConfig pair = new FailoverConfig("10.0.0.2", 1985, 1985, 100, 100, false, RecordBoundsTest.KEY);
        AmphoraConfig config = seedScenario().withFailover(pair);
        assertThat(AgentApi.json().readValue(AgentApi.json().writeValueAsString(config), AmphoraConfig.class))
                .isEqualTo(config);
        assertThat(pair.keyBytes()).hasSize(32);
        assertThat(config.toString()).doesNotContain(RecordBoundsTest.KEY).contains("key=(hidden)");
        assertThat(config.withGeneration(9).failover()).isEqualTo(pair);
        assertThat(seedScenario().failover()).as("SINGLE").isNull();
        assertThat(AgentApi.json().writeValueAsString(seedScenario())).doesNotContain("failover");
    }

    @Test
    void monitorTypesUseOctaviaSpelling() throws Exception {
        assertThat(AgentApi.json().writeValueAsString(MonitorType.TLS_HELLO)).isEqualTo("\"TLS-HELLO\"");
        assertThat(AgentApi.json().readValue("\"UDP-CONNECT\"", MonitorType.class)).isEqualTo(MonitorType.UDP_CONNECT);
    }

    @Test
    void defaultsApply() {
        ListenerConfig listener = seedScenario().listeners().get(0);
        assertThat(listener.timeouts()).isEqualTo(ListenerTimeouts.DEFAULTS);
        HealthMonitorConfig monitor = seedScenario().pools().get(0).healthMonitor();
        assertThat(monitor.httpMethod()).isEqualTo("GET");
        assertThat(monitor.urlPath()).isEqualTo("/");
        assertThat(monitor.expectedCodes()).isEqualTo("200");
    }

    @Test
    void timeoutsAreBoundedAsOctaviaBoundsThem() {
        assertThatThrownBy(() -> new ListenerTimeouts(1000, 2000, 3000, 0, 0))
                .hasMessage("timeouts.httpRequestMillis: must be between 1 and 2073600000, got 0");
        assertThatThrownBy(() -> new ListenerTimeouts(1000, 2000, 3000, 0, ListenerTimeouts.MAX_MILLIS + 1))
                .hasMessage("timeouts.httpRequestMillis: must be between 1 and 2073600000, got 2073600001");
        assertThatThrownBy(() -> new ListenerTimeouts(0, 2000, 3000, 0, 1000))
                .hasMessage("timeouts.clientDataMillis: must be between 1 and 2073600000, got 0");
        assertThat(new ListenerTimeouts(ListenerTimeouts.MAX_MILLIS, ListenerTimeouts.MAX_MILLIS,
                ListenerTimeouts.MAX_MILLIS, ListenerTimeouts.MAX_MILLIS, ListenerTimeouts.MAX_MILLIS).clientDataMillis())
                .isEqualTo(2_073_600_000L);
    }

    @Test
    void rejectsTimeoutNotBelowDelay() {
        assertThatThrownBy(() -> new HealthMonitorConfig("hm", MonitorType.TCP, 4000, 4000, 3, 3,
                null, null, null, null, null, true))
                .hasMessage("healthMonitor.timeoutMillis: must be less than delayMillis (4000 >= 4000)");
    }

    @Test
    void rejectsListenerWithUnknownPool() {
        AmphoraConfig valid = seedScenario();
        ListenerConfig orphan = new ListenerConfig("l2", null, ListenerProtocol.TCP, 81, -1, true, "missing",
                null, null, null);
        assertThatThrownBy(() -> new AmphoraConfig(2, "lb", "127.100.0.1", true, List.of(orphan), valid.pools()))
                .hasMessage("listeners[l2].defaultPoolId: unknown pool missing");
    }

    @Test
    void rejectsTwoListenersOnOnePortButAllowsTcpAndUdp() {
        ListenerConfig http = new ListenerConfig("a", null, ListenerProtocol.HTTP, 80, -1, true, null, null, null, null);
        ListenerConfig tcp = new ListenerConfig("b", null, ListenerProtocol.TCP, 80, -1, true, null, null, null, null);
        ListenerConfig udp = new ListenerConfig("c", null, ListenerProtocol.UDP, 80, -1, true, null, null, null, null);
        assertThatThrownBy(() -> new AmphoraConfig(1, "lb", "127.0.0.2", true, List.of(http, tcp), List.of()))
                .hasMessage("listeners: two listeners on tcp port 80");
        assertThat(new AmphoraConfig(1, "lb", "127.0.0.2", true, List.of(http, udp), List.of()).listeners()).hasSize(2);
    }

    @Test
    void aListenerAndItsPoolAgreeOnTheTransport() {
        PoolConfig tcp = new PoolConfig("p", null, PoolProtocol.TCP, LbAlgorithm.ROUND_ROBIN, true, List.of(), null);
        PoolConfig udp = new PoolConfig("q", null, PoolProtocol.UDP, LbAlgorithm.ROUND_ROBIN, true, List.of(), null);
        ListenerConfig udpListener = new ListenerConfig("u", null, ListenerProtocol.UDP, 53, -1, true, "p", null, null,
                null);
        ListenerConfig tcpListener = new ListenerConfig("t", null, ListenerProtocol.TCP, 53, -1, true, "q", null, null,
                null);
        assertThatThrownBy(() -> new AmphoraConfig(1, "lb", "127.0.0.2", true, List.of(udpListener), List.of(tcp, udp)))
                .hasMessage("listeners[u].defaultPoolId: pool p is TCP, a UDP listener needs a udp pool");
        assertThatThrownBy(() -> new AmphoraConfig(1, "lb", "127.0.0.2", true, List.of(tcpListener), List.of(tcp, udp)))
                .hasMessage("listeners[t].defaultPoolId: pool q is UDP, a TCP listener needs a tcp pool");
        assertThat(new AmphoraConfig(1, "lb", "127.0.0.2", true, List.of(udpListener.withDefaultPool("q"),
                tcpListener.withDefaultPool("p")), List.of(tcp, udp)).listeners()).hasSize(2);
    }

    @Test
    void cookiePersistenceNeedsAListenerThatReadsHttp() {
        PoolConfig sticky = new PoolConfig("p", null, PoolProtocol.HTTP, LbAlgorithm.ROUND_ROBIN, true, List.of(), null,
                new SessionPersistenceConfig(SessionPersistenceConfig.Type.HTTP_COOKIE, null, null, null));
        ListenerConfig tcp = new ListenerConfig("l", null, ListenerProtocol.TCP, 80, -1, true, "p", null, null, null);
        assertThatThrownBy(() -> new AmphoraConfig(1, "lb", "127.0.0.2", true, List.of(tcp), List.of(sticky)))
                .hasMessage("listeners[l].defaultPoolId: pool p has sessionPersistence HTTP_COOKIE, which needs an HTTP "
                        + "listener, not TCP");
        ListenerConfig http = new ListenerConfig("l", null, ListenerProtocol.HTTP, 80, -1, true, "p", null, null, null);
        assertThat(new AmphoraConfig(1, "lb", "127.0.0.2", true, List.of(http), List.of(sticky)).pools()).hasSize(1);
        PoolConfig bySource = sticky.withSessionPersistence(
                new SessionPersistenceConfig(SessionPersistenceConfig.Type.SOURCE_IP, null, null, "255.255.255.0"));
        assertThat(new AmphoraConfig(1, "lb", "127.0.0.2", true, List.of(tcp), List.of(bySource)).pools()).hasSize(1);
    }

    @Test
    void listenersThatReadNoRequestsInsertNoHeadersAndMetricsTakeNoPool() {
        assertThatThrownBy(() -> new ListenerConfig("u", null, ListenerProtocol.UDP, 53, -1, true, null, null, null,
                List.of("X-Forwarded-For")))
                .hasMessage("listener[u].insertHeaders: a UDP listener reads no requests to insert headers into");
        assertThatThrownBy(() -> new ListenerConfig("t", null, ListenerProtocol.TCP, 80, -1, true, null, null, null,
                List.of("X-Real-IP")))
                .hasMessage("listener[t].insertHeaders: a TCP listener reads no requests to insert headers into");
        assertThatThrownBy(() -> new ListenerConfig("m", null, ListenerProtocol.PROMETHEUS, 9100, -1, true, "p", null,
                null, null))
                .hasMessage("listener[m].defaultPoolId: a PROMETHEUS listener serves the load balancer's metrics and "
                        + "takes no pool, got p");
    }

    @Test
    void invalidJsonIsRefusedWithTheRule() {
        assertThatThrownBy(() -> AgentApi.json().readValue(
                "{\"id\":\"m\",\"address\":\"127.0.0.1\",\"protocolPort\":80,\"weight\":300,\"backup\":false,"
                        + "\"adminStateUp\":true}", MemberConfig.class))
                .isInstanceOf(ValueInstantiationException.class)
                .hasMessageContaining("member.weight: must be between 0 and 256, got 300");
        assertThatThrownBy(() -> AgentApi.json().readValue("{\"appliedGeneration\":1,\"extra\":2}", ConfigAck.class))
                .isInstanceOf(UnrecognizedPropertyException.class);
    }

    @Test
    void expectedCodesAcceptOctaviaForms() {
        assertThat(ExpectedCodes.parse("200").matches(200)).isTrue();
        assertThat(ExpectedCodes.parse("200").matches(201)).isFalse();
        ExpectedCodes list = ExpectedCodes.parse("200, 202");
        assertThat(list.matches(202)).isTrue();
        assertThat(list.matches(201)).isFalse();
        ExpectedCodes range = ExpectedCodes.parse("200-204");
        assertThat(range.matches(204)).isTrue();
        assertThat(range.matches(205)).isFalse();
        assertThatThrownBy(() -> ExpectedCodes.parse("abc")).hasMessageContaining("healthMonitor.expectedCodes");
        assertThatThrownBy(() -> ExpectedCodes.parse("204-200")).hasMessageContaining("reversed");
    }

    @Test
    void sessionPersistenceRoundTripsAndIsChecked() throws Exception {
        PoolConfig plain = seedScenario().pools().get(0);
        PoolConfig sticky = new PoolConfig(plain.id(), plain.name(), plain.protocol(), plain.lbAlgorithm(), true,
                plain.members(), plain.healthMonitor(),
                new SessionPersistenceConfig(SessionPersistenceConfig.Type.APP_COOKIE, "JSESSIONID", 60_000L, null));
        String json = AgentApi.json().writeValueAsString(sticky);
        assertThat(AgentApi.json().readValue(json, PoolConfig.class)).isEqualTo(sticky);
        assertThat(AgentApi.json().readValue(AgentApi.json().writeValueAsString(plain), PoolConfig.class)
                .sessionPersistence()).isNull();

        assertThatThrownBy(() -> new SessionPersistenceConfig(SessionPersistenceConfig.Type.APP_COOKIE, null, null, null))
                .hasMessage("sessionPersistence.cookieName: must be set");
        assertThatThrownBy(() -> new SessionPersistenceConfig(SessionPersistenceConfig.Type.HTTP_COOKIE, "x", null, null))
                .hasMessage("sessionPersistence.cookieName: only allowed with type APP_COOKIE");
        assertThatThrownBy(() -> new SessionPersistenceConfig(SessionPersistenceConfig.Type.SOURCE_IP, null, null,
                "255.0.255.0"))
                .hasMessage("sessionPersistence.granularity: \"255.0.255.0\" is not an IPv4 netmask such as 255.255.255.0");
    }

    @Test
    void netmasksGivePrefixLengths() {
        assertThat(SessionPersistenceConfig.prefixLength("255.255.255.255")).isEqualTo(32);
        assertThat(SessionPersistenceConfig.prefixLength("255.255.255.0")).isEqualTo(24);
        assertThat(SessionPersistenceConfig.prefixLength("255.255.128.0")).isEqualTo(17);
        assertThat(SessionPersistenceConfig.prefixLength("0.0.0.0")).isZero();
        assertThatThrownBy(() -> SessionPersistenceConfig.prefixLength("255.255.256.0"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SessionPersistenceConfig.prefixLength("255.255"))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
