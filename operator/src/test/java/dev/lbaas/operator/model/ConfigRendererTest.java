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
import dev.lbaas.api.v1alpha1.HealthMonitor;
import dev.lbaas.api.v1alpha1.HealthMonitorSpec;
import dev.lbaas.api.v1alpha1.Listener;
import dev.lbaas.api.v1alpha1.ListenerProtocol;
import dev.lbaas.api.v1alpha1.ListenerTimeouts;
import dev.lbaas.api.v1alpha1.LoadBalancer;
import dev.lbaas.api.v1alpha1.Member;
import dev.lbaas.api.v1alpha1.Pool;
import dev.lbaas.api.v1alpha1.PoolProtocol;
import dev.lbaas.api.v1alpha1.SessionPersistence;
import dev.lbaas.api.v1alpha1.Topology;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ConfigRendererTest {

    private static final String VIP = "127.0.0.9";

    private final LoadBalancer lb = loadBalancer("lb");

    private RenderedConfig render(List<Listener> listeners, List<Pool> pools, List<Member> members,
            List<HealthMonitor> monitors, AmphoraConfig previous) {
        return ConfigRenderer.render(LoadBalancerTree.select(lb, listeners, pools, members, monitors), VIP,
                previous == null ? 1 : previous.generation() + 1, previous);
    }

    private static SessionPersistence persistence(SessionPersistence.Type type, String cookie) {
        SessionPersistence persistence = new SessionPersistence();
        persistence.setType(type);
        persistence.setCookieName(cookie);
        return persistence;
    }

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
    void aListenerNamingAPoolItCannotUseIsInErrorAndThePoolIsUntouched() {
        RenderedConfig rendered = render(List.of(listener("l", "lb", ListenerProtocol.HTTP, 80, "p")),
                List.of(pool("p", "lb", PoolProtocol.TCP)), List.of(member("m", "p", 8081)), List.of(), null);

        Verdict listener = rendered.verdict("l");
        assertThat(listener.reason()).isEqualTo("IncompatiblePool");
        assertThat(listener.message()).isEqualTo("defaultPoolRef: pool p cannot serve this listener: a HTTP listener "
                + "takes HTTP, PROXY or PROXYV2 pools, not TCP; the listener has no pool meanwhile");
        assertThat(listener.isError()).isTrue();
        assertThat(listener.accepted()).isTrue();
        assertThat(listener.resolvedRefs()).isFalse();
        assertThat(rendered.verdict("p")).isEqualTo(Verdict.OK);
        assertThat(rendered.verdict("m")).isEqualTo(Verdict.OK);
        assertThat(rendered.config().pool("p").members()).hasSize(1);
        assertThat(rendered.config().listeners()).singleElement()
                .satisfies(l -> assertThat(l.defaultPoolId()).isNull());
    }

    @Test
    void aNewUdpListenerNamingTheHttpPoolOfAServingListenerTakesNothingFromIt() {
        Listener http = listener("http", "lb", ListenerProtocol.HTTP, 80, "web");
        Pool web = pool("web", "lb", PoolProtocol.HTTP);
        Member member = member("m", "web", 8081);
        AmphoraConfig served = render(List.of(http), List.of(web), List.of(member), List.of(), null).config();

        Listener udp = listener("udp", "lb", ListenerProtocol.UDP, 53, "web");
        RenderedConfig rendered = render(List.of(http, udp), List.of(web), List.of(member), List.of(), served);

        assertThat(rendered.verdict("udp").reason()).isEqualTo("IncompatiblePool");
        assertThat(rendered.verdict("udp").message()).isEqualTo("defaultPoolRef: pool web cannot serve this listener: "
                + "a UDP listener takes UDP pools, not HTTP; the listener has no pool meanwhile");
        assertThat(rendered.verdict("http")).isEqualTo(Verdict.OK);
        assertThat(rendered.verdict("web")).isEqualTo(Verdict.OK);
        assertThat(rendered.config().listeners()).extracting(ListenerConfig::name, ListenerConfig::defaultPoolId)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("http", "web"),
                        org.assertj.core.groups.Tuple.tuple("udp", null));
    }

    @Test
    void aListenerSwitchedToAPoolItCannotUseKeepsItsPreviousPool() {
        Listener listener = listener("l", "lb", ListenerProtocol.HTTP, 80, "good");
        List<Pool> pools = List.of(pool("good", "lb", PoolProtocol.HTTP), pool("bad", "lb", PoolProtocol.TCP));
        AmphoraConfig served = render(List.of(listener), pools, List.of(), List.of(), null).config();
        assertThat(served.listeners().get(0).defaultPoolId()).isEqualTo("good");

        listener.getSpec().setDefaultPoolRef("bad");
        RenderedConfig rendered = render(List.of(listener), pools, List.of(), List.of(), served);

        assertThat(rendered.config().listeners().get(0).defaultPoolId()).isEqualTo("good");
        assertThat(rendered.verdict("bad")).isEqualTo(Verdict.OK);
        assertThat(rendered.verdict("l").message()).isEqualTo("defaultPoolRef: pool bad cannot serve this listener: "
                + "a HTTP listener takes HTTP, PROXY or PROXYV2 pools, not TCP; the listener keeps serving its "
                + "previous pool good");
    }

    @Test
    void aPoolNamingAListenerItCannotServeIsInErrorButKeepsServingTheListenerThatNamesIt() {
        Listener tcp = listener("tcp", "lb", ListenerProtocol.TCP, 81, "shared");
        Listener udp = listener("udp", "lb", ListenerProtocol.UDP, 53, null);
        Pool shared = pool("shared", "lb", PoolProtocol.TCP);
        shared.getSpec().setListenerRef("udp");

        RenderedConfig rendered = render(List.of(tcp, udp), List.of(shared), List.of(), List.of(), null);

        assertThat(rendered.verdict("shared").reason()).isEqualTo("IncompatibleListener");
        assertThat(rendered.verdict("shared").message()).isEqualTo("listenerRef: this pool cannot serve listener udp: "
                + "a UDP listener takes UDP pools, not TCP");
        assertThat(rendered.verdict("shared").served()).isTrue();
        assertThat(rendered.verdict("udp").reason()).isEqualTo("PoolNotAccepted");
        assertThat(rendered.verdict("udp").isError()).isFalse();
        assertThat(rendered.config().listeners()).extracting(ListenerConfig::defaultPoolId)
                .containsExactly("shared", null);
    }

    @Test
    void cookiePersistenceNeedsAListenerThatReadsHttp() {
        Pool sticky = pool("p", "lb", PoolProtocol.HTTP);
        SessionPersistence appCookie = persistence(SessionPersistence.Type.APP_COOKIE, "JSESSIONID");
        appCookie.setPersistenceTimeout(600);
        sticky.getSpec().setSessionPersistence(appCookie);

        RenderedConfig http = render(List.of(listener("l", "lb", ListenerProtocol.HTTP, 80, "p")), List.of(sticky),
                List.of(member("m", "p", 8081)), List.of(), null);
        assertThat(http.config().pools()).singleElement().satisfies(p -> assertThat(p.sessionPersistence())
                .isEqualTo(new SessionPersistenceConfig(SessionPersistenceConfig.Type.APP_COOKIE, "JSESSIONID",
                        600_000L, null)));

        RenderedConfig tcp = render(List.of(listener("t", "lb", ListenerProtocol.TCP, 80, "p")), List.of(sticky),
                List.of(member("m", "p", 8081)), List.of(), null);
        assertThat(tcp.verdict("t").reason()).isEqualTo("IncompatiblePool");
        assertThat(tcp.verdict("t").message()).isEqualTo("defaultPoolRef: pool p cannot serve this listener: "
                + "sessionPersistence APP_COOKIE needs an HTTP listener: cookies are not seen on a TCP listener; "
                + "the listener has no pool meanwhile");
        assertThat(tcp.verdict("p")).isEqualTo(Verdict.OK);
    }

    @Test
    void aPoolThatTurnsToCookiesBehindATcpListenerKeepsItsPreviousPersistence() {
        Listener tcp = listener("t", "lb", ListenerProtocol.TCP, 80, "p");
        Pool pool = pool("p", "lb", PoolProtocol.HTTP);
        pool.getSpec().setSessionPersistence(persistence(SessionPersistence.Type.SOURCE_IP, null));
        AmphoraConfig served = render(List.of(tcp), List.of(pool), List.of(), List.of(), null).config();

        pool.getSpec().setSessionPersistence(persistence(SessionPersistence.Type.HTTP_COOKIE, null));
        RenderedConfig rendered = render(List.of(tcp), List.of(pool), List.of(), List.of(), served);

        assertThat(rendered.config().listeners().get(0).defaultPoolId()).isEqualTo("p");
        assertThat(rendered.config().pool("p").sessionPersistence().type())
                .isEqualTo(SessionPersistenceConfig.Type.SOURCE_IP);
        Verdict verdict = rendered.verdict("p");
        assertThat(verdict.serving()).isEqualTo(Verdict.Serving.PREVIOUS);
        assertThat(verdict.isError()).isTrue();
        assertThat(verdict.message()).isEqualTo("sessionPersistence: HTTP_COOKIE needs HTTP listeners, but TCP "
                + "listener t uses this pool and sees no cookies; the previous sessionPersistence keeps being served");
        assertThat(rendered.verdict("t")).isEqualTo(Verdict.OK);
    }

    @Test
    void aListenerHasOneDefaultPool() {
        Listener named = listener("named", "lb", ListenerProtocol.HTTP, 80, "a");
        Listener claimed = listener("claimed", "lb", ListenerProtocol.HTTP, 81, null);
        Pool a = pool("a", "lb", PoolProtocol.HTTP);
        Pool intruder = pool("intruder", "lb", PoolProtocol.HTTP);
        intruder.getSpec().setListenerRef("named");
        Pool first = pool("first", "lb", PoolProtocol.HTTP);
        first.getSpec().setListenerRef("claimed");
        Pool second = pool("second", "lb", PoolProtocol.HTTP);
        second.getSpec().setListenerRef("claimed");

        RenderedConfig rendered = render(List.of(named, claimed), List.of(a, intruder, first, second), List.of(),
                List.of(), null);

        assertThat(rendered.config().listeners()).extracting(ListenerConfig::defaultPoolId).containsExactly("a", "first");
        assertThat(rendered.verdict("intruder").reason()).isEqualTo("DefaultPoolConflict");
        assertThat(rendered.verdict("intruder").message()).isEqualTo("listenerRef: listener named takes pool a as its "
                + "default pool (its defaultPoolRef), so this pool gets no traffic from it");
        assertThat(rendered.verdict("second").message()).isEqualTo("listenerRef: listener claimed already has default "
                + "pool first, which named it first, so this pool gets no traffic from it");
        assertThat(rendered.verdict("second").isError()).isTrue();
        assertThat(rendered.config().pools()).extracting(PoolConfig::name)
                .containsExactly("a", "intruder", "first", "second");
    }

    @Test
    void theListenerThatHoldsAPortKeepsItAndAnEditThatCollidesKeepsItsPreviousPort() {
        Listener older = listener("older", "lb", ListenerProtocol.HTTP, 81, null);
        Listener younger = listener("younger", "lb", ListenerProtocol.TCP, 80, null);
        AmphoraConfig served = render(List.of(older, younger), List.of(), List.of(), List.of(), null).config();

        older.getSpec().setProtocolPort(80);
        RenderedConfig rendered = render(List.of(older, younger), List.of(), List.of(), List.of(), served);

        assertThat(rendered.verdict("younger")).isEqualTo(Verdict.OK);
        assertThat(rendered.verdict("older").reason()).isEqualTo("PortConflict");
        assertThat(rendered.verdict("older").message()).isEqualTo("port 80/TCP is already used by listener younger; "
                + "its previous spec keeps being served");
        assertThat(rendered.config().listeners()).extracting(ListenerConfig::name, ListenerConfig::protocolPort)
                .containsExactlyInAnyOrder(org.assertj.core.groups.Tuple.tuple("older", 81),
                        org.assertj.core.groups.Tuple.tuple("younger", 80));
    }

    @Test
    void withNothingServedBeforeTheOlderListenerGetsAContestedPort() {
        Listener first = listener("first", "lb", ListenerProtocol.HTTP, 80, null);
        Listener second = listener("second", "lb", ListenerProtocol.TCP, 80, null);
        Listener udp = listener("udp", "lb", ListenerProtocol.UDP, 80, null);

        RenderedConfig rendered = render(List.of(second, first, udp), List.of(), List.of(), List.of(), null);

        assertThat(rendered.verdict("first").accepted()).isTrue();
        assertThat(rendered.verdict("second").reason()).isEqualTo("PortConflict");
        assertThat(rendered.verdict("second").message()).isEqualTo("port 80/TCP is already used by listener first");
        assertThat(rendered.verdict("udp").accepted()).as("UDP shares port numbers with TCP, as in Octavia").isTrue();
        assertThat(rendered.config().listeners()).extracting(ListenerConfig::name).containsExactlyInAnyOrder("first", "udp");
    }

    @Test
    void whatThisReleaseDoesNotServeIsRefusedWithWhatItServes() {
        Listener sctp = listener("sctp", "lb", ListenerProtocol.SCTP, 3868, null);
        Listener inspecting = listener("inspecting", "lb", ListenerProtocol.TCP, 80, null);
        ListenerTimeouts timeouts = new ListenerTimeouts();
        timeouts.setTcpInspect("5s");
        inspecting.getSpec().setTimeouts(timeouts);
        Pool sctpPool = pool("sctp-pool", "lb", PoolProtocol.SCTP);

        RenderedConfig rendered = render(List.of(sctp, inspecting), List.of(sctpPool), List.of(), List.of(), null);

        assertThat(rendered.verdict("sctp").reason()).isEqualTo("UnsupportedProtocol");
        assertThat(rendered.verdict("sctp").message()).isEqualTo("protocol SCTP is not served by this amphora release "
                + "yet; served: TCP, HTTP, HTTPS, TERMINATED_HTTPS, UDP and PROMETHEUS");
        assertThat(rendered.verdict("inspecting").reason()).isEqualTo("UnsupportedField");
        assertThat(rendered.verdict("inspecting").message()).isEqualTo("timeouts.tcpInspect: the amphora inspects no "
                + "TCP content (HTTP listeners read whole request heads, within timeouts.httpRequest); remove it or set "
                + "it to 0s");
        assertThat(rendered.verdict("sctp-pool").reason()).isEqualTo("UnsupportedProtocol");
        assertThat(rendered.config().listeners()).isEmpty();
        assertThat(rendered.config().pools()).isEmpty();
    }

    @Test
    void aListenerThatAsksForTcpInspectionKeepsItsPreviousSpec() {
        Listener listener = listener("l", "lb", ListenerProtocol.TCP, 80, null);
        AmphoraConfig served = render(List.of(listener), List.of(), List.of(), List.of(), null).config();
        ListenerTimeouts timeouts = new ListenerTimeouts();
        timeouts.setTcpInspect("5s");
        timeouts.setClientData("10s");
        listener.getSpec().setTimeouts(timeouts);

        RenderedConfig rendered = render(List.of(listener), List.of(), List.of(), List.of(), served);

        assertThat(rendered.verdict("l").serving()).isEqualTo(Verdict.Serving.PREVIOUS);
        assertThat(rendered.config().listeners().get(0).timeouts().clientDataMillis()).isEqualTo(50_000);
    }

    @Test
    void aLoadBalancerOfAMissingClassIsNotServedAndAPairIs() {
        lb.getSpec().setTopology(Topology.ACTIVE_STANDBY);
        RenderedConfig standby = render(List.of(listener("l", "lb", ListenerProtocol.HTTP, 80, null)), List.of(),
                List.of(), List.of(), null);
        assertThat(standby.config()).as("the same configuration for both amphorae of a pair").isNotNull();
        assertThat(standby.config().failover()).as("each amphora's part of the pair is added per amphora").isNull();
        assertThat(standby.verdict("l")).isEqualTo(Verdict.OK);

        lb.getSpec().setTopology(Topology.SINGLE);
        assertThat(render(List.of(), List.of(), List.of(), List.of(), null).config()).isNotNull();
        lb.getSpec().setClassName("gold");
        RenderedConfig classless = render(List.of(), List.of(), List.of(), List.of(), null);
        assertThat(classless.config()).isNull();
        // Waiting for the class, not a mistake of its own: no ERROR.
        assertThat(classless.verdict("lb")).isEqualTo(Verdict.blockedBy("ClassNotFound", "className: "
                + "LoadBalancerClass \"gold\" does not exist; this load balancer gets its VIP and amphorae once it is "
                + "created"));
    }

    @Test
    void aMonitorMustFitItsPoolAndAPoolHasOneMonitorWhichKeepsIt() {
        Pool pool = pool("p", "lb", PoolProtocol.HTTP);
        HealthMonitor incumbent = monitor("incumbent", "p", HealthMonitorSpec.Type.TCP);
        AmphoraConfig served = render(List.of(), List.of(pool), List.of(), List.of(incumbent), null).config();

        HealthMonitor older = monitor("older", "p", HealthMonitorSpec.Type.HTTP);
        older.getMetadata().setCreationTimestamp("2000-01-01T00:00:00Z");
        HealthMonitor udp = monitor("udp", "p", HealthMonitorSpec.Type.UDP_CONNECT);
        RenderedConfig rendered = render(List.of(), List.of(pool), List.of(), List.of(incumbent, older, udp), served);

        assertThat(rendered.config().pool("p").healthMonitor().id()).isEqualTo("incumbent");
        assertThat(rendered.verdict("older").reason()).isEqualTo("MonitorConflict");
        assertThat(rendered.verdict("older").message())
                .isEqualTo("pool p already has health monitor incumbent; a pool has one monitor");

        RenderedConfig alone = render(List.of(), List.of(pool), List.of(), List.of(udp), null);
        assertThat(alone.verdict("udp").reason()).isEqualTo("IncompatibleType");
        assertThat(alone.verdict("udp").message()).isEqualTo("type UDP-CONNECT cannot check the members of HTTP pool "
                + "p; allowed: HTTP, HTTPS, PING, TCP and TLS-HELLO");
        assertThat(alone.config().pool("p").healthMonitor()).isNull();
    }

    @Test
    void twoMembersOfAPoolCannotShareAnAddressAndPort() {
        Pool pool = pool("p", "lb", PoolProtocol.HTTP);
        Member first = member("first", "p", 8081);
        Member twin = member("twin", "p", 8081);
        Member elsewhere = member("elsewhere", "p", 8082);

        RenderedConfig rendered = render(List.of(), List.of(pool), List.of(first, twin, elsewhere), List.of(), null);

        assertThat(rendered.verdict("twin").reason()).isEqualTo("DuplicateMember");
        assertThat(rendered.verdict("twin").message()).isEqualTo("member first of pool p already has address "
                + "127.0.0.1:8081; a pool has one member per address and port");
        assertThat(rendered.config().pool("p").members()).extracting(m -> m.name()).containsExactly("first", "elsewhere");
    }

    @Test
    void aValueTheRecordsRefuseCostsOnlyItsObject() {
        Listener good = listener("good", "lb", ListenerProtocol.HTTP, 80, "p");
        Listener bad = listener("bad", "lb", ListenerProtocol.HTTP, 81, "p");
        ListenerTimeouts zero = new ListenerTimeouts();
        zero.setClientData("0s");
        bad.getSpec().setTimeouts(zero);
        HealthMonitor reversed = monitor("reversed", "p", HealthMonitorSpec.Type.HTTP);
        reversed.getSpec().setExpectedCodes("204-200");

        RenderedConfig rendered = render(List.of(good, bad), List.of(pool("p", "lb", PoolProtocol.HTTP)),
                List.of(member("m", "p", 8081)), List.of(reversed), null);

        assertThat(rendered.verdict("bad").reason()).isEqualTo("InvalidSpec");
        assertThat(rendered.verdict("bad").message()).isEqualTo("the amphora cannot serve this spec: "
                + "timeouts.clientDataMillis: must be between 1 and 2073600000, got 0");
        assertThat(rendered.verdict("reversed").message()).isEqualTo("the amphora cannot serve this spec: "
                + "healthMonitor.expectedCodes: range 204-200 is reversed");
        assertThat(rendered.verdict("good")).isEqualTo(Verdict.OK);
        assertThat(rendered.config().listeners()).extracting(ListenerConfig::name).containsExactly("good");
        assertThat(rendered.config().pool("p").members()).hasSize(1);
    }

    @Test
    void anAllowedNetworkOfTheOtherIpVersionThanTheVipIsRefused() {
        Listener listener = listener("l", "lb", ListenerProtocol.HTTP, 80, null);
        listener.getSpec().setAllowedCidrs(List.of("10.0.0.0/8", "2001:db8::/32"));

        RenderedConfig rendered = render(List.of(listener), List.of(), List.of(), List.of(), null);

        assertThat(rendered.verdict("l").reason()).isEqualTo("IncompatibleAllowedCidrs");
        assertThat(rendered.verdict("l").message()).isEqualTo("allowedCidrs[1]: 2001:db8::/32 is IPv6 but the VIP "
                + "127.0.0.9 is IPv4, so no client could ever match it");
        assertThat(rendered.config().listeners()).isEmpty();
    }

    @Test
    void aListenerOnAPortTheAmphoraUsesItselfIsRefusedAndAnEditToOneKeepsThePortItHad() {
        Map<String, String> reserved = Map.of("9443/TCP", "its agent API, on the kubernetes driver",
                "7112/UDP", "an ACTIVE_STANDBY pair's adverts, on the kubernetes driver");
        Listener agent = listener("agent", "lb", ListenerProtocol.HTTP, 9443, null);
        Listener dns = listener("dns", "lb", ListenerProtocol.UDP, 9443, null);
        Listener adverts = listener("adverts", "lb", ListenerProtocol.UDP, 7112, null);
        LoadBalancerTree tree = LoadBalancerTree.select(lb, List.of(agent, dns, adverts), List.of(), List.of(),
                List.of()).withReservedPorts(reserved);

        RenderedConfig rendered = ConfigRenderer.render(tree, VIP, 1, null);

        assertThat(rendered.verdict("agent").reason()).isEqualTo("PortReserved");
        assertThat(rendered.verdict("agent").accepted()).isFalse();
        assertThat(rendered.verdict("agent").message()).isEqualTo("protocolPort: 9443/TCP is where the amphora itself "
                + "listens (its agent API, on the kubernetes driver); choose another port");
        assertThat(rendered.verdict("dns")).as("UDP 9443 is free").isEqualTo(Verdict.OK);
        assertThat(rendered.verdict("adverts").reason()).isEqualTo("PortReserved");
        assertThat(rendered.config().listeners()).extracting(ListenerConfig::id).containsExactly(dns.getMetadata().getUid());

        // Served on 8443, then edited to 9443: 8443 stays served, the edit refused.
        Listener moved = listener("agent", "lb", ListenerProtocol.HTTP, 8443, null);
        AmphoraConfig before = ConfigRenderer.render(LoadBalancerTree.select(lb, List.of(moved), List.of(), List.of(),
                List.of()).withReservedPorts(reserved), VIP, 1, null).config();
        RenderedConfig edited = ConfigRenderer.render(LoadBalancerTree.select(lb, List.of(agent), List.of(), List.of(),
                List.of()).withReservedPorts(reserved), VIP, 2, before);
        assertThat(edited.verdict("agent").reason()).isEqualTo("PortReserved");
        assertThat(edited.config().listeners()).singleElement()
                .satisfies(l -> assertThat(l.protocolPort()).isEqualTo(8443));
    }

    @Test
    void aListenerWithAMissingPoolWaitsForIt() {
        RenderedConfig rendered = render(List.of(listener("l", "lb", ListenerProtocol.HTTP, 80, "nope")), List.of(),
                List.of(), List.of(), null);

        assertThat(rendered.verdict("l").resolvedRefs()).isFalse();
        assertThat(rendered.verdict("l").isError()).isFalse();
        assertThat(rendered.verdict("l").reason()).isEqualTo("PoolNotFound");
        assertThat(rendered.config().listeners()).hasSize(1);
    }

    @Test
    void aPrometheusListenerIsServedWithoutAPool() {
        RenderedConfig rendered = render(List.of(listener("metrics", "lb", ListenerProtocol.PROMETHEUS, 9100, null)),
                List.of(), List.of(), List.of(), null);
        assertThat(rendered.verdict("metrics")).isEqualTo(Verdict.OK);
        assertThat(rendered.config().listeners()).singleElement().satisfies(l -> {
            assertThat(l.protocol()).isEqualTo(dev.lbaas.amphora.config.ListenerProtocol.PROMETHEUS);
            assertThat(l.defaultPoolId()).isNull();
        });
    }

    @Test
    void timeoutsAreParsedFromDurations() {
        var listener = listener("l", "lb", ListenerProtocol.HTTP, 80, null);
        ListenerTimeouts timeouts = new ListenerTimeouts();
        timeouts.setClientData("1m30s");
        timeouts.setMemberConnect("500ms");
        timeouts.setMemberData("576h");
        timeouts.setHttpRequest("2s500ms");
        listener.getSpec().setTimeouts(timeouts);

        var rendered = render(List.of(listener), List.of(), List.of(), List.of(), null).config().listeners().get(0)
                .timeouts();
        assertThat(rendered.clientDataMillis()).isEqualTo(90_000);
        assertThat(rendered.memberConnectMillis()).isEqualTo(500);
        assertThat(rendered.memberDataMillis()).isEqualTo(576L * 3_600_000);
        assertThat(rendered.tcpInspectMillis()).isZero();
        assertThat(rendered.httpRequestMillis()).isEqualTo(2_500);
    }

    @Test
    void theDeadlineForHeadersDefaultsToTenSeconds() {
        RenderedConfig rendered = render(List.of(listener("l", "lb", ListenerProtocol.HTTP, 80, null)), List.of(),
                List.of(), List.of(), null);

        assertThat(rendered.config().listeners().get(0).timeouts().httpRequestMillis()).isEqualTo(10_000);
    }

    @Test
    void theOrderInWhichObjectsArriveChangesNothing() {
        List<Listener> listeners = new ArrayList<>(List.of(listener("a", "lb", ListenerProtocol.HTTP, 80, "p"),
                listener("b", "lb", ListenerProtocol.TCP, 80, "p"), listener("c", "lb", ListenerProtocol.TCP, 81, null)));
        Pool p = pool("p", "lb", PoolProtocol.HTTP);
        Pool q = pool("q", "lb", PoolProtocol.HTTP);
        q.getSpec().setListenerRef("c");
        Pool r = pool("r", "lb", PoolProtocol.TCP);
        r.getSpec().setListenerRef("c");
        List<Pool> pools = new ArrayList<>(List.of(p, q, r));
        List<Member> members = new ArrayList<>(List.of(member("m1", "p", 1), member("m2", "p", 1),
                member("m3", "q", 2)));
        List<HealthMonitor> monitors = new ArrayList<>(List.of(monitor("h1", "p", HealthMonitorSpec.Type.TCP),
                monitor("h2", "p", HealthMonitorSpec.Type.HTTP)));
        RenderedConfig reference = render(listeners, pools, members, monitors, null);
        assertThat(reference.verdicts()).containsKeys("b", "r", "m2", "h2");

        Random random = new Random(42);
        for (int i = 0; i < 20; i++) {
            Collections.shuffle(listeners, random);
            Collections.shuffle(pools, random);
            Collections.shuffle(members, random);
            Collections.shuffle(monitors, random);
            assertThat(render(listeners, pools, members, monitors, null)).isEqualTo(reference);
        }
    }

    @Test
    void everySwitchOffReachesTheRecords() {
        lb.getSpec().setAdminStateUp(false);
        Listener listener = listener("l", "lb", ListenerProtocol.HTTP, 80, "p");
        listener.getSpec().setAdminStateUp(false);
        listener.getSpec().setH2cPriorKnowledge(true);
        Pool pool = pool("p", "lb", PoolProtocol.HTTP);
        pool.getSpec().setAdminStateUp(false);
        pool.getSpec().setHttp2(true);
        Member member = member("m", "p", 8081);
        member.getSpec().setAdminStateUp(false);
        member.getSpec().setBackup(true);
        member.getSpec().setWeight(7);
        member.getSpec().setMonitorAddress("10.0.0.9");
        member.getSpec().setMonitorPort(9000);
        HealthMonitor monitor = monitor("hm", "p", HealthMonitorSpec.Type.HTTP);
        monitor.getSpec().setAdminStateUp(false);
        monitor.getSpec().setHttpMethod(HealthMonitorSpec.HttpMethod.HEAD);
        monitor.getSpec().setUrlPath("/healthz");
        monitor.getSpec().setExpectedCodes("200-204");
        monitor.getSpec().setMaxRetriesDown(7);

        AmphoraConfig config = render(List.of(listener), List.of(pool), List.of(member), List.of(monitor), null).config();

        assertThat(config.adminStateUp()).isFalse();
        assertThat(config.listeners().get(0).adminStateUp()).isFalse();
        assertThat(config.listeners().get(0).h2cPriorKnowledge()).isTrue();
        assertThat(config.pool("p").adminStateUp()).isFalse();
        assertThat(config.pool("p").http2()).isTrue();
        var memberConfig = config.pool("p").members().get(0);
        assertThat(memberConfig.adminStateUp()).isFalse();
        assertThat(memberConfig.backup()).isTrue();
        assertThat(memberConfig.weight()).isEqualTo(7);
        assertThat(memberConfig.effectiveMonitorAddress()).isEqualTo("10.0.0.9");
        assertThat(memberConfig.effectiveMonitorPort()).isEqualTo(9000);
        var monitorConfig = config.pool("p").healthMonitor();
        assertThat(monitorConfig.adminStateUp()).isFalse();
        assertThat(monitorConfig.httpMethod()).isEqualTo("HEAD");
        assertThat(monitorConfig.urlPath()).isEqualTo("/healthz");
        assertThat(monitorConfig.expectedCodes()).isEqualTo("200-204");
        assertThat(monitorConfig.maxRetriesDown()).isEqualTo(7);

        AmphoraConfig defaults = render(List.of(listener("l2", "lb", ListenerProtocol.HTTP, 80, "q")),
                List.of(pool("q", "lb", PoolProtocol.HTTP)), List.of(member("n", "q", 8081)),
                List.of(monitor("hm2", "q", HealthMonitorSpec.Type.TCP)), null).config();
        assertThat(defaults.listeners().get(0).adminStateUp()).isTrue();
        assertThat(defaults.listeners().get(0).h2cPriorKnowledge()).isFalse();
        assertThat(defaults.pool("q").adminStateUp()).isTrue();
        assertThat(defaults.pool("q").http2()).isFalse();
        assertThat(defaults.pool("q").members().get(0).adminStateUp()).isTrue();
        assertThat(defaults.pool("q").members().get(0).weight()).isEqualTo(1);
        assertThat(defaults.pool("q").healthMonitor().adminStateUp()).isTrue();
    }

    @Test
    void aMemberOrMonitorWhoseNewSpecCannotBeServedKeepsItsPreviousOne() {
        Pool pool = pool("p", "lb", PoolProtocol.HTTP);
        Member member = member("m", "p", 8081);
        HealthMonitor monitor = monitor("hm", "p", HealthMonitorSpec.Type.HTTP);
        AmphoraConfig served = render(List.of(), List.of(pool), List.of(member), List.of(monitor), null).config();

        member.getSpec().setWeight(300);
        monitor.getSpec().setExpectedCodes("204-200");
        monitor.getSpec().setUrlPath("/new");
        RenderedConfig rendered = render(List.of(), List.of(pool), List.of(member), List.of(monitor), served);

        assertThat(rendered.verdict("m").serving()).isEqualTo(Verdict.Serving.PREVIOUS);
        assertThat(rendered.verdict("m").message()).isEqualTo("the amphora cannot serve this spec: member.weight: must "
                + "be between 0 and 256, got 300; its previous spec keeps being served");
        assertThat(rendered.config().pool("p").members().get(0).weight()).isEqualTo(1);
        assertThat(rendered.verdict("hm").serving()).isEqualTo(Verdict.Serving.PREVIOUS);
        assertThat(rendered.config().pool("p").healthMonitor().urlPath()).isEqualTo("/");
    }

    @Test
    void aMonitorChangedToATypeItsPoolCannotUseKeepsItsPreviousType() {
        Pool pool = pool("p", "lb", PoolProtocol.HTTP);
        HealthMonitor monitor = monitor("hm", "p", HealthMonitorSpec.Type.TCP);
        AmphoraConfig served = render(List.of(), List.of(pool), List.of(), List.of(monitor), null).config();
        monitor.getSpec().setType(HealthMonitorSpec.Type.UDP_CONNECT);

        RenderedConfig rendered = render(List.of(), List.of(pool), List.of(), List.of(monitor), served);

        assertThat(rendered.verdict("hm").reason()).isEqualTo("IncompatibleType");
        assertThat(rendered.verdict("hm").serving()).isEqualTo(Verdict.Serving.PREVIOUS);
        assertThat(rendered.config().pool("p").healthMonitor().type()).isEqualTo(MonitorType.TCP);
        assertThat(render(List.of(), List.of(pool), List.of(), List.of(monitor), null).verdict("hm").served()).isFalse();
    }

    @Test
    void aMonitorOrMemberOfAPoolThatIsNotAcceptedWaitsForIt() {
        Pool sctp = pool("s", "lb", PoolProtocol.SCTP);
        HealthMonitor monitor = monitor("hm", "s", HealthMonitorSpec.Type.TCP);
        Member member = member("m", "s", 8081);

        RenderedConfig rendered = render(List.of(), List.of(sctp), List.of(member), List.of(monitor), null);

        assertThat(rendered.verdict("hm")).isEqualTo(Verdict.blockedBy("PoolNotAccepted",
                "pool s is not accepted (see its conditions)"));
        assertThat(rendered.verdict("m")).isEqualTo(Verdict.blockedBy("PoolNotAccepted",
                "pool s is not accepted (see its conditions)"));
        assertThat(rendered.verdict("m").served()).isFalse();
        assertThat(rendered.verdict("m").isError()).isFalse();
    }

    @Test
    void anIncumbentMemberKeepsItsAddressAgainstAnOlderOneThatMovesOntoIt() {
        Pool pool = pool("p", "lb", PoolProtocol.HTTP);
        Member older = member("older", "p", 8081);
        Member younger = member("younger", "p", 8082);
        AmphoraConfig served = render(List.of(), List.of(pool), List.of(older, younger), List.of(), null).config();
        older.getSpec().setProtocolPort(8082);

        RenderedConfig rendered = render(List.of(), List.of(pool), List.of(older, younger), List.of(), served);

        assertThat(rendered.verdict("younger")).isEqualTo(Verdict.OK);
        assertThat(rendered.verdict("older").reason()).isEqualTo("DuplicateMember");
        assertThat(rendered.verdict("older").serving()).isEqualTo(Verdict.Serving.PREVIOUS);
        assertThat(rendered.config().pool("p").members()).extracting(m -> m.name() + ":" + m.protocolPort())
                .containsExactlyInAnyOrder("older:8081", "younger:8082");
    }

    @Test
    void aPortKeptByAnEditThatCollidedIsNotGivenToANewcomer() {
        Listener older = listener("older", "lb", ListenerProtocol.HTTP, 81, null);
        Listener younger = listener("younger", "lb", ListenerProtocol.TCP, 80, null);
        AmphoraConfig served = render(List.of(older, younger), List.of(), List.of(), List.of(), null).config();
        older.getSpec().setProtocolPort(80);
        Listener newcomer = listener("newcomer", "lb", ListenerProtocol.TCP, 81, null);

        RenderedConfig rendered = render(List.of(older, younger, newcomer), List.of(), List.of(), List.of(), served);

        assertThat(rendered.verdict("older").serving()).isEqualTo(Verdict.Serving.PREVIOUS);
        assertThat(rendered.verdict("newcomer").reason()).isEqualTo("PortConflict");
        assertThat(rendered.verdict("newcomer").message()).isEqualTo("port 81/TCP is already used by listener older");
        assertThat(rendered.config().listeners()).extracting(ListenerConfig::name, ListenerConfig::protocolPort)
                .containsExactlyInAnyOrder(org.assertj.core.groups.Tuple.tuple("older", 81),
                        org.assertj.core.groups.Tuple.tuple("younger", 80));
    }

    @Test
    void aListenerWhoseOwnSpecIsRefusedKeepsItsPreviousPoolWhileThatStillFits() {
        Listener listener = listener("l", "lb", ListenerProtocol.TCP, 80, "a");
        Pool a = pool("a", "lb", PoolProtocol.TCP);
        Pool b = pool("b", "lb", PoolProtocol.TCP);
        AmphoraConfig served = render(List.of(listener), List.of(a, b), List.of(), List.of(), null).config();
        ListenerTimeouts inspect = new ListenerTimeouts();
        inspect.setTcpInspect("1s");
        listener.getSpec().setTimeouts(inspect);
        listener.getSpec().setDefaultPoolRef("b");

        RenderedConfig rendered = render(List.of(listener), List.of(a, b), List.of(), List.of(), served);
        assertThat(rendered.config().listeners().get(0).defaultPoolId()).isEqualTo("a");

        RenderedConfig poolGone = render(List.of(listener), List.of(b), List.of(), List.of(), served);
        assertThat(poolGone.config().listeners().get(0).defaultPoolId()).isNull();
    }

    @Test
    void theOldestPoolNamingAListenerWinsUnlessAnotherAlreadyServesIt() {
        Listener listener = listener("l", "lb", ListenerProtocol.HTTP, 80, null);
        Pool older = pool("older", "lb", PoolProtocol.HTTP);
        older.getSpec().setLoadBalancerRef(null);
        older.getSpec().setListenerRef("l");
        Pool younger = pool("younger", "lb", PoolProtocol.HTTP);
        younger.getSpec().setLoadBalancerRef(null);
        younger.getSpec().setListenerRef("l");
        AmphoraConfig firstOnly = render(List.of(listener), List.of(younger), List.of(), List.of(), null).config();

        RenderedConfig rendered = render(List.of(listener), List.of(older, younger), List.of(), List.of(), firstOnly);

        assertThat(rendered.config().listeners().get(0).defaultPoolId()).isEqualTo("younger");
        assertThat(rendered.verdict("older").reason()).isEqualTo("DefaultPoolConflict");
        assertThat(render(List.of(listener), List.of(older, younger), List.of(), List.of(), null).config().listeners()
                .get(0).defaultPoolId()).isEqualTo("older");
    }

    @Test
    void aPoolThatIsWrongForTwoListenersSaysSoForBoth() {
        Listener one = listener("one", "lb", ListenerProtocol.UDP, 53, null);
        Listener two = listener("two", "lb", ListenerProtocol.UDP, 54, null);
        Pool pool = pool("p", "lb", PoolProtocol.TCP);
        pool.getSpec().setLoadBalancerRef(null);
        pool.getSpec().setListenerRef("one");
        Pool other = pool("o", "lb", PoolProtocol.TCP);
        other.getSpec().setLoadBalancerRef(null);
        other.getSpec().setListenerRef("two");
        two.getSpec().setDefaultPoolRef("p");

        RenderedConfig rendered = render(List.of(one, two), List.of(pool, other), List.of(), List.of(), null);

        assertThat(rendered.verdict("p").message()).isEqualTo("listenerRef: this pool cannot serve listener one: a UDP "
                + "listener takes UDP pools, not TCP");
        assertThat(rendered.verdict("o").message()).isEqualTo("listenerRef: listener two takes pool p as its default "
                + "pool (its defaultPoolRef), so this pool gets no traffic from it");
        assertThat(rendered.verdict("two").reason()).isEqualTo("IncompatiblePool");
    }

    @Test
    void allowedNetworksAreCheckedAgainstAnIpv6VipToo() {
        Listener listener = listener("l", "lb", ListenerProtocol.HTTP, 80, null);
        listener.getSpec().setAllowedCidrs(List.of("2001:db8::/32"));
        RenderedConfig six = ConfigRenderer.render(LoadBalancerTree.select(lb, List.of(listener), List.of(), List.of(),
                List.of()), "2001:db8::10", 1);
        assertThat(six.verdict("l")).isEqualTo(Verdict.OK);
        listener.getSpec().setAllowedCidrs(List.of("10.0.0.0/8"));
        RenderedConfig four = ConfigRenderer.render(LoadBalancerTree.select(lb, List.of(listener), List.of(), List.of(),
                List.of()), "2001:db8::10", 1);
        assertThat(four.verdict("l").message()).isEqualTo("allowedCidrs[0]: 10.0.0.0/8 is IPv4 but the VIP 2001:db8::10 "
                + "is IPv6, so no client could ever match it");
    }

    @Test
    void whatTheLoadBalancerAsksDecidesWhetherItIsServedAtAll() {
        assertThat(ConfigRenderer.accepted(treeOfLb())).isTrue();
        lb.getSpec().setTopology(Topology.SINGLE);
        assertThat(ConfigRenderer.accepted(treeOfLb())).isTrue();
        lb.getSpec().setTopology(Topology.ACTIVE_STANDBY);
        assertThat(ConfigRenderer.accepted(treeOfLb())).isTrue();
        assertThat(ConfigRenderer.accepted(treeOfLb().withClass(ClassChoice.of(lb, List.of(),
                EnumSet.of(Topology.SINGLE), "kubernetes")))).isFalse();
        lb.getSpec().setTopology(null);
        lb.getSpec().setClassName("gold");
        assertThat(ConfigRenderer.accepted(treeOfLb())).isFalse();
    }

    private LoadBalancerTree treeOfLb() {
        return LoadBalancerTree.select(lb, List.of(), List.of(), List.of(), List.of());
    }

    @Test
    void aMonitorTypeThisReleaseDoesNotServeIsRefused() {
        RenderedConfig rendered = render(List.of(), List.of(pool("p", "lb", PoolProtocol.UDP)), List.of(),
                List.of(monitor("hm", "p", HealthMonitorSpec.Type.SCTP)), null);
        assertThat(rendered.verdict("hm").reason()).isEqualTo("UnsupportedType");
        assertThat(rendered.verdict("hm").message()).isEqualTo("type SCTP is not served by this amphora release yet; "
                + "served: HTTP, HTTPS, PING, TCP, TLS-HELLO and UDP-CONNECT");
    }

    @Test
    void aMemberWrittenByHandIsNotServedInAPoolThatSelectsItsMembers() {
        Pool pool = pool("p", "lb", PoolProtocol.HTTP);
        dev.lbaas.api.v1alpha1.MemberSelector selector = new dev.lbaas.api.v1alpha1.MemberSelector();
        selector.setService("web");
        selector.setPortName("http");
        pool.getSpec().setMemberSelector(selector);
        Member byHand = member("by-hand", "p", 8080);
        Member selected = member("p-10-0-0-7-8080", "p", 8081);
        selected.getMetadata().getLabels().put(Member.SELECTED_BY, "p");

        RenderedConfig rendered = render(List.of(), List.of(pool), List.of(byHand, selected), List.of(), null);

        assertThat(rendered.verdict("p-10-0-0-7-8080")).isEqualTo(Verdict.OK);
        assertThat(rendered.verdict("by-hand")).isEqualTo(Verdict.rejected("MemberSelectorConflict", "poolRef: pool p "
                + "takes its members from Service web (memberSelector); a member written by hand is not served in it"));
        assertThat(rendered.config().pools().get(0).members()).extracting(m -> m.id()).containsExactly("p-10-0-0-7-8080");
    }

    @Test
    void aConflictNamesTheHoldersNameNotItsUid() {
        Pool pool = pool("p", "lb", PoolProtocol.HTTP);
        HealthMonitor holder = monitor("holder", "p", HealthMonitorSpec.Type.TCP);
        holder.getMetadata().setUid("7f3c-holder-uid");
        HealthMonitor second = monitor("second", "p", HealthMonitorSpec.Type.TCP);

        RenderedConfig rendered = render(List.of(), List.of(pool), List.of(), List.of(holder, second), null);

        assertThat(rendered.verdict("second").message())
                .isEqualTo("pool p already has health monitor holder; a pool has one monitor");
    }
}
