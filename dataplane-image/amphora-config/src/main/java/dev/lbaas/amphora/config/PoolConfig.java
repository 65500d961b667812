package dev.lbaas.amphora.config;

import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * A pool of members and how traffic is spread over them.
 *
 * @param id stable identity (the Kubernetes uid)
 * @param name for logs and metrics
 * @param protocol how the amphora speaks to members
 * @param lbAlgorithm how a member is chosen
 * @param adminStateUp false: the pool takes no traffic
 * @param members the members; the order does not matter
 * @param healthMonitor the active health check, or null when the pool has none
 * @param sessionPersistence how a client keeps its member, or null for none
 * @param tls TLS to the members (re-encryption) of an HTTP pool, or null for plain connections
 * @param http2 whether an HTTP pool speaks HTTP/2 to its members (h2 by ALPN over TLS, h2c with
 *     prior knowledge without); absent means HTTP/1.1
 */
public record PoolConfig(
        String id,
        String name,
        PoolProtocol protocol,
        LbAlgorithm lbAlgorithm,
        boolean adminStateUp,
        List<MemberConfig> members,
        HealthMonitorConfig healthMonitor,
        SessionPersistenceConfig sessionPersistence,
        PoolTlsConfig tls,
        Boolean http2) {

    /** A pool whose members speak HTTP/1.1 (or whatever its protocol says). */
    public PoolConfig(String id, String name, PoolProtocol protocol, LbAlgorithm lbAlgorithm, boolean adminStateUp,
            List<MemberConfig> members, HealthMonitorConfig healthMonitor, SessionPersistenceConfig sessionPersistence,
            PoolTlsConfig tls) {
        this(id, name, protocol, lbAlgorithm, adminStateUp, members, healthMonitor, sessionPersistence, tls, false);
    }

    /** A pool whose members are reached without TLS. */
    public PoolConfig(String id, String name, PoolProtocol protocol, LbAlgorithm lbAlgorithm, boolean adminStateUp,
            List<MemberConfig> members, HealthMonitorConfig healthMonitor, SessionPersistenceConfig sessionPersistence) {
        this(id, name, protocol, lbAlgorithm, adminStateUp, members, healthMonitor, sessionPersistence, null, false);
    }

    /** A pool without session persistence. */
    public PoolConfig(String id, String name, PoolProtocol protocol, LbAlgorithm lbAlgorithm, boolean adminStateUp,
            List<MemberConfig> members, HealthMonitorConfig healthMonitor) {
        this(id, name, protocol, lbAlgorithm, adminStateUp, members, healthMonitor, null, null, false);
    }

    public PoolConfig {
        Validation.requireText(id, "pool.id");
        name = Objects.requireNonNullElse(name, id);
        Objects.requireNonNull(protocol, "pool.protocol: must be set");
        Objects.requireNonNull(lbAlgorithm, "pool.lbAlgorithm: must be set");
        members = List.copyOf(Objects.requireNonNullElse(members, List.of()));
        if (tls != null && protocol != PoolProtocol.HTTP) {
            throw new IllegalArgumentException("pool[" + id + "].tls: only an HTTP pool re-encrypts to its members, "
                    + "not " + protocol + (protocol == PoolProtocol.HTTPS ? " (its TLS passes through)" : ""));
        }
        http2 = Boolean.TRUE.equals(http2);
        if (http2 && protocol != PoolProtocol.HTTP) {
            throw new IllegalArgumentException("pool[" + id + "].http2: only an HTTP pool speaks HTTP/2 to its members, "
                    + "not " + protocol);
        }
        Set<String> ids = new HashSet<>();
        for (MemberConfig member : members) {
            if (!ids.add(member.id())) {
                throw new IllegalArgumentException("pool[" + id + "].members: duplicate member id " + member.id());
            }
        }
    }

    /** The same pool with these members and this health monitor. */
    public PoolConfig withMembers(List<MemberConfig> newMembers, HealthMonitorConfig newHealthMonitor) {
        return new PoolConfig(id, name, protocol, lbAlgorithm, adminStateUp, newMembers, newHealthMonitor,
                sessionPersistence, tls, http2);
    }

    /** The same pool with another session persistence (or none). */
    public PoolConfig withSessionPersistence(SessionPersistenceConfig newSessionPersistence) {
        return new PoolConfig(id, name, protocol, lbAlgorithm, adminStateUp, members, healthMonitor,
                newSessionPersistence, tls, http2);
    }
}
