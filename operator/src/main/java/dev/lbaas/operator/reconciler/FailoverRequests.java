package dev.lbaas.operator.reconciler;

import dev.lbaas.amphora.config.AmphoraStatus;
import dev.lbaas.api.v1alpha1.AmphoraInfo;
import dev.lbaas.api.v1alpha1.LoadBalancer;
import dev.lbaas.api.v1alpha1.Topology;
import dev.lbaas.operator.agent.AmphoraSession;
import dev.lbaas.operator.events.EventRecorder;
import dev.lbaas.operator.status.AmphoraView;
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
 * load balancer is SINGLE, no amphora holds the VIP, or the standby is not healthy or does not
 * serve the current configuration yet. Nothing is retried: another value asks again.
 */
final class FailoverRequests {

    private record Pending(String request, long startedNanos, AmphoraView from, AmphoraView to,
            CompletableFuture<AmphoraStatus> done) {
    }

    private final EventRecorder events;
    private final Map<String, Pending> pending = new ConcurrentHashMap<>();
    /**
     * The request last acted on, by load balancer uid: the status that says so may not have come
     * back through the cache by the next reconcile, and a request must never be acted on twice.
     */
    private final Map<String, String> actedOn = new ConcurrentHashMap<>();

    FailoverRequests(EventRecorder events) {
        this.events = events;
    }

    /**
     * Acts on the load balancer's failover request, if it has a new one.
     *
     * @param sessions its amphorae's sessions, in the order of {@code views}
     * @param views what is known of each amphora now
     * @param desiredGeneration the configuration the amphorae should serve: a standby that does not
     *     serve it yet does not take over
     * @param wake reconciles the load balancer again, when a handover finishes
     * @return the request value acted on, for {@code status.failoverRequest}
     */
    String handle(LoadBalancer lb, Topology topology, List<AmphoraSession> sessions, List<AmphoraView> views,
            long desiredGeneration, Runnable wake) {
        String uid = lb.getMetadata().getUid();
        String asked = lb.getMetadata().getAnnotations() == null ? null
                : lb.getMetadata().getAnnotations().get(LoadBalancer.FAILOVER_ANNOTATION);
        String inStatus = lb.getStatus() == null ? null : lb.getStatus().getFailoverRequest();
        if (asked == null || asked.equals(inStatus) || asked.equals(actedOn.get(uid))) {
            pending.remove(uid);
            return asked == null ? inStatus : asked;
        }
        Pending running = pending.get(uid);
        if (running != null && running.request().equals(asked)) {
            if (!running.done().isDone()) {
                return inStatus;
            }
            pending.remove(uid);
            actedOn.put(uid, asked);
            report(lb, running);
            return asked;
        }
        String refusal = refusal(topology, views, desiredGeneration);
        if (refusal != null) {
            actedOn.put(uid, asked);
            events.record(lb, true, "FailoverRefused", annotation(asked) + " was not acted on: " + refusal);
            return asked;
        }
        int master = indexOf(views, AmphoraInfo.Role.MASTER);
        int standby = indexOf(views, AmphoraInfo.Role.BACKUP);
        CompletableFuture<AmphoraStatus> done = sessions.get(master).failover();
        pending.put(uid, new Pending(asked, System.nanoTime(), views.get(master), views.get(standby), done));
        done.whenComplete((status, error) -> wake.run());
        return inStatus;
    }

    void forget(String loadBalancerUid) {
        pending.remove(loadBalancerUid);
        actedOn.remove(loadBalancerUid);
    }

    /** Why a failover now would leave the VIP with nobody, or null when the standby can take it. */
    static String refusal(Topology topology, List<AmphoraView> views, long desiredGeneration) {
        if (topology != Topology.ACTIVE_STANDBY) {
            return "the load balancer is " + topology + ": it has no standby to fail over to";
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
