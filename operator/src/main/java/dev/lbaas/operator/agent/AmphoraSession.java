package dev.lbaas.operator.agent;

import dev.lbaas.amphora.config.AmphoraConfig;
import dev.lbaas.amphora.config.AmphoraStatus;
import dev.lbaas.api.v1alpha1.AmphoraInfo;
import dev.lbaas.operator.status.AmphoraView;
import java.net.URI;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * The operator's side of one amphora: it pushes the newest desired configuration until the
 * amphora serves it, and keeps a long-poll open on the amphora's status so that a member going
 * down reaches the operator within milliseconds. Whenever what the operator knows changes (a
 * generation acknowledged, health changed, the amphora became unreachable or reachable again) it
 * calls {@code onChange}, which triggers a reconcile of the load balancer.
 *
 * <p>All state changes happen under the session's lock and are read as one {@link AmphoraView}.
 */
public final class AmphoraSession implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(AmphoraSession.class);
    private static final int WATCH_WAIT_SECONDS = 20;
    private static final long RETRY_MILLIS = 250;
    private static final long MAX_RETRY_MILLIS = 2_000;

    private final String id;
    private final AmphoraInfo.Role role;
    private final String location;
    private final URI agent;
    private final AgentClient client;
    private final ScheduledExecutorService scheduler;
    private final Runnable onChange;

    private AmphoraConfig desired;
    private boolean pushInFlight;
    private long appliedGeneration;
    private String rejection;
    private long rejectedGeneration;
    private boolean reachable;
    private AmphoraStatus report;
    private long failures;
    /** Whether the agent ever answered: a new amphora is asked again at once while it starts. */
    private boolean everReached;
    private boolean closed;

    public AmphoraSession(String id, AmphoraInfo.Role role, String location, URI agent, AgentClient client,
            ScheduledExecutorService scheduler, Runnable onChange) {
        this.id = id;
        this.role = role;
        this.location = location;
        this.agent = agent;
        this.client = client;
        this.scheduler = scheduler;
        this.onChange = onChange;
        watch(0);
    }

    public String id() {
        return id;
    }

    public URI agent() {
        return agent;
    }

    /** Asks for {@code config} to be served; an older or equal generation than the desired one is ignored. */
    public void desire(AmphoraConfig config) {
        synchronized (this) {
            if (desired != null && desired.generation() >= config.generation()) {
                return;
            }
            desired = config;
        }
        pushIfNeeded();
    }

    public synchronized AmphoraView view() {
        String currentRejection = desired != null && rejectedGeneration == desired.generation() ? rejection : null;
        return new AmphoraView(id, currentRole(), location, reachable, appliedGeneration, currentRejection, report);
    }

    /**
     * In a pair, the role the amphora reports: MASTER while it is master, BACKUP otherwise (FAULT,
     * unreachable and not yet told of its pair included: none of them holds the VIP as far as anyone
     * can tell). STANDALONE for a single amphora.
     */
    private AmphoraInfo.Role currentRole() {
        if (role == AmphoraInfo.Role.STANDALONE) {
            return role;
        }
        return reachable && report != null && report.pair() != null && AmphoraView.MASTER.equals(report.pair().role())
                ? AmphoraInfo.Role.MASTER : AmphoraInfo.Role.BACKUP;
    }

    /** Asks the amphora, its pair's master, to hand the VIP to its peer; see {@link AgentClient#failover}. */
    public CompletableFuture<AmphoraStatus> failover(Duration timeout) {
        return client.failover(agent, timeout).whenComplete((status, error) -> {
            if (status != null) {
                synchronized (this) {
                    // unless the long poll brought a newer one meanwhile
                    if (report == null || status.healthVersion() >= report.healthVersion()) {
                        report = status;
                    }
                }
                onChange.run();
            }
        });
    }

    private void pushIfNeeded() {
        AmphoraConfig toPush;
        synchronized (this) {
            if (closed || pushInFlight || desired == null || desired.generation() <= appliedGeneration
                    || desired.generation() == rejectedGeneration) {
                return;
            }
            pushInFlight = true;
            toPush = desired;
        }
        client.push(agent, toPush).whenComplete((result, error) -> {
            boolean changed;
            synchronized (this) {
                pushInFlight = false;
                if (error != null) {
                    changed = markUnreachable(error);
                } else if (result instanceof AgentClient.PushResult.Applied applied) {
                    changed = applied.appliedGeneration() != appliedGeneration || !reachable;
                    appliedGeneration = Math.max(appliedGeneration, applied.appliedGeneration());
                    reachable = true;
                    everReached = true;
                    failures = 0;
                } else {
                    AgentClient.PushResult.Rejected rejected = (AgentClient.PushResult.Rejected) result;
                    LOG.warnf("amphora %s rejected configuration generation %d: %s", id, toPush.generation(),
                            rejected.message());
                    rejection = "amphora " + id + " rejected configuration generation " + toPush.generation() + ": "
                            + rejected.message();
                    rejectedGeneration = toPush.generation();
                    changed = true;
                }
            }
            if (changed) {
                onChange.run();
            }
            if (error != null) {
                schedule(this::pushIfNeeded);
            } else {
                pushIfNeeded();
            }
        });
    }

    private void watch(long afterHealthVersion) {
        synchronized (this) {
            if (closed) {
                return;
            }
        }
        client.status(agent, afterHealthVersion, WATCH_WAIT_SECONDS).whenComplete((status, error) -> {
            boolean changed;
            long next;
            synchronized (this) {
                if (error != null) {
                    changed = markUnreachable(error);
                    next = 0;
                } else {
                    changed = !reachable || report == null || report.healthVersion() != status.healthVersion()
                            || status.appliedGeneration() != appliedGeneration
                            || !Objects.equals(report.pair(), status.pair());
                    reachable = true;
                    everReached = true;
                    failures = 0;
                    report = status;
                    appliedGeneration = status.appliedGeneration();
                    next = status.healthVersion();
                }
            }
            if (changed) {
                onChange.run();
            }
            if (error != null) {
                schedule(() -> watch(0));
            } else {
                // A restarted amphora starts from nothing: push again if it serves less than desired.
                pushIfNeeded();
                watch(next);
            }
        });
    }

    private boolean markUnreachable(Throwable error) {
        failures++;
        if (failures == 1 || failures % 20 == 0) {
            LOG.debugf("amphora %s at %s not reachable: %s", id, agent, error.toString());
        }
        boolean changed = reachable;
        reachable = false;
        return changed;
    }

    private void schedule(Runnable action) {
        long delay;
        synchronized (this) {
            if (closed) {
                return;
            }
            // An amphora that never answered is starting (its process or pod comes up within seconds):
            // ask every RETRY_MILLIS, so that it is programmed as soon as it listens. One that answered
            // before and stopped backs off, up to MAX_RETRY_MILLIS.
            delay = everReached ? Math.min(MAX_RETRY_MILLIS, RETRY_MILLIS * Math.max(1, failures)) : RETRY_MILLIS;
        }
        scheduler.schedule(action, delay, TimeUnit.MILLISECONDS);
    }

    @Override
    public synchronized void close() {
        closed = true;
    }
}
