package dev.lbaas.operator.model;

import dev.lbaas.amphora.config.AmphoraConfig;
import dev.lbaas.amphora.config.HealthMonitorConfig;
import dev.lbaas.amphora.config.LbAlgorithm;
import dev.lbaas.amphora.config.ListenerConfig;
import dev.lbaas.amphora.config.ListenerTimeouts;
import dev.lbaas.amphora.config.MemberConfig;
import dev.lbaas.amphora.config.MonitorType;
import dev.lbaas.amphora.config.PoolConfig;
import dev.lbaas.amphora.config.PoolProtocol;
import dev.lbaas.amphora.config.SessionPersistenceConfig;
import dev.lbaas.api.v1alpha1.HealthMonitor;
import dev.lbaas.api.v1alpha1.HealthMonitorSpec;
import dev.lbaas.api.v1alpha1.InsertHeader;
import dev.lbaas.api.v1alpha1.Listener;
import dev.lbaas.api.v1alpha1.ListenerSpec;
import dev.lbaas.api.v1alpha1.Member;
import dev.lbaas.api.v1alpha1.Pool;
import dev.lbaas.api.v1alpha1.SessionPersistence;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * Turns the object tree of one load balancer into the {@link AmphoraConfig} its amphorae serve,
 * applying Octavia's cross-object rules. Pure: no I/O, the same tree always gives the same result.
 *
 * <p>An object that breaks a rule gets a verdict saying why and is left out; the rest of the load
 * balancer is still rendered, so one bad object never takes the others down. Identities on the wire
 * are Kubernetes uids, so a renamed or re-created object is a new object for the amphora.
 */
public final class ConfigRenderer {

    private ConfigRenderer() {
    }

    /** Renders the tree with nothing served before. */
    public static RenderedConfig render(LoadBalancerTree tree, String vipAddress, long generation) {
        return render(tree, vipAddress, generation, null);
    }

