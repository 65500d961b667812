package dev.lbaas.amphora.vip;

import dev.lbaas.amphora.config.FailoverConfig;
import dev.lbaas.amphora.vrrp.MasterClaim;
import java.time.Duration;
import java.util.function.Consumer;

/**
 * Tells the network that this amphora holds its pair's VIP, where holding the listeners' sockets
 * is not enough: on one host the VIP is an address both amphorae bind, and the socket is the
 * whole story ({@link #NONE}); behind a Kubernetes Service the VIP reaches only the endpoints
 * its EndpointSlice lists, which the master writes ({@link EndpointSlicePublisher}).
 */
public interface VipPublisher extends AutoCloseable {

    /** Where the socket is the VIP. */
    VipPublisher NONE = new VipPublisher() {
        @Override
        public void holding(MasterClaim claim) {
        }

        @Override
        public void close() {
        }
    };

    /**
     * Where a Kubernetes Service selects both amphorae of a pair and the kubelet's readiness probe
     * ({@code /readyz/master}) tells it which is master: nothing to write, but a master that hands
     * the VIP over keeps its listeners until the kubelet has seen it unready (two failed probes a
     * second apart) and the node proxies have followed.
     */
    VipPublisher READINESS = new VipPublisher() {
        @Override
        public void holding(MasterClaim claim) {
        }

        @Override
        public Duration linger() {
            return FailoverConfig.LINGER_BEHIND_READINESS;
        }

        @Override
        public void close() {
        }
    };

    /**
     * Told after every change of role or term, once the listeners are bound or closed: this
     * amphora's claim while it is its pair's master, null once it is not. Returns at once; the
     * network is told in the background, and again until it has listened.
     */
    void holding(MasterClaim claim);

    /**
     * {@code seen} is told (on any thread, without blocking) what the network records as the
     * pair's master, whenever it is read: the pair takes its term into account.
     */
    default void whenClaimSeen(Consumer<MasterClaim> seen) {
    }

    /** Why the network cannot be told (a refused or failed write), or null. */
    default String problem() {
        return null;
    }

    /** {@code changed} runs (on any thread, without blocking) whenever {@link #problem} changes. */
    default void whenProblemChanges(Runnable changed) {
    }

    /**
     * How long a master that hands the VIP over keeps its listeners open after its successor took
     * it: the time the network takes to follow the successor, during which connections may still
     * arrive at the old master. Nothing where the socket is the VIP.
     */
    default Duration linger() {
        return Duration.ZERO;
    }

    @Override
    void close();
}
