package dev.lbaas.amphora.config;

import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * The whole configuration of one load balancer as one amphora serves it.
 *
 * @param generation increases with every change; the amphora never goes back to an older one
 * @param loadBalancerId stable identity of the load balancer (the Kubernetes uid)
 * @param vipAddress the address every listener binds
 * @param adminStateUp false stops every listener (connections are refused)
 * @param listeners the listeners, each on its own port and protocol
 * @param pools every pool a listener may use
 * @param failover the ACTIVE_STANDBY pair this amphora belongs to; null for SINGLE
 */
public record AmphoraConfig(
        long generation,
        String loadBalancerId,
        String vipAddress,
        boolean adminStateUp,
        List<ListenerConfig> listeners,
        List<PoolConfig> pools,
        FailoverConfig failover) {

    /** A SINGLE amphora's configuration. */
    public AmphoraConfig(long generation, String loadBalancerId, String vipAddress, boolean adminStateUp,
            List<ListenerConfig> listeners, List<PoolConfig> pools) {
        this(generation, loadBalancerId, vipAddress, adminStateUp, listeners, pools, null);
    }

    public AmphoraConfig {
        if (generation < 1) {
            throw new IllegalArgumentException("generation must be at least 1, got " + generation);
        }
        Validation.requireText(loadBalancerId, "loadBalancerId");
        Validation.requireText(vipAddress, "vipAddress");
        listeners = List.copyOf(Objects.requireNonNullElse(listeners, List.of()));
        pools = List.copyOf(Objects.requireNonNullElse(pools, List.of()));

        Set<String> poolIds = new HashSet<>();
        for (PoolConfig pool : pools) {
            if (!poolIds.add(pool.id())) {
                throw new IllegalArgumentException("pools: duplicate pool id " + pool.id());
            }
        }
        Set<String> ports = new HashSet<>();
        for (ListenerConfig listener : listeners) {
            if (!ports.add(listener.protocol().transport() + "/" + listener.protocolPort())) {
                throw new IllegalArgumentException("listeners: two listeners on " + listener.protocol().transport()
                        + " port " + listener.protocolPort());
            }
            if (listener.defaultPoolId() != null) {
                PoolConfig pool = pools.stream().filter(p -> p.id().equals(listener.defaultPoolId())).findFirst()
                        .orElseThrow(() -> new IllegalArgumentException("listeners[" + listener.id()
                                + "].defaultPoolId: unknown pool " + listener.defaultPoolId()));
                checkPoolFits(listener, pool, "listeners[" + listener.id() + "].defaultPoolId");
            }
            for (L7PolicyConfig policy : listener.l7Policies()) {
                if (policy.redirectPoolId() != null) {
                    String field = "listeners[" + listener.id() + "].l7Policies[" + policy.id() + "].redirectPoolId";
                    PoolConfig pool = pools.stream().filter(p -> p.id().equals(policy.redirectPoolId())).findFirst()
                            .orElseThrow(() -> new IllegalArgumentException(field + ": unknown pool "
                                    + policy.redirectPoolId()));
                    checkPoolFits(listener, pool, field);
                }
            }
        }
    }

    /**
     * A listener and its pool agree on the transport (datagrams go to UDP members only), and
     * cookies, which exist only where the amphora reads HTTP, are not asked of another listener.
     */
    private static void checkPoolFits(ListenerConfig listener, PoolConfig pool, String field) {
        if (!listener.protocol().transport().equals(pool.protocol().transport())) {
            throw new IllegalArgumentException(field + ": pool " + pool.id() + " is " + pool.protocol() + ", a "
                    + listener.protocol() + " listener needs a " + listener.protocol().transport() + " pool");
        }
        SessionPersistenceConfig persistence = pool.sessionPersistence();
        if (persistence != null && persistence.type() != SessionPersistenceConfig.Type.SOURCE_IP
                && !listener.protocol().readsHttp()) {
            throw new IllegalArgumentException(field + ": pool " + pool.id() + " has sessionPersistence "
                    + persistence.type() + ", which needs an HTTP listener, not " + listener.protocol());
        }
    }

    /** The same configuration under another generation number. */
    public AmphoraConfig withGeneration(long newGeneration) {
        return new AmphoraConfig(newGeneration, loadBalancerId, vipAddress, adminStateUp, listeners, pools, failover);
    }

    /** The same configuration as one amphora of a pair serves it. */
    public AmphoraConfig withFailover(FailoverConfig pair) {
        return new AmphoraConfig(generation, loadBalancerId, vipAddress, adminStateUp, listeners, pools, pair);
    }

    /** The pool with this id, or null. */
    public PoolConfig pool(String poolId) {
        for (PoolConfig pool : pools) {
            if (pool.id().equals(poolId)) {
                return pool;
            }
        }
        return null;
    }
}