    /**
     * Renders the tree.
     *
     * @param previous the configuration served so far, or null: a listener whose new default pool
     *     cannot be accepted keeps the pool it had, so the last good configuration keeps serving
     */
    public static RenderedConfig render(LoadBalancerTree tree, String vipAddress, long generation,
            AmphoraConfig previous) {
        Map<String, Verdict> verdicts = new HashMap<>();
        Map<String, Pool> poolsByName = new LinkedHashMap<>();
        tree.pools().forEach(p -> poolsByName.put(p.getMetadata().getName(), p));

        // Listeners first: the oldest listener on a port keeps it.
        Map<String, Listener> servedListeners = new LinkedHashMap<>();
        Map<String, String> portOwners = new HashMap<>();
        for (Listener listener : tree.listeners()) {
            ListenerSpec spec = listener.getSpec();
            String portKey = spec.getProtocolPort() + "/" + ProtocolRules.transport(spec.getProtocol());
            if (!ProtocolRules.SERVED_LISTENER_PROTOCOLS.contains(spec.getProtocol())) {
                verdicts.put(uid(listener), Verdict.rejected("UnsupportedProtocol", "protocol " + spec.getProtocol()
                        + " is not served by this amphora release yet; served: "
                        + ProtocolRules.SERVED_LISTENER_PROTOCOLS));
            } else if (portOwners.containsKey(portKey)) {
                verdicts.put(uid(listener), Verdict.rejected("PortConflict", "port " + portKey
                        + " is already used by listener " + portOwners.get(portKey)));
            } else {
                portOwners.put(portKey, name(listener));
                servedListeners.put(name(listener), listener);
            }
        }

        // The default pool of each listener: named by the listener, or the pool that names the listener.
        Map<String, Pool> defaultPools = new HashMap<>();
        for (Listener listener : servedListeners.values()) {
            String poolName = listener.getSpec().getDefaultPoolRef();
            Pool pool = poolName != null ? poolsByName.get(poolName) : tree.pools().stream()
                    .filter(p -> name(listener).equals(p.getSpec().getListenerRef()))
                    .findFirst().orElse(null);
            if (pool == null && poolName != null) {
                verdicts.put(uid(listener), Verdict.unresolved("PoolNotFound", "defaultPoolRef: Pool " + poolName
                        + " does not exist in namespace " + listener.getMetadata().getNamespace()
                        + " (or belongs to another load balancer); the listener answers without a pool"));
            } else if (pool != null) {
                defaultPools.put(name(listener), pool);
            }
        }

        // Pools: protocol served, and compatible with every listener that sends them traffic.
        Map<String, Pool> servedPools = new LinkedHashMap<>();
        for (Pool pool : tree.pools()) {
            String problem = poolProblem(pool, servedListeners, defaultPools);
            if (problem != null) {
                String reason = problem.startsWith("protocol") ? "IncompatibleProtocol" : "Unsupported";
                verdicts.put(uid(pool), Verdict.rejected(reason, problem));
            } else {
                servedPools.put(name(pool), pool);
            }
        }
        for (Listener listener : servedListeners.values()) {
            Pool pool = defaultPools.get(name(listener));
            if (pool != null && !servedPools.containsKey(name(pool))) {
                Pool lastGood = previousDefaultPool(previous, listener, servedPools);
                String fallback = lastGood == null ? "the listener answers without a pool"
                        : "the listener keeps serving its previous pool " + name(lastGood);
                verdicts.put(uid(listener), Verdict.unresolved("PoolNotAccepted", "default pool " + name(pool)
                        + " is not accepted (see its conditions); " + fallback));
                if (lastGood == null) {
                    defaultPools.remove(name(listener));
                } else {
                    defaultPools.put(name(listener), lastGood);
                }
            }
        }

        // One monitor per pool: the oldest one wins.
        Map<String, HealthMonitor> monitors = new HashMap<>();
        for (HealthMonitor monitor : tree.healthMonitors()) {
            Pool pool = servedPools.get(monitor.getSpec().getPoolRef());
            HealthMonitorSpec.Type type = monitor.getSpec().getType();
            if (pool == null) {
                verdicts.put(uid(monitor), Verdict.blockedBy("PoolNotAccepted", "pool " + monitor.getSpec().getPoolRef()
                        + " is not accepted (see its conditions)"));
            } else if (monitors.containsKey(name(pool))) {
                verdicts.put(uid(monitor), Verdict.rejected("MonitorConflict", "pool " + name(pool)
                        + " already has health monitor " + name(monitors.get(name(pool))) + "; a pool has one monitor"));
            } else if (!ProtocolRules.monitorAllowedFor(pool.getSpec().getProtocol(), type)) {
                verdicts.put(uid(monitor), Verdict.rejected("IncompatibleType", "type " + type
                        + " cannot check members of " + pool.getSpec().getProtocol() + " pool " + name(pool)));
            } else if (!ProtocolRules.SERVED_MONITOR_TYPES.contains(type)) {
                verdicts.put(uid(monitor), Verdict.rejected("UnsupportedType", "type " + type
                        + " is not served by this amphora release yet; served: " + ProtocolRules.SERVED_MONITOR_TYPES));
            } else {
                monitors.put(name(pool), monitor);
            }
        }

        Map<String, List<Member>> membersByPool = new HashMap<>();
        for (Member member : tree.members()) {
            if (servedPools.containsKey(member.getSpec().getPoolRef())) {
                membersByPool.computeIfAbsent(member.getSpec().getPoolRef(), k -> new ArrayList<>()).add(member);
            } else {
                verdicts.put(uid(member), Verdict.blockedBy("PoolNotAccepted", "pool " + member.getSpec().getPoolRef()
                        + " is not accepted (see its conditions)"));
            }
        }

        List<PoolConfig> pools = servedPools.values().stream()
                .map(pool -> poolConfig(pool, membersByPool.getOrDefault(name(pool), List.of()), monitors.get(name(pool))))
                .toList();
        List<ListenerConfig> listeners = servedListeners.values().stream()
                .map(listener -> listenerConfig(listener, defaultPools.get(name(listener))))
                .toList();
        AmphoraConfig config = new AmphoraConfig(generation, uid(tree.loadBalancer()), vipAddress,
                !Boolean.FALSE.equals(tree.loadBalancer().getSpec().getAdminStateUp()), listeners, pools);
        return new RenderedConfig(config, verdicts);
    }

    private static Pool previousDefaultPool(AmphoraConfig previous, Listener listener, Map<String, Pool> servedPools) {
        if (previous == null) {
            return null;
        }
        String previousPoolId = previous.listeners().stream()
                .filter(l -> l.id().equals(uid(listener)))
                .map(ListenerConfig::defaultPoolId)
                .filter(Objects::nonNull)
                .findFirst().orElse(null);
        return servedPools.values().stream().filter(p -> uid(p).equals(previousPoolId)).findFirst().orElse(null);
    }

    private static String poolProblem(Pool pool, Map<String, Listener> listeners, Map<String, Pool> defaultPools) {
        dev.lbaas.api.v1alpha1.PoolProtocol protocol = pool.getSpec().getProtocol();
        for (Map.Entry<String, Pool> entry : defaultPools.entrySet()) {
            if (entry.getValue() == pool) {
                Listener listener = listeners.get(entry.getKey());
                if (!ProtocolRules.poolAllowedBehind(listener.getSpec().getProtocol(), protocol)) {
                    return "protocol " + protocol + " cannot serve " + listener.getSpec().getProtocol() + " listener "
                            + entry.getKey() + "; allowed: " + ProtocolRules.poolsAllowedBehind(listener.getSpec().getProtocol());
                }
            }
        }
        if (!ProtocolRules.SERVED_POOL_PROTOCOLS.contains(protocol)) {
            return "pool protocol " + protocol + " is not served by this amphora release yet; served: "
                    + ProtocolRules.SERVED_POOL_PROTOCOLS;
        }
        SessionPersistence persistence = pool.getSpec().getSessionPersistence();
        if (persistence != null && persistence.getType() != SessionPersistence.Type.SOURCE_IP) {
            for (Map.Entry<String, Pool> entry : defaultPools.entrySet()) {
                dev.lbaas.api.v1alpha1.ListenerProtocol listenerProtocol = listeners.get(entry.getKey()).getSpec().getProtocol();
                if (entry.getValue() == pool && !ProtocolRules.readsHttp(listenerProtocol)) {
                    return "sessionPersistence " + persistence.getType() + " needs an HTTP listener: cookies are not "
                            + "seen on " + listenerProtocol + " listener " + entry.getKey();
                }
            }
        }
        return null;
    }

