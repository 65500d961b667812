package dev.lbaas.amphora.health;

import io.netty.channel.EventLoopGroup;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The health trackers of every member, keyed by member id: an active monitor for members whose
 * pool has an enabled monitor, passive detection alone for the others. A new configuration is
 * introduced in two steps, {@link #plan} then {@link Plan#commit}, so that a configuration that
 * fails to apply leaves the running trackers untouched. Plans are made and committed by one thread
 * at a time (the amphora's configuration thread).
 */
public final class HealthMonitors {

    private static final Logger LOG = LoggerFactory.getLogger(HealthMonitors.class);

    private final EventLoopGroup group;
    private final HealthListener listener;
    private final PingMethod ping;
    /**
     * Runs ICMP probes, which block for up to their timeout. Threads come and go with the number
     * of probes in flight, at most one per PING-monitored member since checks do not overlap.
     */
    private final ExecutorService blockingProbes = Executors.newCachedThreadPool(daemonThreads("health-icmp-"));
    private Map<String, TrackedMember> running = Map.of();

    public HealthMonitors(EventLoopGroup group, HealthListener listener) {
        this(group, listener, PingMethod.detect());
    }

    HealthMonitors(EventLoopGroup group, HealthListener listener, PingMethod ping) {
        this.group = group;
        this.listener = listener;
        this.ping = ping;
        LOG.info(ping.description());
    }

    /**
     * Works out which trackers the members need, reusing those whose target is unchanged.
     * Starts nothing.
     *
     * @throws IllegalArgumentException when a monitor cannot be served here
     */
    public Plan plan(Collection<MemberTarget> targets) {
        Map<String, TrackedMember> next = new HashMap<>();
        List<TrackedMember> created = new ArrayList<>();
        for (MemberTarget target : targets) {
            TrackedMember existing = running.get(target.memberId());
            if (existing != null && existing.target().sameAs(target)) {
                next.put(target.memberId(), existing);
            } else {
                TrackedMember tracker = target.isMonitored()
                        ? new MemberMonitor(target, HealthCheck.of(target.monitor(), ping, blockingProbes),
                                group.next(), listener)
                        : new UnmonitoredMember(target, group.next(), listener);
                next.put(target.memberId(), tracker);
                created.add(tracker);
            }
        }
        return new Plan(next, created);
    }

    /** The latest verdicts on a member of the running configuration, oldest first; empty when none. */
    public List<CheckRecord> recentChecks(String memberId) {
        TrackedMember tracker = running.get(memberId);
        return tracker == null ? List.of() : tracker.recentChecks();
    }

    /** Stops every tracker. */
    public void stopAll() {
        running.values().forEach(TrackedMember::stop);
        running = Map.of();
        blockingProbes.shutdownNow();
    }

    private static ThreadFactory daemonThreads(String prefix) {
        AtomicInteger count = new AtomicInteger();
        return task -> {
            Thread thread = new Thread(task, prefix + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }

    /** The trackers of one configuration, ready to replace the running ones. */
    public final class Plan {
        private final Map<String, TrackedMember> trackers;
        private final List<TrackedMember> created;

        private Plan(Map<String, TrackedMember> trackers, List<TrackedMember> created) {
            this.trackers = trackers;
            this.created = created;
        }

        /** The live health of a member in this plan. */
        public MemberHealthTracker tracker(String memberId) {
            return trackers.get(memberId);
        }

        /** Starts the new trackers (monitors check at once) and stops those no longer needed. */
        public void commit() {
            List<TrackedMember> obsolete = new ArrayList<>(running.values());
            obsolete.removeAll(trackers.values());
            obsolete.forEach(TrackedMember::stop);
            created.forEach(TrackedMember::start);
            running = Map.copyOf(trackers);
        }
    }
}
