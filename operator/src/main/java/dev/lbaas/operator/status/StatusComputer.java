package dev.lbaas.operator.status;

import dev.lbaas.amphora.config.AmphoraStatus;
import dev.lbaas.amphora.config.MemberHealth;
import dev.lbaas.amphora.config.TrafficStats;
import dev.lbaas.api.v1alpha1.AmphoraInfo;
import dev.lbaas.api.v1alpha1.HealthMonitor;
import dev.lbaas.api.v1alpha1.L7Policy;
import dev.lbaas.api.v1alpha1.L7Rule;
import dev.lbaas.api.v1alpha1.LbaasStatus;
import dev.lbaas.api.v1alpha1.Listener;
import dev.lbaas.api.v1alpha1.LoadBalancer;
import dev.lbaas.api.v1alpha1.LoadBalancerStatus;
import dev.lbaas.api.v1alpha1.Member;
import dev.lbaas.api.v1alpha1.OperatingStatus;
import dev.lbaas.api.v1alpha1.Pool;
import dev.lbaas.api.v1alpha1.ProvisioningStatus;
import dev.lbaas.api.v1alpha1.Topology;
import dev.lbaas.api.v1alpha1.TrafficStatistics;
import dev.lbaas.operator.model.LoadBalancerTree;
import dev.lbaas.operator.model.RenderedConfig;
import dev.lbaas.operator.model.Verdict;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Octavia's status rules, as a pure function: the rendered verdicts, how far the configuration got
 * onto the amphorae, and their health reports give every object's provisioningStatus,
 * operatingStatus and conditions, plus the Events worth telling a person.
 */
public final class StatusComputer {

    /** A Kubernetes Event to emit on an object. */
    public record StatusEvent(HasMetadata object, boolean warning, String reason, String message) {
    }

    /** The statuses of the load balancer and of its children (by uid), and the events. */
    public record Result(LoadBalancerStatus loadBalancer, Map<String, LbaasStatus> children, List<StatusEvent> events) {
    }

    private final LoadBalancerTree tree;
    private final RenderedConfig rendered;
    private final Programming programming;
    private final Instant now;
    private final Map<String, MemberHealth> memberHealth = new HashMap<>();
    private final Map<String, AmphoraStatus.ListenerStatus> listenerReports = new HashMap<>();
    private final Map<String, LbaasStatus> children = new HashMap<>();
    private final List<StatusEvent> events = new ArrayList<>();

    private StatusComputer(LoadBalancerTree tree, RenderedConfig rendered, Programming programming, Instant now) {
        this.tree = tree;
        this.rendered = rendered;
        this.programming = programming;
        this.now = now;
        AmphoraView reporter = programming.reporter();
        if (reporter != null) {
            reporter.report().pools().forEach(p -> p.members().forEach(m -> memberHealth.put(m.id(), m.health())));
            reporter.report().listeners().forEach(l -> listenerReports.put(l.id(), l));
        }
    }

    public static Result compute(LoadBalancerTree tree, RenderedConfig rendered, Programming programming, Instant now) {
        return new StatusComputer(tree, rendered, programming, now).compute();
    }

    private Result compute() {
        boolean anyDegraded = false;
        boolean anyPoolError = false;
        Map<String, OperatingStatus> poolStatuses = new HashMap<>();
        for (Pool pool : tree.pools()) {
            List<OperatingStatus> memberStatuses = new ArrayList<>();
            boolean monitored = tree.healthMonitors().stream().anyMatch(h -> pool.getMetadata().getName()
                    .equals(h.getSpec().getPoolRef()) && rendered.verdict(uid(h)).served()
                    && !Boolean.FALSE.equals(h.getSpec().getAdminStateUp()));
            for (Member member : tree.members()) {
                if (pool.getMetadata().getName().equals(member.getSpec().getPoolRef())) {
                    OperatingStatus status = memberOperatingStatus(member, monitored);
                    memberStatuses.add(status);
                    put(member, status);
                }
            }
            OperatingStatus poolStatus = poolOperatingStatus(pool, memberStatuses);
            poolStatuses.put(pool.getMetadata().getName(), poolStatus);
            anyDegraded |= poolStatus == OperatingStatus.DEGRADED;
            anyPoolError |= poolStatus == OperatingStatus.ERROR;
            put(pool, poolStatus);
        }
        for (Listener listener : tree.listeners()) {
            OperatingStatus status = listenerOperatingStatus(listener);
            anyDegraded |= status == OperatingStatus.DEGRADED;
            put(listener, status);
        }
        for (HealthMonitor monitor : tree.healthMonitors()) {
            boolean up = rendered.verdict(uid(monitor)).served() && !Boolean.FALSE.equals(monitor.getSpec().getAdminStateUp())
                    && isProgrammed(monitor);
            put(monitor, up ? OperatingStatus.ONLINE : OperatingStatus.OFFLINE);
        }
        for (L7Policy policy : tree.l7Policies()) {
            put(policy, l7OperatingStatus(policy, policy.getSpec().getAdminStateUp()));
        }
        for (L7Rule rule : tree.l7Rules()) {
            boolean policyUp = tree.l7Policies().stream()
                    .filter(p -> p.getMetadata().getName().equals(rule.getSpec().getL7PolicyRef()))
                    .noneMatch(p -> Boolean.FALSE.equals(p.getSpec().getAdminStateUp()));
            put(rule, l7OperatingStatus(rule, policyUp ? rule.getSpec().getAdminStateUp() : Boolean.FALSE));
        }
        LoadBalancerStatus lbStatus = loadBalancerStatus(anyPoolError, anyDegraded);
        lbStatus.setTree(StatusTrees.of(tree, rendered.config(), children));
        return new Result(lbStatus, children, events);
    }

