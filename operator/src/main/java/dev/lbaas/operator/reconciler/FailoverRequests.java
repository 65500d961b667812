package dev.lbaas.operator.reconciler;

import dev.lbaas.amphora.config.AmphoraStatus;
import dev.lbaas.api.v1alpha1.AmphoraInfo;
import dev.lbaas.api.v1alpha1.FailoverTimers;
import dev.lbaas.api.v1alpha1.LoadBalancer;
import dev.lbaas.api.v1alpha1.Topology;
import dev.lbaas.operator.events.EventRecorder;
import dev.lbaas.operator.status.AmphoraView;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Octavia's load balancer failover API, Kubernetes style: a new value of the
 * {@value LoadBalancer#FAILOVER_ANNOTATION} annotation asks the master of an ACTIVE_STANDBY pair to
 * hand the VIP to its standby (a planned failover, with no request lost). Each value is acted on
 * once: {@code status.failoverRequest} shows the last one, and an Event says how it went.
 *
 * <p>A request is refused, with a Warning Event, when it cannot move the VIP without a gap: the
 * load balancer is SINGLE, no amphora holds the VIP, the standby is not healthy or does not serve
 * the current configuration yet, preemption would undo it, or another failover is under way.
 * Nothing is retried: another value asks again. A value is recorded as acted on as soon as the
 * master is asked, so that it is never acted on twice, not even across an operator restart (whose
 * outcome Event is then lost).
 */
final class FailoverRequests {

    private record Pending(String request, long startedNanos, AmphoraView from, AmphoraView to,
            CompletableFuture<AmphoraStatus> done) {
    }

    /** Where Events go: {@link EventRecorder#record}. */
    interface Events {
        void record(HasMetadata object, boolean warning, String reason, String message);
    }

    /** Asks the amphora at an index of the views to hand its VIP over, waiting at most the timeout. */
    interface Handover {
        CompletableFuture<AmphoraStatus> ask(int amphora, Duration timeout);
    }

    private final Events events;
    private final Map<String, Pending> pending = new ConcurrentHashMap<>();
    /**
     * The request last acted on, by load balancer uid: the status that says so may not have come
     * back through the cache by the next reconcile, and a request must never be acted on twice.
     */
    private final Map<String, String> actedOn = new ConcurrentHashMap<>();

    FailoverRequests(Events events) {
        this.events = events;
    }

    /**
     * Acts on the load balancer's failover request, if it has a new one.
     *
     * @param handover asks an amphora, by its index in {@code views}, to hand the VIP over
     * @param views what is known of each amphora now
     * @param desiredGeneration the configuration the amphorae should serve: a standby that does not
     *     serve it yet does not take over
     * @param wake reconciles the load balancer again, when a handover finishes
     * @return the request value acted on, for {@code status.failoverRequest}
     */
    String handle(LoadBalancer lb, Topology topology, Handover handover, List<AmphoraView> views,
            long desiredGeneration, FailoverTimers timers, Runnable wake) {
        String uid = lb.getMetadata().getUid();
        Pending running = pending.get(uid);
        if (running != null && running.done().isDone()) {
            pending.remove(uid);
            report(lb, running);
            running = null;
        }
        String asked = lb.getMetadata().getAnnotations() == null ? null
                : lb.getMetadata().getAnnotations().get(LoadBalancer.FAILOVER_ANNOTATION);
        String inStatus = lb.getStatus() == null ? null : lb.getStatus().getFailoverRequest();
        if (asked == null || asked.equals(inStatus) || asked.equals(actedOn.get(uid))) {
            return asked == null ? inStatus : asked;
        }
        // Acted on from now: the status says so before the amphora is even asked, so that no
        // restart of the operator, nor another replica taking over, asks it a second time.
        actedOn.put(uid, asked);
        String refusal = running != null
                ? "the failover asked by " + annotation(running.request()) + " is still under way; ask again once it "
                        + "has finished"
                : refusal(topology, views, desiredGeneration, timers);
        if (refusal != null) {
            events.record(lb, true, "FailoverRefused", annotation(asked) + " was not acted on: " + refusal);
            return asked;
        }
        int master = indexOf(views, AmphoraInfo.Role.MASTER);
        int standby = indexOf(views, AmphoraInfo.Role.BACKUP);
        CompletableFuture<AmphoraStatus> done = handover.ask(master, handoverTimeout(timers));
        pending.put(uid, new Pending(asked, System.nanoTime(), views.get(master), views.get(standby), done));
        done.whenComplete((status, error) -> wake.run());
        return asked;
    }

    /**
     * How long a master may take to hand over: its successor's takeover within a master-down
     * interval (under four advert intervals), one interval more, and time for the requests.
     */
    static Duration handoverTimeout(FailoverTimers timers) {
        return Duration.ofMillis(5L * FailoverTimers.advertIntervalMillis(timers)).plusSeconds(10);
    }

    void forget(String loadBalancerUid) {
        pending.remove(loadBalancerUid);
        actedOn.remove(loadBalancerUid);
    }

    /** Why a failover now would leave the VIP with nobody, or null when the standby can take it. */
    static String refusal(Topology topology, List<AmphoraView> views, long desiredGeneration,
            FailoverTimers timers) {
        if (topology != Topology.ACTIVE_STANDBY) {
            return "the load balancer is " + topology + ": it has no standby to fail over to";
        }
        if (timers != null && Boolean.TRUE.equals(timers.getPreempt())) {
            return "the class sets failover.preempt: the amphora of higher priority would take the VIP straight "
                    + "back";
        }
        int master = indexOf(views, AmphoraInfo.Role.MASTER);
        if (master < 0 || !views.get(master).holdsVip()) {
            return "no amphora holds the VIP now (a failover is under way, or the pair is starting)";
        }
        int standby = indexOf(views, AmphoraInfo.Role.BACKUP);
        if (standby < 0) {
            return "the load balancer has no standby amphora now";
        }
        AmphoraView backup = views.get(standby);
        if (!backup.healthy()) {
            return "the standby amphora " + backup.id() + " is not healthy; the master keeps the VIP";
        }
        if (backup.appliedGeneration() < desiredGeneration) {
            return "the standby amphora " + backup.id() + " does not serve configuration generation "
                    + desiredGeneration + " yet; the master keeps the VIP";
        }
        return null;
    }

    private static int indexOf(List<AmphoraView> views, AmphoraInfo.Role role) {
        for (int i = 0; i < views.size(); i++) {
            if (views.get(i).role() == role) {
                return i;
            }
        }
        return -1;
    }

    private void report(LoadBalancer lb, Pending done) {
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - done.startedNanos());
        try {
            AmphoraStatus former = done.done().join();
            String role = Optional.ofNullable(former.pair()).map(AmphoraStatus.PairStatus::role).orElse("unknown");
            events.record(lb, false, "FailoverCompleted", "amphora " + done.from().id() + " handed the VIP to amphora "
                    + done.to().id() + " in " + millis + " ms, as " + annotation(done.request()) + " asked; "
                    + done.from().id() + " is " + role + " now");
        } catch (CompletionException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            events.record(lb, true, "FailoverFailed", annotation(done.request()) + ": amphora " + done.from().id()
                    + " did not hand the VIP over: " + cause.getMessage());
        }
    }

    private static String annotation(String value) {
        return LoadBalancer.FAILOVER_ANNOTATION + "=\"" + value + "\"";
    }
}
