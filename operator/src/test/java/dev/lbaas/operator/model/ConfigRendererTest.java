package dev.lbaas.operator.model;

import static dev.lbaas.operator.model.Fixtures.listener;
import static dev.lbaas.operator.model.Fixtures.loadBalancer;
import static dev.lbaas.operator.model.Fixtures.member;
import static dev.lbaas.operator.model.Fixtures.monitor;
import static dev.lbaas.operator.model.Fixtures.pool;
import static org.assertj.core.api.Assertions.assertThat;

import dev.lbaas.amphora.config.AmphoraConfig;
import dev.lbaas.amphora.config.LbAlgorithm;
import dev.lbaas.amphora.config.ListenerConfig;
import dev.lbaas.amphora.config.MonitorType;
import dev.lbaas.amphora.config.PoolConfig;
import dev.lbaas.amphora.config.SessionPersistenceConfig;
import dev.lbaas.api.v1alpha1.HealthMonitorSpec;
import dev.lbaas.api.v1alpha1.ListenerProtocol;
import dev.lbaas.api.v1alpha1.ListenerTimeouts;
import dev.lbaas.api.v1alpha1.PoolProtocol;
import dev.lbaas.api.v1alpha1.SessionPersistence;
import java.util.List;
import org.junit.jupiter.api.Test;

class ConfigRendererTest {

    @Test
    void rendersTheSeedScenario() {
        RenderedConfig rendered = ConfigRenderer.render(Fixtures.seedScenario(), "127.100.0.7", 1);
        AmphoraConfig config = rendered.config();

        assertThat(config.vipAddress()).isEqualTo("127.100.0.7");
        assertThat(config.loadBalancerId()).isEqualTo("lb-web");
        ListenerConfig listener = config.listeners().get(0);
        assertThat(listener.protocol()).isEqualTo(dev.lbaas.amphora.config.ListenerProtocol.HTTP);
        assertThat(listener.protocolPort()).isEqualTo(80);
        assertThat(listener.defaultPoolId()).isEqualTo("pool-web");
        assertThat(listener.connectionLimit()).isEqualTo(-1);
        PoolConfig pool = config.pool("pool-web");
        assertThat(pool.lbAlgorithm()).isEqualTo(LbAlgorithm.ROUND_ROBIN);
        assertThat(pool.members()).extracting(m -> m.name() + "@" + m.address() + ":" + m.protocolPort() + "/w" + m.weight())
                .containsExactly("web1@127.0.0.1:8081/w1", "web2@127.0.0.1:8082/w1");
        assertThat(pool.healthMonitor().type()).isEqualTo(MonitorType.TCP);
        assertThat(pool.healthMonitor().delayMillis()).isEqualTo(5000);
        assertThat(pool.healthMonitor().timeoutMillis()).isEqualTo(4000);
        assertThat(pool.healthMonitor().maxRetries()).isEqualTo(3);
        assertThat(pool.healthMonitor().maxRetriesDown()).isEqualTo(3);
        assertThat(rendered.verdicts()).isEmpty();
    }

    @Test
    void poolIncompatibleWithItsListenerIsRejectedAndTheListenerServesWithoutIt() {
        var lb = loadBalancer("lb");
        var tree = LoadBalancerTree.select(lb,
                List.of(listener("l", "lb", ListenerProtocol.HTTP, 80, "p")),
                List.of(pool("p", "lb", PoolProtocol.TCP)),
                List.of(member("m", "p", 8081)), List.of());

        RenderedConfig rendered = ConfigRenderer.render(tree, "127.0.0.9", 1);

        assertThat(rendered.verdict("p").accepted()).isFalse();
        assertThat(rendered.verdict("p").reason()).isEqualTo("IncompatibleProtocol");
        assertThat(rendered.verdict("p").message()).isEqualTo(
                "protocol TCP cannot serve HTTP listener l; allowed: [HTTP, PROXY, PROXYV2]");
        assertThat(rendered.verdict("l").resolvedRefs()).isFalse();
        assertThat(rendered.verdict("l").served()).isTrue();
        assertThat(rendered.verdict("m").served()).isFalse();
        assertThat(rendered.config().pools()).isEmpty();
        assertThat(rendered.config().listeners()).singleElement()
                .satisfies(l -> assertThat(l.defaultPoolId()).isNull());
    }

