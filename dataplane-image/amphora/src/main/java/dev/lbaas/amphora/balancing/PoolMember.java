package dev.lbaas.amphora.balancing;

import dev.lbaas.amphora.config.MemberConfig;
import dev.lbaas.amphora.config.MemberHealth;
import dev.lbaas.amphora.health.MemberHealthTracker;
import dev.lbaas.amphora.stats.TrafficCounters;
import java.net.InetSocketAddress;

/**
 * A member as one configuration generation serves it: its settings, where it is, its live health
 * (owned by its health tracker, which outlives generations) and its traffic counters.
 */
public final class PoolMember {

    private final MemberConfig config;
    private final InetSocketAddress endpoint;
    private final MemberHealthTracker health;
    private final TrafficCounters counters;
    private final Object transport;

    public PoolMember(MemberConfig config, InetSocketAddress endpoint, MemberHealthTracker health,
            TrafficCounters counters) {
        this(config, endpoint, health, counters, null);
    }

    /**
     * @param transport how connections to the member are made beyond its address (its pool's TLS
     *     settings), or null: connections made otherwise are not the same connections
     */
    public PoolMember(MemberConfig config, InetSocketAddress endpoint, MemberHealthTracker health,
            TrafficCounters counters, Object transport) {
        this.config = config;
        this.endpoint = endpoint;
        this.health = health;
        this.counters = counters;
        this.transport = transport;
    }

    /** How connections to the member are made beyond its address, or null; see the constructor. */
    public Object transport() {
        return transport;
    }

    public MemberConfig config() {
        return config;
    }

    public String id() {
        return config.id();
    }

    public InetSocketAddress endpoint() {
        return endpoint;
    }

    public int weight() {
        return config.weight();
    }

    public boolean backup() {
        return config.backup();
    }

    public MemberHealth health() {
        return health.health();
    }

    /** Passive health detection: a connection to the member could not be opened. */
    public void connectionFailed() {
        health.connectionFailed();
    }

    public TrafficCounters counters() {
        return counters;
    }

    /** Whether the member may take a new connection: enabled, not draining (weight 0), not down. */
    public boolean takesNewConnections() {
        return config.adminStateUp() && config.weight() > 0 && health.takesTraffic();
    }

    /** Whether a connection to {@code other} could be reused for this member. */
    public boolean sameEndpoint(PoolMember other) {
        return other != null && config.id().equals(other.config.id()) && endpoint.equals(other.endpoint)
                && java.util.Objects.equals(transport, other.transport);
    }

    @Override
    public String toString() {
        return config.name() + "(" + endpoint.getAddress().getHostAddress() + ":" + endpoint.getPort() + ")";
    }
}
