package dev.lbaas.amphora.health;

import dev.lbaas.amphora.Transport;
import dev.lbaas.amphora.config.MemberHealth;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks one member every delay on one event loop and keeps its rise/fall state. Checks never
 * overlap because each is bounded by the timeout, which is shorter than the delay.
 *
 * <p>Passive detection, as HAProxy's {@code observe layer4} with {@code on-error mark-down}: a
 * connection the member fails takes it down at once, and only the monitor brings it back, after
 * maxRetries successful checks in a row.
 */
final class MemberMonitor implements TrackedMember {

    private static final Logger LOG = LoggerFactory.getLogger(MemberMonitor.class);
    /** How many verdicts a monitor remembers. */
    static final int RECENT_CHECKS = 64;

    private final MemberTarget target;
    private final HealthCheck check;
    private final EventLoop loop;
    private final HealthListener listener;
    /**
     * Guarded by this: the monitor's loop records checks, and any client's loop may record a
     * failed connection. The lock is held for a few field updates only.
     */
    private final RiseFall riseFall;
    private volatile MemberHealth health = MemberHealth.CHECKING;
    /**
     * Guarded by this: the latest verdicts, so that the rise and fall counting can be seen check
     * by check (in tests and when diagnosing a member) rather than guessed from timings.
     */
    private final ArrayDeque<CheckRecord> recent = new ArrayDeque<>();
    private long verdicts;
    private ScheduledFuture<?> schedule;
    private volatile boolean stopped;

    MemberMonitor(MemberTarget target, HealthCheck check, EventLoop loop, HealthListener listener) {
        this.target = target;
        this.check = check;
        this.loop = loop;
        this.listener = listener;
        this.riseFall = new RiseFall(target.monitor().maxRetries(), target.monitor().maxRetriesDown());
    }

    @Override
    public MemberTarget target() {
        return target;
    }

    @Override
    public MemberHealth health() {
        return health;
    }

    @Override
    public void connectionFailed() {
        MemberHealth before;
        synchronized (this) {
            if (stopped) {
                return;
            }
            before = health;
            health = riseFall.markDown();
            remember(false, true, health);
        }
        if (before != MemberHealth.DOWN) {
            LOG.info("member {} ({}) {} -> DOWN: a connection to {} failed; the monitor brings it back",
                    target.memberName(), target.memberId(), before, target.endpoint());
            listener.healthChanged();
        }
    }

    @Override
    public void start() {
        loop.execute(() -> {
            if (!stopped) {
                schedule = loop.scheduleAtFixedRate(this::runCheck, 0, target.monitor().delayMillis(),
                        TimeUnit.MILLISECONDS);
            }
        });
    }

    @Override
    public void stop() {
        stopped = true;
        loop.execute(() -> {
            if (schedule != null) {
                schedule.cancel(false);
            }
        });
    }

    private void runCheck() {
        long timeout = target.monitor().timeoutMillis();
        Promise<Boolean> outcome = loop.newPromise();
        ScheduledFuture<?> deadline = loop.schedule(() -> outcome.trySuccess(check.passesWhenSilent()), timeout,
                TimeUnit.MILLISECONDS);
        Runnable release;
        try {
            release = check.start(loop, target.monitorAddress(), timeout, outcome);
        } catch (RuntimeException e) {
            LOG.warn("member {} ({}): health check could not start: {}", target.memberName(), target.memberId(),
                    e.toString());
            release = () -> { };
            outcome.trySuccess(false);
        }
        Runnable releaseOnce = release;
        outcome.addListener((Future<Boolean> done) -> {
            deadline.cancel(false);
            releaseOnce.run();
            record(done.getNow());
        });
    }

    private void record(boolean success) {
        MemberHealth before;
        MemberHealth after;
        synchronized (this) {
            if (stopped) {
                return;
            }
            before = health;
            after = riseFall.record(success);
            health = after;
            remember(success, false, after);
        }
        if (after != before) {
            LOG.info("member {} ({}) {} -> {}", target.memberName(), target.memberId(), before, after);
            listener.healthChanged();
        }
    }

    @Override
    public synchronized List<CheckRecord> recentChecks() {
        return List.copyOf(recent);
    }

    /** Called with this held. */
    private void remember(boolean passed, boolean passive, MemberHealth after) {
        if (recent.size() == RECENT_CHECKS) {
            recent.removeFirst();
        }
        recent.addLast(new CheckRecord(++verdicts, passed, passive, after));
    }
}