    private OperatingStatus memberOperatingStatus(Member member, boolean monitored) {
        if (!rendered.verdict(uid(member)).served() || !isProgrammed(member)
                || Boolean.FALSE.equals(member.getSpec().getAdminStateUp())) {
            return OperatingStatus.OFFLINE;
        }
        MemberHealth health = memberHealth.get(uid(member));
        OperatingStatus status;
        if (!monitored) {
            // Without a monitor the amphora still takes a member that refuses connections out of
            // rotation (passive detection) until a retry connects: the status says so.
            status = health == MemberHealth.DOWN ? OperatingStatus.ERROR : OperatingStatus.NO_MONITOR;
        } else if (health == MemberHealth.UP) {
            status = OperatingStatus.ONLINE;
        } else if (health == MemberHealth.DOWN) {
            status = OperatingStatus.ERROR;
        } else {
            // Not checked yet (or no report): Octavia shows OFFLINE until the first check answers.
            status = OperatingStatus.OFFLINE;
        }
        if (status != OperatingStatus.ERROR && Objects.equals(member.getSpec().getWeight(), 0)) {
            status = OperatingStatus.DRAINING;
        }
        OperatingStatus before = member.getStatus() == null ? null : member.getStatus().getOperatingStatus();
        String where = member.getSpec().getAddress() + ":" + member.getSpec().getProtocolPort();
        if (status == OperatingStatus.ERROR && before != OperatingStatus.ERROR) {
            events.add(new StatusEvent(member, true, "MemberDown", "Member " + member.getMetadata().getName()
                    + " (" + where + ") " + (monitored ? "failed its health checks" : "refused connections")
                    + " and takes no traffic"));
        } else if ((status == OperatingStatus.ONLINE || status == OperatingStatus.NO_MONITOR)
                && before == OperatingStatus.ERROR) {
            events.add(new StatusEvent(member, false, "MemberUp", "Member " + member.getMetadata().getName()
                    + " (" + where + ") " + (monitored ? "passes its health checks again" : "accepts connections again")
                    + " and takes traffic"));
        }
        return status;
    }

    private OperatingStatus poolOperatingStatus(Pool pool, List<OperatingStatus> members) {
        if (!rendered.verdict(uid(pool)).served() || !isProgrammed(pool)
                || Boolean.FALSE.equals(pool.getSpec().getAdminStateUp())) {
            return OperatingStatus.OFFLINE;
        }
        long down = members.stream().filter(s -> s == OperatingStatus.ERROR).count();
        if (down > 0 && down == members.size()) {
            return OperatingStatus.ERROR;
        }
        return down > 0 ? OperatingStatus.DEGRADED : OperatingStatus.ONLINE;
    }

    private OperatingStatus listenerOperatingStatus(Listener listener) {
        if (!rendered.verdict(uid(listener)).served() || !isProgrammed(listener)
                || Boolean.FALSE.equals(listener.getSpec().getAdminStateUp())
                || Boolean.FALSE.equals(tree.loadBalancer().getSpec().getAdminStateUp())) {
            return OperatingStatus.OFFLINE;
        }
        AmphoraStatus.ListenerStatus report = listenerReports.get(uid(listener));
        return report != null && report.atConnectionLimit() ? OperatingStatus.DEGRADED : OperatingStatus.ONLINE;
    }

    /** Octavia's L7 statuses: ONLINE while every amphora serves the object enabled, else OFFLINE. */
    private OperatingStatus l7OperatingStatus(HasMetadata object, Boolean adminStateUp) {
        boolean up = rendered.verdict(uid(object)).served() && isProgrammed(object)
                && !Boolean.FALSE.equals(adminStateUp)
                && !Boolean.FALSE.equals(tree.loadBalancer().getSpec().getAdminStateUp());
        return up ? OperatingStatus.ONLINE : OperatingStatus.OFFLINE;
    }

