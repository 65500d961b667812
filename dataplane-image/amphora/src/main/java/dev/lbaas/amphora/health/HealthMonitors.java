package dev.lbaas.amphora.health;

import dev.lbaas.amphora.config.MemberHealth;
import io.netty.channel.EventLoopGroup;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The running member monitors, keyed by member id. A new configuration is introduced in two steps,
 * {@link #plan} then {@link Plan#commit}, so that a configuration that fails to apply leaves the
 * running monitors untouched. Plans are made and committed by one thread at a time (the amphora's
 * configuration thread).
 */
public final class HealthMonitors {

    private final EventLoopGroup group;
    private final HealthListener listener;
    private Map<String, MemberMonitor> running = Map.of();

    public HealthMonitors(EventLoopGroup group, HealthListener listener) {
        this.group = group;
        this.listener = listener;
    }

    /** Works out which monitors the targets need, reusing those whose check is unchanged. Starts nothing. */
    public Plan plan(Collection<MonitorTarget> targets) {
        Map<String, MemberMonitor> next = new HashMap<>();
        List<MemberMonitor> created = new ArrayList<>();
        for (MonitorTarget target : targets) {
            MemberMonitor existing = running.get(target.memberId());
            if (existing != null && existing.target().sameCheck(target)) {
                next.put(target.memberId(), existing);
            } else {
                MemberMonitor monitor = new MemberMonitor(target, group.next(), listener);
                next.put(target.memberId(), monitor);
                created.add(monitor);
            }
        }
        return new Plan(next, created);
    }

    /** Stops every monitor. */
    public void stopAll() {
        running.values().forEach(MemberMonitor::stop);
        running = Map.of();
    }

    /** The monitors of one configuration, ready to replace the running ones. */
    public final class Plan {
        private final Map<String, MemberMonitor> monitors;
        private final List<MemberMonitor> created;

        private Plan(Map<String, MemberMonitor> monitors, List<MemberMonitor> created) {
            this.monitors = monitors;
            this.created = created;
        }

        /** The live health of a member in this plan. */
        public Supplier<MemberHealth> health(String memberId) {
            return monitors.get(memberId)::health;
        }

        /** Starts the new monitors (each checks at once) and stops those no longer needed. */
        public void commit() {
            List<MemberMonitor> obsolete = new ArrayList<>(running.values());
            obsolete.removeAll(monitors.values());
            obsolete.forEach(MemberMonitor::stop);
            created.forEach(MemberMonitor::start);
            running = Map.copyOf(monitors);
        }
    }
}