    private static ListenerConfig listenerConfig(Listener listener, Pool defaultPool) {
        ListenerSpec spec = listener.getSpec();
        ListenerTimeouts defaults = ListenerTimeouts.DEFAULTS;
        ListenerTimeouts timeouts = spec.getTimeouts() == null ? defaults : new ListenerTimeouts(
                Durations.toMillis(spec.getTimeouts().getClientData(), defaults.clientDataMillis()),
                Durations.toMillis(spec.getTimeouts().getMemberConnect(), defaults.memberConnectMillis()),
                Durations.toMillis(spec.getTimeouts().getMemberData(), defaults.memberDataMillis()),
                Durations.toMillis(spec.getTimeouts().getTcpInspect(), defaults.tcpInspectMillis()),
                Durations.toMillis(spec.getTimeouts().getHttpRequest(), defaults.httpRequestMillis()));
        List<String> headers = Objects.requireNonNullElse(spec.getInsertHeaders(), List.<InsertHeader>of()).stream()
                .map(ConfigRenderer::headerName)
                .collect(Collectors.toList());
        return new ListenerConfig(uid(listener), name(listener),
                dev.lbaas.amphora.config.ListenerProtocol.valueOf(spec.getProtocol().name()),
                spec.getProtocolPort(), Objects.requireNonNullElse(spec.getConnectionLimit(), -1),
                !Boolean.FALSE.equals(spec.getAdminStateUp()),
                defaultPool == null ? null : uid(defaultPool), timeouts, spec.getAllowedCidrs(), headers);
    }

    private static String headerName(InsertHeader header) {
        return switch (header) {
            case X_FORWARDED_FOR -> "X-Forwarded-For";
            case X_FORWARDED_PORT -> "X-Forwarded-Port";
            case X_FORWARDED_PROTO -> "X-Forwarded-Proto";
            case X_REAL_IP -> "X-Real-IP";
        };
    }

    private static PoolConfig poolConfig(Pool pool, List<Member> members, HealthMonitor monitor) {
        List<MemberConfig> memberConfigs = members.stream().map(ConfigRenderer::memberConfig).toList();
        return new PoolConfig(uid(pool), name(pool), PoolProtocol.valueOf(pool.getSpec().getProtocol().name()),
                LbAlgorithm.valueOf(pool.getSpec().getLbAlgorithm().name()),
                !Boolean.FALSE.equals(pool.getSpec().getAdminStateUp()), memberConfigs,
                monitor == null ? null : monitorConfig(monitor), persistenceConfig(pool.getSpec().getSessionPersistence()));
    }

    private static SessionPersistenceConfig persistenceConfig(SessionPersistence persistence) {
        if (persistence == null) {
            return null;
        }
        return new SessionPersistenceConfig(SessionPersistenceConfig.Type.valueOf(persistence.getType().name()),
                persistence.getCookieName(),
                persistence.getPersistenceTimeout() == null ? null : persistence.getPersistenceTimeout() * 1000L,
                persistence.getPersistenceGranularity());
    }

    private static MemberConfig memberConfig(Member member) {
        var spec = member.getSpec();
        return new MemberConfig(uid(member), name(member), spec.getAddress(), spec.getProtocolPort(),
                Objects.requireNonNullElse(spec.getWeight(), 1), Boolean.TRUE.equals(spec.getBackup()),
                !Boolean.FALSE.equals(spec.getAdminStateUp()), spec.getMonitorAddress(), spec.getMonitorPort());
    }

    private static HealthMonitorConfig monitorConfig(HealthMonitor monitor) {
        HealthMonitorSpec spec = monitor.getSpec();
        MonitorType type = switch (spec.getType()) {
            case TLS_HELLO -> MonitorType.TLS_HELLO;
            case UDP_CONNECT -> MonitorType.UDP_CONNECT;
            default -> MonitorType.valueOf(spec.getType().name());
        };
        return new HealthMonitorConfig(uid(monitor), type, spec.getDelaySeconds() * 1000L,
                spec.getTimeoutSeconds() * 1000L, spec.getMaxRetries(),
                Objects.requireNonNullElse(spec.getMaxRetriesDown(), 3),
                spec.getHttpMethod() == null ? null : spec.getHttpMethod().name(), spec.getUrlPath(),
                spec.getExpectedCodes(), spec.getHttpVersion(), spec.getDomainName(),
                !Boolean.FALSE.equals(spec.getAdminStateUp()));
    }

    static String uid(HasMetadata object) {
        return object.getMetadata().getUid();
    }

    static String name(HasMetadata object) {
        return object.getMetadata().getName();
    }
}