    private boolean isProgrammed(HasMetadata object) {
        Long generation = programming.introducedIn().get(uid(object));
        return generation != null && programming.servedEverywhere(generation);
    }

    private void put(HasMetadata object, OperatingStatus operatingStatus) {
        Verdict verdict = rendered.verdict(uid(object));
        LbaasStatus previous = previousStatus(object);
        LbaasStatus status = new LbaasStatus();
        status.setOperatingStatus(operatingStatus);
        fillCommon(status, previous, object, verdict, isProgrammed(object));
        children.put(uid(object), status);
    }

    private LoadBalancerStatus loadBalancerStatus(boolean anyPoolError, boolean anyDegraded) {
        LoadBalancer lb = tree.loadBalancer();
        LoadBalancerStatus previous = lb.getStatus();
        LoadBalancerStatus status = new LoadBalancerStatus();
        Verdict verdict = rendered.verdict(uid(lb));
        boolean programmed = verdict.served() && programming.servedEverywhere(programming.desiredGeneration());
        fillCommon(status, previous, lb, verdict, programmed);
        status.setOperatingStatus(loadBalancerOperatingStatus(verdict, anyPoolError, anyDegraded));
        status.setVipAddress(lb.getStatus() == null ? null : lb.getStatus().getVipAddress());
        status.setClassName(tree.classChoice().name());
        status.setConfigGeneration(verdict.served() ? programming.desiredGeneration() : null);
        // The topology that runs, not the one asked for: nothing runs for a load balancer that is not
        // accepted. While its amphorae are being replaced it is still the one that ran, so that an
        // edit of its class in that moment does not change it (ClassChoice keeps it).
        Topology ran = previous == null ? null : previous.getTopology();
        status.setTopology(!verdict.served() ? null
                : programming.amphorae().isEmpty() ? ran : tree.classChoice().topology());
        List<AmphoraInfo> amphorae = new ArrayList<>();
        for (AmphoraView view : programming.amphorae()) {
            AmphoraInfo info = new AmphoraInfo();
            info.setId(view.id());
            info.setRole(view.role());
            info.setHealthy(view.healthy());
            info.setAppliedGeneration(view.appliedGeneration());
            info.setLocation(view.location());
            if (view.report() != null && view.report().pair() != null) {
                info.setSessionBindingsReceived(view.report().pair().sessionBindingsReceived());
            }
            amphorae.add(info);
        }
        status.setAmphorae(amphorae);
        if (programming.reporter() != null) {
            // Each amphora counts the connections it took: a pair's master its own, and the backup
            // what it served while it was master.
            TrafficStats sum = programming.amphorae().stream()
                    .filter(a -> a.reachable() && a.report() != null)
                    .flatMap(a -> a.report().listeners().stream()).map(AmphoraStatus.ListenerStatus::stats)
                    .filter(Objects::nonNull).reduce(TrafficStats.ZERO, TrafficStats::plus);
            status.setStats(new TrafficStatistics(sum.bytesIn(), sum.bytesOut(), sum.activeConnections(),
                    sum.totalConnections(), sum.requestErrors()));
        }
        if (status.getProvisioningStatus() == ProvisioningStatus.ERROR
                && (previous == null || previous.getProvisioningStatus() != ProvisioningStatus.ERROR)) {
            events.add(new StatusEvent(lb, true, "ProvisioningFailed",
                    verdict.isError() ? verdict.message() : programming.rejection()));
        }
        return status;
    }

    /**
     * Octavia's rules: OFFLINE when disabled or when nothing serves yet (no amphora, no configuration
     * served, no health report yet); ERROR when every amphora is unreachable or a pool is ERROR;
     * DEGRADED when something below is DEGRADED or an amphora is unhealthy (unreachable, or a
     * pair's amphora in FAULT: the load balancer runs without its standby).
     */
    private OperatingStatus loadBalancerOperatingStatus(Verdict verdict, boolean anyPoolError, boolean anyDegraded) {
        List<AmphoraView> amphorae = programming.amphorae();
        if (Boolean.FALSE.equals(tree.loadBalancer().getSpec().getAdminStateUp()) || !verdict.served()
                || amphorae.isEmpty()) {
            return OperatingStatus.OFFLINE;
        }
        boolean everServed = amphorae.stream().anyMatch(a -> a.appliedGeneration() > 0);
        if (amphorae.stream().noneMatch(AmphoraView::reachable)) {
            return everServed ? OperatingStatus.ERROR : OperatingStatus.OFFLINE;
        }
        if (programming.reporter() == null || !everServed) {
            return OperatingStatus.OFFLINE;
        }
        if (anyPoolError) {
            return OperatingStatus.ERROR;
        }
        if (anyDegraded || amphorae.stream().anyMatch(a -> !a.healthy())) {
            return OperatingStatus.DEGRADED;
        }
        return OperatingStatus.ONLINE;
    }