    @Test
    void sessionPersistenceIsRenderedAndCookiesNeedAnHttpListener() {
        var lb = loadBalancer("lb");
        var sticky = pool("p", "lb", PoolProtocol.HTTP);
        var persistence = new SessionPersistence();
        persistence.setType(SessionPersistence.Type.APP_COOKIE);
        persistence.setCookieName("JSESSIONID");
        persistence.setPersistenceTimeout(600);
        sticky.getSpec().setSessionPersistence(persistence);

        RenderedConfig http = ConfigRenderer.render(LoadBalancerTree.select(lb,
                List.of(listener("l", "lb", ListenerProtocol.HTTP, 80, "p")), List.of(sticky),
                List.of(member("m", "p", 8081)), List.of()), "127.0.0.9", 1);
        assertThat(http.config().pools()).singleElement().satisfies(p -> assertThat(p.sessionPersistence())
                .isEqualTo(new SessionPersistenceConfig(SessionPersistenceConfig.Type.APP_COOKIE, "JSESSIONID",
                        600_000L, null)));

        RenderedConfig tcp = ConfigRenderer.render(LoadBalancerTree.select(lb,
                List.of(listener("l", "lb", ListenerProtocol.TCP, 80, "p")), List.of(sticky),
                List.of(member("m", "p", 8081)), List.of()), "127.0.0.9", 1);
        assertThat(tcp.verdict("p").accepted()).isFalse();
        assertThat(tcp.verdict("p").message()).isEqualTo(
                "sessionPersistence APP_COOKIE needs an HTTP listener: cookies are not seen on TCP listener l");
        assertThat(tcp.config().pools()).isEmpty();
    }

    @Test
    void aPrometheusListenerIsServedWithoutAPool() {
        var lb = loadBalancer("lb");
        RenderedConfig rendered = ConfigRenderer.render(LoadBalancerTree.select(lb,
                List.of(listener("metrics", "lb", ListenerProtocol.PROMETHEUS, 9100, null)), List.of(), List.of(),
                List.of()), "127.0.0.9", 1);
        assertThat(rendered.verdict("metrics").accepted()).isTrue();
        assertThat(rendered.config().listeners()).singleElement().satisfies(l -> {
            assertThat(l.protocol()).isEqualTo(dev.lbaas.amphora.config.ListenerProtocol.PROMETHEUS);
            assertThat(l.defaultPoolId()).isNull();
        });
    }

    @Test
    void listenerKeepsItsLastGoodPoolWhenSwitchedToAnIncompatibleOne() {
        var lb = loadBalancer("lb");
        var listener = listener("l", "lb", ListenerProtocol.HTTP, 80, "good");
        var good = pool("good", "lb", PoolProtocol.HTTP);
        var bad = pool("bad", "lb", PoolProtocol.TCP);
        AmphoraConfig served = ConfigRenderer.render(
                LoadBalancerTree.select(lb, List.of(listener), List.of(good, bad), List.of(), List.of()), "127.0.0.9", 1)
                .config();
        assertThat(served.listeners().get(0).defaultPoolId()).isEqualTo("good");

        listener.getSpec().setDefaultPoolRef("bad");
        RenderedConfig rendered = ConfigRenderer.render(
                LoadBalancerTree.select(lb, List.of(listener), List.of(good, bad), List.of(), List.of()), "127.0.0.9", 2,
                served);

        assertThat(rendered.config().listeners().get(0).defaultPoolId()).isEqualTo("good");
        assertThat(rendered.verdict("bad").reason()).isEqualTo("IncompatibleProtocol");
        assertThat(rendered.verdict("l").message())
                .isEqualTo("default pool bad is not accepted (see its conditions); the listener keeps serving its previous pool good");
    }

    @Test
    void theOlderListenerKeepsAContestedPort() {
        var lb = loadBalancer("lb");
        var first = listener("first", "lb", ListenerProtocol.HTTP, 80, null);
        var second = listener("second", "lb", ListenerProtocol.TCP, 80, null);
        var udp = listener("udp", "lb", ListenerProtocol.UDP, 80, null);

        RenderedConfig rendered = ConfigRenderer.render(
                LoadBalancerTree.select(lb, List.of(second, first, udp), List.of(), List.of(), List.of()), "127.0.0.9", 1);

        assertThat(rendered.verdict("first").accepted()).isTrue();
        assertThat(rendered.verdict("second").reason()).isEqualTo("PortConflict");
        assertThat(rendered.verdict("second").message()).isEqualTo("port 80/TCP is already used by listener first");
        assertThat(rendered.verdict("udp").accepted()).as("UDP shares port numbers with TCP, as in Octavia").isTrue();
        assertThat(rendered.config().listeners()).extracting(ListenerConfig::name).containsExactlyInAnyOrder("first", "udp");
    }

