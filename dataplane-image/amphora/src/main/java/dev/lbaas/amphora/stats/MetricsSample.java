package dev.lbaas.amphora.stats;

import dev.lbaas.amphora.config.ListenerConfig;
import dev.lbaas.amphora.config.MemberConfig;
import dev.lbaas.amphora.config.MemberHealth;
import dev.lbaas.amphora.config.PoolConfig;
import java.util.List;

/**
 * What a metrics scrape reports about the load balancer: the served generation and every
 * configured listener, pool and member with its live counters.
 *
 * @param appliedGeneration the configuration generation being served, 0 before the first one
 */
public record MetricsSample(long appliedGeneration, List<ListenerSample> listeners, List<PoolSample> pools) {

    public static final MetricsSample NOTHING_APPLIED = new MetricsSample(0, List.of(), List.of());

    public MetricsSample {
        listeners = List.copyOf(listeners);
        pools = List.copyOf(pools);
    }

    /**
     * @param serving false while the listener or the whole load balancer is disabled
     * @param atConnectionLimit true while the listener holds connectionLimit connections
     */
    public record ListenerSample(ListenerConfig config, boolean serving, boolean atConnectionLimit,
            TrafficCounters counters) {
    }

    public record PoolSample(PoolConfig config, TrafficCounters counters, List<MemberSample> members) {
        public PoolSample {
            members = List.copyOf(members);
        }
    }

    /** @param takesNewConnections enabled, not draining and not down */
    public record MemberSample(MemberConfig config, MemberHealth health, boolean takesNewConnections,
            TrafficCounters counters) {
    }
}
