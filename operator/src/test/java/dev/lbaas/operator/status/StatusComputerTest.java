package dev.lbaas.operator.status;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import dev.lbaas.amphora.config.AmphoraStatus;
import dev.lbaas.amphora.config.MemberHealth;
import dev.lbaas.amphora.config.TrafficStats;
import dev.lbaas.api.v1alpha1.AmphoraInfo;
import dev.lbaas.api.v1alpha1.HealthMonitor;
import dev.lbaas.api.v1alpha1.HealthMonitorSpec;
import dev.lbaas.api.v1alpha1.LbaasStatus;
import dev.lbaas.api.v1alpha1.LoadBalancerStatus;
import dev.lbaas.api.v1alpha1.Member;
import dev.lbaas.api.v1alpha1.Pool;
import dev.lbaas.api.v1alpha1.PoolProtocol;
import dev.lbaas.api.v1alpha1.StatusTree;
import dev.lbaas.api.v1alpha1.Topology;
import dev.lbaas.api.v1alpha1.OperatingStatus;
import dev.lbaas.api.v1alpha1.ProvisioningStatus;
import dev.lbaas.operator.model.ClassChoice;
import dev.lbaas.operator.model.ConfigRenderer;
import dev.lbaas.operator.model.Fixtures;
import dev.lbaas.operator.model.LoadBalancerTree;
import dev.lbaas.operator.model.RenderedConfig;
import io.fabric8.kubernetes.api.model.Condition;
import java.time.Instant;
import java.util.HashMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StatusComputerTest {

    private static final Instant NOW = Instant.parse("2026-11-22T10:00:00Z");

    private LoadBalancerTree tree = Fixtures.seedScenario();
    private final RenderedConfig rendered = ConfigRenderer.render(tree, "127.100.0.1", 1);

    @Test
    void pendingCreateUntilTheAmphoraServesTheGeneration() {
        StatusComputer.Result result = StatusComputer.compute(tree, rendered, programming(0, null, null), NOW);

        assertThat(result.loadBalancer().getProvisioningStatus()).isEqualTo(ProvisioningStatus.PENDING_CREATE);
        assertThat(result.loadBalancer().getOperatingStatus()).isEqualTo(OperatingStatus.OFFLINE);
        LbaasStatus member = result.children().get("web1");
        assertThat(member.getProvisioningStatus()).isEqualTo(ProvisioningStatus.PENDING_CREATE);
        assertThat(condition(member, "Programmed").getReason()).isEqualTo("Pending");
        assertThat(condition(member, "Ready").getStatus()).isEqualTo("False");
    }

    @Test
    void activeAndOnlineWhenServedAndHealthy() {
        StatusComputer.Result result = StatusComputer.compute(tree, rendered,
                programming(1, null, report(MemberHealth.UP, MemberHealth.UP)), NOW);

        assertThat(result.loadBalancer().getProvisioningStatus()).isEqualTo(ProvisioningStatus.ACTIVE);
        assertThat(result.loadBalancer().getOperatingStatus()).isEqualTo(OperatingStatus.ONLINE);
        assertThat(result.loadBalancer().getAmphorae()).singleElement()
                .satisfies(a -> assertThat(a.getRole()).isEqualTo(AmphoraInfo.Role.STANDALONE));
        assertThat(result.loadBalancer().getStats().getTotalConnections()).isEqualTo(7);
        for (String uid : List.of("listener-web", "pool-web", "web1", "web2", "monitor-web")) {
            assertThat(result.children().get(uid).getProvisioningStatus()).as(uid).isEqualTo(ProvisioningStatus.ACTIVE);
            assertThat(result.children().get(uid).getOperatingStatus()).as(uid).isEqualTo(OperatingStatus.ONLINE);
            assertThat(condition(result.children().get(uid), "Ready").getStatus()).as(uid).isEqualTo("True");
        }
        assertThat(result.events()).isEmpty();
    }

    @Test
    void servedByEveryAmphoraIsNotReadyUntilTheVipReachesThem() {
        Programming served = programming(1, null, report(MemberHealth.UP, MemberHealth.UP));
        Programming unreachableVip = new Programming(served.desiredGeneration(), served.introducedIn(),
                served.amphorae(), false);

        StatusComputer.Result result = StatusComputer.compute(tree, rendered, unreachableVip, NOW);

        assertThat(result.loadBalancer().getProvisioningStatus()).isEqualTo(ProvisioningStatus.PENDING_CREATE);
        Condition programmed = condition(result.children().get("listener-web"), "Programmed");
        assertThat(programmed.getReason()).isEqualTo("Pending");
        assertThat(programmed.getMessage()).isEqualTo("served by every amphora; waiting for the VIP to reach them");
        assertThat(condition(result.loadBalancer(), "Ready").getStatus()).isEqualTo("False");
    }

    @Test
    void oneMemberDownDegradesPoolAndLoadBalancerAndTellsPeople() {
        tree.members().get(0).setStatus(status(OperatingStatus.ONLINE));

        StatusComputer.Result result = StatusComputer.compute(tree, rendered,
                programming(1, null, report(MemberHealth.DOWN, MemberHealth.UP)), NOW);

        assertThat(result.children().get("web1").getOperatingStatus()).isEqualTo(OperatingStatus.ERROR);
        assertThat(result.children().get("web2").getOperatingStatus()).isEqualTo(OperatingStatus.ONLINE);
        assertThat(result.children().get("pool-web").getOperatingStatus()).isEqualTo(OperatingStatus.DEGRADED);
        assertThat(result.loadBalancer().getOperatingStatus()).isEqualTo(OperatingStatus.DEGRADED);
        assertThat(result.events()).singleElement().satisfies(e -> {
            assertThat(e.reason()).isEqualTo("MemberDown");
            assertThat(e.warning()).isTrue();
            assertThat(e.message()).contains("web1", "127.0.0.1:8081");
        });
    }

    @Test
    void allMembersDownIsAnError() {
        StatusComputer.Result result = StatusComputer.compute(tree, rendered,
                programming(1, null, report(MemberHealth.DOWN, MemberHealth.DOWN)), NOW);

        assertThat(result.children().get("pool-web").getOperatingStatus()).isEqualTo(OperatingStatus.ERROR);
        assertThat(result.loadBalancer().getOperatingStatus()).isEqualTo(OperatingStatus.ERROR);
    }

    @Test
    void memberBackUpIsAnnounced() {
        tree.members().get(0).setStatus(status(OperatingStatus.ERROR));

        StatusComputer.Result result = StatusComputer.compute(tree, rendered,
                programming(1, null, report(MemberHealth.UP, MemberHealth.UP)), NOW);

        assertThat(result.events()).singleElement().satisfies(e -> assertThat(e.reason()).isEqualTo("MemberUp"));
    }

    @Test
    void drainingAndDisabledMembers() {
        tree.members().get(0).getSpec().setWeight(0);
        tree.members().get(1).getSpec().setAdminStateUp(false);

        StatusComputer.Result result = StatusComputer.compute(tree, rendered,
                programming(1, null, report(MemberHealth.UP, MemberHealth.UP)), NOW);

        assertThat(result.children().get("web1").getOperatingStatus()).isEqualTo(OperatingStatus.DRAINING);
        assertThat(result.children().get("web2").getOperatingStatus()).isEqualTo(OperatingStatus.OFFLINE);
    }

    @Test
    void membersOfAPoolWithoutMonitorHaveNoMonitor() {
        LoadBalancerTree unmonitored = withoutMonitors();
        RenderedConfig config = ConfigRenderer.render(unmonitored, "127.100.0.1", 1);

        StatusComputer.Result result = StatusComputer.compute(unmonitored, config,
                programming(1, null, report(MemberHealth.NO_MONITOR, MemberHealth.NO_MONITOR)), NOW);

        assertThat(result.children().get("web1").getOperatingStatus()).isEqualTo(OperatingStatus.NO_MONITOR);
        assertThat(result.children().get("pool-web").getOperatingStatus()).isEqualTo(OperatingStatus.ONLINE);
    }

    @Test
    void aMemberWithoutMonitorThatRefusesConnectionsIsAnErrorUntilItAcceptsAgain() {
        LoadBalancerTree unmonitored = withoutMonitors();
        RenderedConfig config = ConfigRenderer.render(unmonitored, "127.100.0.1", 1);

        StatusComputer.Result down = StatusComputer.compute(unmonitored, config,
                programming(1, null, report(MemberHealth.DOWN, MemberHealth.NO_MONITOR)), NOW);

        assertThat(down.children().get("web1").getOperatingStatus()).isEqualTo(OperatingStatus.ERROR);
        assertThat(down.children().get("web2").getOperatingStatus()).isEqualTo(OperatingStatus.NO_MONITOR);
        assertThat(down.children().get("pool-web").getOperatingStatus()).isEqualTo(OperatingStatus.DEGRADED);
        assertThat(down.events()).singleElement().satisfies(e -> {
            assertThat(e.reason()).isEqualTo("MemberDown");
            assertThat(e.message()).contains("web1", "refused connections");
        });

        unmonitored.members().get(0).setStatus(status(OperatingStatus.ERROR));
        StatusComputer.Result back = StatusComputer.compute(unmonitored, config,
                programming(1, null, report(MemberHealth.NO_MONITOR, MemberHealth.NO_MONITOR)), NOW);

        assertThat(back.children().get("web1").getOperatingStatus()).isEqualTo(OperatingStatus.NO_MONITOR);
        assertThat(back.events()).singleElement().satisfies(e -> {
            assertThat(e.reason()).isEqualTo("MemberUp");
            assertThat(e.message()).contains("accepts connections again");
        });
    }

    @Test
    void aListenerAtItsConnectionLimitIsDegradedAndSoIsItsLoadBalancer() {
        AmphoraStatus healthy = report(MemberHealth.UP, MemberHealth.UP);
        AmphoraStatus full = new AmphoraStatus(healthy.amphoraId(), healthy.appliedGeneration(), healthy.healthVersion(),
                List.of(new AmphoraStatus.ListenerStatus("listener-web", true, healthy.listeners().get(0).stats())),
                healthy.pools());

        StatusComputer.Result result = StatusComputer.compute(tree, rendered, programming(1, null, full), NOW);

        assertThat(result.children().get("listener-web").getOperatingStatus()).isEqualTo(OperatingStatus.DEGRADED);
        assertThat(result.children().get("pool-web").getOperatingStatus()).isEqualTo(OperatingStatus.ONLINE);
        assertThat(result.loadBalancer().getOperatingStatus()).isEqualTo(OperatingStatus.DEGRADED);
    }

    @Test
    void aRejectedConfigurationIsAnErrorThatSaysWhy() {
        StatusComputer.Result result = StatusComputer.compute(tree, rendered,
                programming(0, "amphora a1 rejected configuration generation 1: listeners[x].protocol: bad", null), NOW);

        assertThat(result.loadBalancer().getProvisioningStatus()).isEqualTo(ProvisioningStatus.ERROR);
        assertThat(condition(result.loadBalancer(), "Programmed").getMessage()).contains("listeners[x].protocol: bad");
        assertThat(result.events()).anySatisfy(e -> assertThat(e.reason()).isEqualTo("ProvisioningFailed"));
    }

    @Test
    void conditionsKeepTheirTransitionTimeWhileUnchanged() {
        StatusComputer.Result first = StatusComputer.compute(tree, rendered,
                programming(1, null, report(MemberHealth.UP, MemberHealth.UP)), NOW);
        tree.loadBalancer().setStatus(first.loadBalancer());

        StatusComputer.Result later = StatusComputer.compute(tree, rendered,
                programming(1, null, report(MemberHealth.UP, MemberHealth.UP)), NOW.plusSeconds(60));

        assertThat(later.loadBalancer()).isEqualTo(first.loadBalancer());
        assertThat(condition(later.loadBalancer(), "Ready").getLastTransitionTime()).isEqualTo("2026-11-22T10:00:00Z");
    }

    @Test
    void theLoadBalancerSaysWhatRunsItsVipAndEveryAmphora() {
        LoadBalancerStatus before = new LoadBalancerStatus();
        before.setVipAddress("127.100.0.1");
        tree.loadBalancer().setStatus(before);
        tree.loadBalancer().getMetadata().setGeneration(4L);
        AmphoraView view = new AmphoraView("a1", AmphoraInfo.Role.STANDALONE, "pid 1", true, 1, null,
                report(MemberHealth.UP, MemberHealth.UP));
        AmphoraView lost = new AmphoraView("a2", AmphoraInfo.Role.STANDALONE, "pid 2", false, 0, null, null);

        StatusComputer.Result result = StatusComputer.compute(tree, rendered,
                new Programming(1, introduced(), List.of(view, lost)), NOW);

        LoadBalancerStatus lb = result.loadBalancer();
        assertThat(lb.getVipAddress()).isEqualTo("127.100.0.1");
        assertThat(lb.getConfigGeneration()).isEqualTo(1L);
        assertThat(lb.getObservedGeneration()).isEqualTo(4L);
        assertThat(lb.getTopology()).isEqualTo(Topology.SINGLE);
        assertThat(lb.getAmphorae()).extracting(AmphoraInfo::getId, AmphoraInfo::getRole, AmphoraInfo::getHealthy,
                AmphoraInfo::getAppliedGeneration, AmphoraInfo::getLocation).containsExactly(
                tuple("a1", AmphoraInfo.Role.STANDALONE, true, 1L, "pid 1"),
                tuple("a2", AmphoraInfo.Role.STANDALONE, false, 0L, "pid 2"));
        assertThat(lb.getOperatingStatus()).as("one amphora does not answer").isEqualTo(OperatingStatus.DEGRADED);
        assertThat(result.children().get("web1").getObservedGeneration()).isEqualTo(1L);
    }

    @Test
    void aPairShowsWhoHoldsTheVipCountsBothAndIsDegradedWithoutAHealthyStandby() {
        tree.loadBalancer().getSpec().setTopology(Topology.ACTIVE_STANDBY);
        tree = tree.withClass(ClassChoice.of(tree.loadBalancer(), List.of()));
        AmphoraView master = pairView("a1", AmphoraInfo.Role.MASTER, "MASTER", true);
        AmphoraView backup = pairView("a2", AmphoraInfo.Role.BACKUP, "BACKUP", false);

        StatusComputer.Result both = StatusComputer.compute(tree, rendered,
                new Programming(1, introduced(), List.of(backup, master)), NOW);
        LoadBalancerStatus lb = both.loadBalancer();
        assertThat(lb.getTopology()).isEqualTo(Topology.ACTIVE_STANDBY);
        assertThat(lb.getOperatingStatus()).isEqualTo(OperatingStatus.ONLINE);
        assertThat(lb.getAmphorae()).extracting(AmphoraInfo::getId, AmphoraInfo::getRole, AmphoraInfo::getHealthy)
                .containsExactly(tuple("a2", AmphoraInfo.Role.BACKUP, true), tuple("a1", AmphoraInfo.Role.MASTER, true));
        assertThat(lb.getStats().getTotalConnections()).as("each amphora counts its own connections").isEqualTo(14);
        assertThat(programming(master, backup).reporter()).as("the VIP holder speaks for health").isEqualTo(master);

        // The master dies: its successor reports MASTER, the dead one is unreachable.
        tree.loadBalancer().setStatus(lb);
        AmphoraView dead = new AmphoraView("a1", AmphoraInfo.Role.BACKUP, "pid a1", false, 1, null, master.report());
        AmphoraView successor = pairView("a2", AmphoraInfo.Role.MASTER, "MASTER", true);
        StatusComputer.Result failedOver = StatusComputer.compute(tree, rendered,
                new Programming(1, introduced(), List.of(successor, dead)), NOW);
        assertThat(failedOver.loadBalancer().getOperatingStatus()).as("without a standby")
                .isEqualTo(OperatingStatus.DEGRADED);
        assertThat(failedOver.loadBalancer().getAmphorae()).extracting(AmphoraInfo::getId, AmphoraInfo::getRole,
                AmphoraInfo::getHealthy).containsExactly(tuple("a2", AmphoraInfo.Role.MASTER, true),
                tuple("a1", AmphoraInfo.Role.BACKUP, false));

        // A standby whose data plane fails its own check is no standby either.
        AmphoraView fault = pairView("a1", AmphoraInfo.Role.BACKUP, "FAULT", false);
        assertThat(fault.healthy()).isFalse();
        assertThat(StatusComputer.compute(tree, rendered, new Programming(1, introduced(), List.of(successor, fault)),
                NOW).loadBalancer().getOperatingStatus()).isEqualTo(OperatingStatus.DEGRADED);

        // Nor one still starting: reachable, but not yet joined to its pair (its first configuration
        // held by the JIT warm-up), it reports no pair and could not take over.
        AmphoraStatus plain = report(MemberHealth.UP, MemberHealth.UP);
        AmphoraView starting = new AmphoraView("a1", AmphoraInfo.Role.BACKUP, "pid a1", true, 0, null,
                new AmphoraStatus("a1", 0, 1, plain.listeners(), plain.pools(), null));
        assertThat(starting.healthy()).isFalse();
        assertThat(new AmphoraView("a1", AmphoraInfo.Role.BACKUP, "pid a1", true, 0, null, null).healthy())
                .as("before its first report").isFalse();
        assertThat(StatusComputer.compute(tree, rendered, new Programming(1, introduced(),
                List.of(successor, starting)), NOW).loadBalancer().getOperatingStatus())
                .isEqualTo(OperatingStatus.DEGRADED);

        // Nor one that may not write its address into the VIP's EndpointSlice: it could not take over.
        String forbidden = "HTTP 403: endpointslices \"lb-vip\" is forbidden";
        AmphoraView mute = pairView("a1", AmphoraInfo.Role.BACKUP, "BACKUP", false, forbidden);
        assertThat(mute.healthy()).isFalse();
        assertThat(StatusComputer.compute(tree, rendered, new Programming(1, introduced(), List.of(successor, mute)),
                NOW).loadBalancer().getOperatingStatus()).isEqualTo(OperatingStatus.DEGRADED);
        // A master that cannot: the VIP does not reach it, and the status says why.
        AmphoraView muteMaster = pairView("a2", AmphoraInfo.Role.MASTER, "MASTER", true, forbidden);
        LoadBalancerStatus unrouted = StatusComputer.compute(tree, rendered, new Programming(1, introduced(),
                List.of(muteMaster, backup), false), NOW).loadBalancer();
        assertThat(unrouted.getConditions()).filteredOn(c -> c.getType().equals("Programmed")).singleElement()
                .satisfies(c -> assertThat(c.getMessage()).isEqualTo("served by every amphora; waiting for the VIP "
                        + "to reach them (amphora a2 cannot tell the network it holds the VIP: " + forbidden + ")"));
    }

    private static AmphoraView pairView(String id, AmphoraInfo.Role role, String pairRole, boolean holdsVip) {
        return pairView(id, role, pairRole, holdsVip, null);
    }

    private static AmphoraView pairView(String id, AmphoraInfo.Role role, String pairRole, boolean holdsVip,
            String vipProblem) {
        AmphoraStatus plain = report(MemberHealth.UP, MemberHealth.UP);
        AmphoraStatus report = new AmphoraStatus(id, 1, 3, plain.listeners(), plain.pools(),
                new AmphoraStatus.PairStatus(pairRole, 1, holdsVip, vipProblem, 0));
        return new AmphoraView(id, role, "pid " + id, true, 1, null, report);
    }

    private Programming programming(AmphoraView... views) {
        return new Programming(1, introduced(), List.of(views));
    }

    @Test
    void operatingStatusOfTheLoadBalancerFollowsItsAmphorae() {
        AmphoraStatus healthy = report(MemberHealth.UP, MemberHealth.UP);
        // nothing served yet, nothing reachable: not an error yet
        assertThat(operating(new AmphoraView("a1", AmphoraInfo.Role.STANDALONE, "", false, 0, null, null)))
                .isEqualTo(OperatingStatus.OFFLINE);
        // it served, then stopped answering: ERROR
        assertThat(operating(new AmphoraView("a1", AmphoraInfo.Role.STANDALONE, "", false, 1, null, healthy)))
                .isEqualTo(OperatingStatus.ERROR);
        // serving, no report yet
        assertThat(operating(new AmphoraView("a1", AmphoraInfo.Role.STANDALONE, "", true, 1, null, null)))
                .isEqualTo(OperatingStatus.OFFLINE);
        // reachable and reporting, but serving nothing yet
        assertThat(operating(new AmphoraView("a1", AmphoraInfo.Role.STANDALONE, "", true, 0, null, healthy)))
                .isEqualTo(OperatingStatus.OFFLINE);
        assertThat(operating(new AmphoraView("a1", AmphoraInfo.Role.STANDALONE, "", true, 1, null, healthy)))
                .isEqualTo(OperatingStatus.ONLINE);
        tree.loadBalancer().getSpec().setAdminStateUp(false);
        assertThat(operating(new AmphoraView("a1", AmphoraInfo.Role.STANDALONE, "", true, 1, null, healthy)))
                .isEqualTo(OperatingStatus.OFFLINE);
    }

    private OperatingStatus operating(AmphoraView view) {
        return StatusComputer.compute(tree, rendered, new Programming(1, introduced(), List.of(view)), NOW)
                .loadBalancer().getOperatingStatus();
    }

    @Test
    void aLoadBalancerThatIsNotAcceptedRunsNothingAndSaysWhyOnce() {
        tree.loadBalancer().getSpec().setTopology(Topology.ACTIVE_STANDBY);
        tree = tree.withClass(ClassChoice.of(tree.loadBalancer(), List.of(), EnumSet.of(Topology.SINGLE), "kubernetes"));
        RenderedConfig refused = ConfigRenderer.render(tree, null, 1);

        StatusComputer.Result result = StatusComputer.compute(tree, refused, new Programming(0, Map.of(), List.of()),
                NOW);

        LoadBalancerStatus lb = result.loadBalancer();
        assertThat(lb.getProvisioningStatus()).isEqualTo(ProvisioningStatus.ERROR);
        assertThat(lb.getOperatingStatus()).isEqualTo(OperatingStatus.OFFLINE);
        assertThat(lb.getTopology()).isNull();
        assertThat(lb.getConfigGeneration()).isNull();
        assertThat(condition(lb, "Accepted").getReason()).isEqualTo("UnsupportedField");
        assertThat(condition(lb, "Programmed").getReason()).isEqualTo("NotServed");
        assertThat(result.events()).singleElement().satisfies(e -> {
            assertThat(e.reason()).isEqualTo("ProvisioningFailed");
            assertThat(e.message()).startsWith("topology: ACTIVE_STANDBY is not served by the kubernetes driver yet");
        });
        assertThat(result.children().get("web1").getProvisioningStatus()).isEqualTo(ProvisioningStatus.PENDING_CREATE);
        assertThat(condition(result.children().get("web1"), "ResolvedRefs").getReason())
                .isEqualTo("LoadBalancerNotAccepted");

        tree.loadBalancer().setStatus(lb);
        assertThat(StatusComputer.compute(tree, refused, new Programming(0, Map.of(), List.of()), NOW).events())
                .as("said once").isEmpty();
    }

    @Test
    void anObjectServedBeforeWaitsInPendingUpdateAndAnObjectNeverServedInPendingCreate() {
        tree.members().get(0).setStatus(status(OperatingStatus.ONLINE));
        StatusComputer.Result result = StatusComputer.compute(tree, rendered, programming(0, null, null), NOW);
        assertThat(result.children().get("web1").getProvisioningStatus()).isEqualTo(ProvisioningStatus.PENDING_UPDATE);
        assertThat(result.children().get("web2").getProvisioningStatus()).isEqualTo(ProvisioningStatus.PENDING_CREATE);
        assertThat(condition(result.children().get("web1"), "Programmed").getMessage())
                .isEqualTo("waiting for every amphora to serve configuration generation 1");
        StatusComputer.Result noAmphora = StatusComputer.compute(tree, rendered,
                new Programming(1, introduced(), List.of()), NOW);
        assertThat(condition(noAmphora.children().get("web2"), "Programmed").getMessage())
                .isEqualTo("waiting for an amphora to be created");
    }

    @Test
    void theStatusTreeShowsWhatServesWhatWithEachObjectsStatus() {
        Pool spare = Fixtures.pool("spare", "lb-web", PoolProtocol.HTTP);
        HealthMonitor misfit = Fixtures.monitor("misfit", "spare", HealthMonitorSpec.Type.UDP_CONNECT);
        Member extra = Fixtures.member("extra", "spare", 9090);
        extra.getSpec().setAddress("10.0.0.7");
        LoadBalancerTree wider = new LoadBalancerTree(tree.loadBalancer(), tree.listeners(),
                List.of(tree.pools().get(0), spare), List.of(tree.members().get(0), tree.members().get(1), extra),
                List.of(tree.healthMonitors().get(0), misfit));
        RenderedConfig config = ConfigRenderer.render(wider, "127.100.0.1", 1);
        Map<String, Long> introduced = new HashMap<>(introduced());
        introduced.put("spare", 1L);
        introduced.put("misfit", 1L);
        introduced.put("extra", 1L);
        AmphoraView view = new AmphoraView("a1", AmphoraInfo.Role.STANDALONE, "pid 1", true, 1, null,
                report(MemberHealth.DOWN, MemberHealth.UP));

        StatusTree statusTree = StatusComputer.compute(wider, config, new Programming(1, introduced, List.of(view)), NOW)
                .loadBalancer().getTree();

        StatusTree.ListenerNode listener = statusTree.getListeners().get(0);
        assertThat(listener.getName()).isEqualTo("listener-web");
        assertThat(listener.getOperatingStatus()).isEqualTo(OperatingStatus.ONLINE);
        assertThat(listener.getReason()).isNull();
        StatusTree.PoolNode pool = listener.getPools().get(0);
        assertThat(pool.getName()).isEqualTo("pool-web");
        assertThat(pool.getOperatingStatus()).isEqualTo(OperatingStatus.DEGRADED);
        assertThat(pool.getHealthMonitor().getName()).isEqualTo("monitor-web");
        assertThat(pool.getHealthMonitor().getType()).isEqualTo(HealthMonitorSpec.Type.TCP);
        assertThat(pool.getMembers()).extracting(StatusTree.Node::getName, StatusTree.MemberNode::getAddress,
                StatusTree.MemberNode::getProtocolPort, StatusTree.Node::getOperatingStatus).containsExactly(
                tuple("web1", "127.0.0.1", 8081, OperatingStatus.ERROR),
                tuple("web2", "127.0.0.1", 8082, OperatingStatus.ONLINE));
        StatusTree.PoolNode unserved = statusTree.getPools().get(0);
        assertThat(unserved.getName()).isEqualTo("spare");
        assertThat(unserved.getMembers()).extracting(StatusTree.MemberNode::getAddress).containsExactly("10.0.0.7");
        // the monitor that names the pool is shown with why it does not check it
        assertThat(unserved.getHealthMonitor().getName()).isEqualTo("misfit");
        assertThat(unserved.getHealthMonitor().getType()).isEqualTo(HealthMonitorSpec.Type.UDP_CONNECT);
        assertThat(unserved.getHealthMonitor().getProvisioningStatus()).isEqualTo(ProvisioningStatus.ERROR);
        assertThat(unserved.getHealthMonitor().getReason()).isEqualTo("IncompatibleType");
        assertThat(unserved.getHealthMonitor().getMessage()).startsWith("type UDP-CONNECT cannot check the members");
        assertThat(statusTree.getPools()).hasSize(1);
    }

    private Map<String, Long> introduced() {
        Map<String, Long> introduced = new HashMap<>();
        introduced.put("lb-web", 1L);
        tree.children().forEach(o -> introduced.put(o.getMetadata().getUid(), 1L));
        return introduced;
    }

    private LoadBalancerTree withoutMonitors() {
        return new LoadBalancerTree(tree.loadBalancer(), tree.listeners(), tree.pools(), tree.members(), List.of());
    }

    private Programming programming(long applied, String rejection, AmphoraStatus report) {
        Map<String, Long> introduced = new HashMap<>();
        introduced.put("lb-web", 1L);
        tree.children().forEach(o -> introduced.put(o.getMetadata().getUid(), 1L));
        AmphoraView view = new AmphoraView("a1", AmphoraInfo.Role.STANDALONE, "pid 1", true, applied, rejection, report);
        return new Programming(1, introduced, List.of(view));
    }

    private static AmphoraStatus report(MemberHealth web1, MemberHealth web2) {
        TrafficStats stats = new TrafficStats(10, 20, 1, 7, 0);
        return new AmphoraStatus("a1", 1, 3,
                List.of(new AmphoraStatus.ListenerStatus("listener-web", false, stats)),
                List.of(new AmphoraStatus.PoolStatus("pool-web", List.of(
                        new AmphoraStatus.MemberStatus("web1", web1, TrafficStats.ZERO),
                        new AmphoraStatus.MemberStatus("web2", web2, TrafficStats.ZERO)), TrafficStats.ZERO)));
    }

    private static LbaasStatus status(OperatingStatus operating) {
        LbaasStatus status = new LbaasStatus();
        status.setOperatingStatus(operating);
        status.setProvisioningStatus(ProvisioningStatus.ACTIVE);
        return status;
    }

    private static Condition condition(LbaasStatus status, String type) {
        return status.getConditions().stream().filter(c -> type.equals(c.getType())).findFirst().orElseThrow();
    }
}