    /** Provisioning status and the four conditions, which follow the same rules for every kind. */
    private void fillCommon(LbaasStatus status, LbaasStatus previous, HasMetadata object, Verdict verdict,
            boolean programmed) {
        Long generation = object.getMetadata().getGeneration();
        List<Condition> before = previous == null ? List.of() : previous.getConditions();
        String rejection = programming.rejection();
        boolean wasServing = previous != null && previous.getProvisioningStatus() != null
                && previous.getProvisioningStatus() != ProvisioningStatus.PENDING_CREATE;

        ProvisioningStatus provisioning;
        if (verdict.isError() || (verdict.served() && !programmed && rejection != null)) {
            provisioning = ProvisioningStatus.ERROR;
        } else if (verdict.serving() == Verdict.Serving.CURRENT && programmed) {
            provisioning = ProvisioningStatus.ACTIVE;
        } else {
            provisioning = wasServing ? ProvisioningStatus.PENDING_UPDATE : ProvisioningStatus.PENDING_CREATE;
        }
        status.setProvisioningStatus(provisioning);
        status.setObservedGeneration(generation);

        Condition accepted = Conditions.condition(before, Conditions.ACCEPTED, verdict.accepted(),
                verdict.accepted() ? "Accepted" : verdict.reason(), verdict.accepted() ? "" : verdict.message(),
                generation, now);
        Condition resolved = Conditions.condition(before, Conditions.RESOLVED_REFS, verdict.resolvedRefs(),
                verdict.resolvedRefs() ? "ResolvedRefs" : verdict.reason(),
                verdict.resolvedRefs() ? "" : verdict.message(), generation, now);
        boolean programmedNow = programmed && verdict.serving() == Verdict.Serving.CURRENT;
        String programmedReason;
        String programmedMessage;
        if (programmedNow) {
            programmedReason = "Programmed";
            programmedMessage = "served by every amphora at configuration generation "
                    + programming.introducedIn().getOrDefault(uid(object), programming.desiredGeneration());
        } else if (!verdict.served()) {
            programmedReason = "NotServed";
            programmedMessage = "left out of the amphora configuration: " + verdict.message();
        } else if (rejection != null) {
            programmedReason = "AmphoraRejected";
            programmedMessage = rejection;
        } else if (verdict.serving() == Verdict.Serving.PREVIOUS) {
            programmedReason = "PreviousSpecServed";
            programmedMessage = verdict.message();
        } else if (programming.amphorae().isEmpty()) {
            programmedReason = "Pending";
            programmedMessage = "waiting for an amphora to be created";
        } else if (programming.amphoraeServe(programming.desiredGeneration()) && !programming.vipReady()) {
            programmedReason = "Pending";
            List<String> problems = programming.amphorae().stream().filter(view -> view.vipProblem() != null)
                    .map(view -> "amphora " + view.id() + " cannot tell the network it holds the VIP: "
                            + view.vipProblem()).toList();
            programmedMessage = "served by every amphora; waiting for the VIP to reach them"
                    + (problems.isEmpty() ? "" : " (" + String.join("; ", problems) + ")");
        } else {
            programmedReason = "Pending";
            programmedMessage = "waiting for every amphora to serve configuration generation "
                    + programming.introducedIn().getOrDefault(uid(object), programming.desiredGeneration());
        }
        Condition programmedCondition = Conditions.condition(before, Conditions.PROGRAMMED, programmedNow,
                programmedReason, programmedMessage, generation, now);
        Condition firstFalse = List.of(accepted, resolved, programmedCondition).stream()
                .filter(c -> "False".equals(c.getStatus())).findFirst().orElse(null);
        Condition ready = Conditions.condition(before, Conditions.READY, firstFalse == null,
                firstFalse == null ? "Ready" : firstFalse.getReason(),
                firstFalse == null ? "" : firstFalse.getMessage(), generation, now);
        status.setConditions(List.of(accepted, resolved, programmedCondition, ready));
    }

    private static LbaasStatus previousStatus(HasMetadata object) {
        if (object instanceof io.fabric8.kubernetes.client.CustomResource<?, ?> resource
                && resource.getStatus() instanceof LbaasStatus status) {
            return status;
        }
        return null;
    }

    private static String uid(HasMetadata object) {
        return object.getMetadata().getUid();
    }
}