    @Test
    void aProtocolTheAmphoraDoesNotServeIsRefusedWithWhatItServes() {
        var tree = LoadBalancerTree.select(loadBalancer("lb"),
                List.of(listener("sctp", "lb", ListenerProtocol.SCTP, 3868, null)), List.of(), List.of(), List.of());

        RenderedConfig rendered = ConfigRenderer.render(tree, "127.0.0.9", 1);

        assertThat(rendered.verdict("sctp").reason()).isEqualTo("UnsupportedProtocol");
        assertThat(rendered.verdict("sctp").message()).isEqualTo("protocol SCTP is not served by this amphora release yet;"
                + " served: [TCP, HTTP, HTTPS, UDP, PROMETHEUS]");
        assertThat(rendered.config().listeners()).isEmpty();
    }

    @Test
    void monitorTypeMustFitThePoolAndOnlyOneMonitorPerPool() {
        var lb = loadBalancer("lb");
        var tree = LoadBalancerTree.select(lb, List.of(), List.of(pool("p", "lb", PoolProtocol.HTTP)), List.of(),
                List.of(monitor("first", "p", HealthMonitorSpec.Type.HTTP), monitor("second", "p", HealthMonitorSpec.Type.TCP),
                        monitor("udp", "p", HealthMonitorSpec.Type.UDP_CONNECT)));

        RenderedConfig rendered = ConfigRenderer.render(tree, "127.0.0.9", 1);

        assertThat(rendered.config().pool("p").healthMonitor().id()).isEqualTo("first");
        assertThat(rendered.verdict("second").reason()).isEqualTo("MonitorConflict");
        assertThat(rendered.verdict("udp").reason()).isEqualTo("MonitorConflict");
    }

    @Test
    void listenerWithMissingPoolIsUnresolvedButServed() {
        var tree = LoadBalancerTree.select(loadBalancer("lb"),
                List.of(listener("l", "lb", ListenerProtocol.HTTP, 80, "nope")), List.of(), List.of(), List.of());

        RenderedConfig rendered = ConfigRenderer.render(tree, "127.0.0.9", 1);

        assertThat(rendered.verdict("l").resolvedRefs()).isFalse();
        assertThat(rendered.verdict("l").reason()).isEqualTo("PoolNotFound");
        assertThat(rendered.config().listeners()).hasSize(1);
    }

    @Test
    void timeoutsAreParsedFromDurations() {
        var listener = listener("l", "lb", ListenerProtocol.HTTP, 80, null);
        ListenerTimeouts timeouts = new ListenerTimeouts();
        timeouts.setClientData("1m30s");
        timeouts.setMemberConnect("500ms");
        timeouts.setHttpRequest("2s500ms");
        listener.getSpec().setTimeouts(timeouts);

        RenderedConfig rendered = ConfigRenderer.render(
                LoadBalancerTree.select(loadBalancer("lb"), List.of(listener), List.of(), List.of(), List.of()),
                "127.0.0.9", 1);

        var rendered0 = rendered.config().listeners().get(0).timeouts();
        assertThat(rendered0.clientDataMillis()).isEqualTo(90_000);
        assertThat(rendered0.memberConnectMillis()).isEqualTo(500);
        assertThat(rendered0.memberDataMillis()).isEqualTo(50_000);
        assertThat(rendered0.tcpInspectMillis()).isZero();
        assertThat(rendered0.httpRequestMillis()).isEqualTo(2_500);
    }

    @Test
    void theDeadlineForHeadersDefaultsToTenSeconds() {
        RenderedConfig rendered = ConfigRenderer.render(LoadBalancerTree.select(loadBalancer("lb"),
                List.of(listener("l", "lb", ListenerProtocol.HTTP, 80, null)), List.of(), List.of(), List.of()),
                "127.0.0.9", 1);

        assertThat(rendered.config().listeners().get(0).timeouts().httpRequestMillis()).isEqualTo(10_000);
    }

    @Test
    void renderingIsDeterministic() {
        assertThat(ConfigRenderer.render(Fixtures.seedScenario(), "127.0.0.9", 1))
                .isEqualTo(ConfigRenderer.render(Fixtures.seedScenario(), "127.0.0.9", 1));
    }
}
