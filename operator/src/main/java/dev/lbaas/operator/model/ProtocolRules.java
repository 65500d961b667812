package dev.lbaas.operator.model;

import dev.lbaas.api.v1alpha1.HealthMonitorSpec;
import dev.lbaas.api.v1alpha1.ListenerProtocol;
import dev.lbaas.api.v1alpha1.PoolProtocol;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

/**
 * Octavia's compatibility tables (which pool protocols a listener may use, which monitor types a
 * pool may use) and what this version of the amphora serves.
 */
final class ProtocolRules {

    private static final Map<ListenerProtocol, Set<PoolProtocol>> POOLS_FOR_LISTENER = Map.of(
            ListenerProtocol.HTTP, EnumSet.of(PoolProtocol.HTTP, PoolProtocol.PROXY, PoolProtocol.PROXYV2),
            ListenerProtocol.HTTPS, EnumSet.of(PoolProtocol.HTTPS, PoolProtocol.TCP, PoolProtocol.PROXY,
                    PoolProtocol.PROXYV2),
            ListenerProtocol.TCP, EnumSet.of(PoolProtocol.TCP, PoolProtocol.HTTP, PoolProtocol.HTTPS,
                    PoolProtocol.PROXY, PoolProtocol.PROXYV2),
            ListenerProtocol.TERMINATED_HTTPS, EnumSet.of(PoolProtocol.HTTP, PoolProtocol.PROXY, PoolProtocol.PROXYV2),
            ListenerProtocol.UDP, EnumSet.of(PoolProtocol.UDP),
            ListenerProtocol.SCTP, EnumSet.of(PoolProtocol.SCTP),
            ListenerProtocol.PROMETHEUS, EnumSet.noneOf(PoolProtocol.class));

    private static final Set<HealthMonitorSpec.Type> MONITORS_FOR_STREAM_POOLS = EnumSet.of(
            HealthMonitorSpec.Type.HTTP, HealthMonitorSpec.Type.HTTPS, HealthMonitorSpec.Type.PING,
            HealthMonitorSpec.Type.TCP, HealthMonitorSpec.Type.TLS_HELLO);
    private static final Set<HealthMonitorSpec.Type> MONITORS_FOR_DATAGRAM_POOLS = EnumSet.of(
            HealthMonitorSpec.Type.HTTP, HealthMonitorSpec.Type.TCP, HealthMonitorSpec.Type.UDP_CONNECT,
            HealthMonitorSpec.Type.SCTP);

    /** What the amphora of this release serves; the rest is accepted by the API but refused here. */
    static final Set<ListenerProtocol> SERVED_LISTENER_PROTOCOLS = EnumSet.of(ListenerProtocol.TCP,
            ListenerProtocol.HTTP, ListenerProtocol.HTTPS, ListenerProtocol.TERMINATED_HTTPS, ListenerProtocol.UDP,
            ListenerProtocol.PROMETHEUS);
    static final Set<PoolProtocol> SERVED_POOL_PROTOCOLS = EnumSet.of(PoolProtocol.TCP, PoolProtocol.HTTP,
            PoolProtocol.HTTPS, PoolProtocol.PROXY, PoolProtocol.PROXYV2, PoolProtocol.UDP);
    static final Set<HealthMonitorSpec.Type> SERVED_MONITOR_TYPES = EnumSet.of(HealthMonitorSpec.Type.TCP,
            HealthMonitorSpec.Type.HTTP, HealthMonitorSpec.Type.HTTPS, HealthMonitorSpec.Type.PING,
            HealthMonitorSpec.Type.TLS_HELLO, HealthMonitorSpec.Type.UDP_CONNECT);

    private ProtocolRules() {
    }

    static boolean poolAllowedBehind(ListenerProtocol listener, PoolProtocol pool) {
        return POOLS_FOR_LISTENER.get(listener).contains(pool);
    }

    static Set<PoolProtocol> poolsAllowedBehind(ListenerProtocol listener) {
        return POOLS_FOR_LISTENER.get(listener);
    }

    static boolean monitorAllowedFor(PoolProtocol pool, HealthMonitorSpec.Type type) {
        return monitorsAllowedFor(pool).contains(type);
    }

    static Set<HealthMonitorSpec.Type> monitorsAllowedFor(PoolProtocol pool) {
        boolean datagram = pool == PoolProtocol.UDP || pool == PoolProtocol.SCTP;
        return datagram ? MONITORS_FOR_DATAGRAM_POOLS : MONITORS_FOR_STREAM_POOLS;
    }

}
