package dev.lbaas.amphora.config;

import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * One listener on the VIP.
 *
 * @param id stable identity (the Kubernetes uid)
 * @param name for logs and metrics
 * @param protocol what the listener speaks to clients
 * @param protocolPort the port on the VIP
 * @param connectionLimit the most concurrent connections, -1 for no limit
 * @param adminStateUp false closes the listener
 * @param defaultPoolId the pool that gets the traffic, or null (then connections are refused, and
 *     HTTP requests answered 503)
 * @param timeouts Octavia's four timeouts, and the deadline for a request's headers
 * @param allowedCidrs client networks allowed in; empty allows everyone
 * @param insertHeaders request headers the amphora adds on HTTP listeners (X-Forwarded-For, ...)
 * @param l7Policies the L7 policies of an HTTP listener, each with its own position
 * @param tls how a TERMINATED_HTTPS listener terminates TLS; null for every other protocol
 * @param h2cPriorKnowledge whether an HTTP listener also serves HTTP/2 in cleartext to clients
 *     that begin their connection with HTTP/2's preface; absent means false
 */
public record ListenerConfig(
        String id,
        String name,
        ListenerProtocol protocol,
        int protocolPort,
        int connectionLimit,
        boolean adminStateUp,
        String defaultPoolId,
        ListenerTimeouts timeouts,
        List<String> allowedCidrs,
        List<String> insertHeaders,
        List<L7PolicyConfig> l7Policies,
        ListenerTlsConfig tls,
        Boolean h2cPriorKnowledge) {

    /** A listener without h2c. */
    public ListenerConfig(String id, String name, ListenerProtocol protocol, int protocolPort, int connectionLimit,
            boolean adminStateUp, String defaultPoolId, ListenerTimeouts timeouts, List<String> allowedCidrs,
            List<String> insertHeaders, List<L7PolicyConfig> l7Policies, ListenerTlsConfig tls) {
        this(id, name, protocol, protocolPort, connectionLimit, adminStateUp, defaultPoolId, timeouts, allowedCidrs,
                insertHeaders, l7Policies, tls, false);
    }

    /** A listener that terminates no TLS. */
    public ListenerConfig(String id, String name, ListenerProtocol protocol, int protocolPort, int connectionLimit,
            boolean adminStateUp, String defaultPoolId, ListenerTimeouts timeouts, List<String> allowedCidrs,
            List<String> insertHeaders, List<L7PolicyConfig> l7Policies) {
        this(id, name, protocol, protocolPort, connectionLimit, adminStateUp, defaultPoolId, timeouts, allowedCidrs,
                insertHeaders, l7Policies, null, false);
    }

    /** A listener without L7 policies that terminates no TLS. */
    public ListenerConfig(String id, String name, ListenerProtocol protocol, int protocolPort, int connectionLimit,
            boolean adminStateUp, String defaultPoolId, ListenerTimeouts timeouts, List<String> allowedCidrs,
            List<String> insertHeaders) {
        this(id, name, protocol, protocolPort, connectionLimit, adminStateUp, defaultPoolId, timeouts, allowedCidrs,
                insertHeaders, null, null, false);
    }

    public ListenerConfig {
        Validation.requireText(id, "listener.id");
        name = Objects.requireNonNullElse(name, id);
        Objects.requireNonNull(protocol, "listener.protocol: must be set");
        Validation.requirePort(protocolPort, "listener.protocolPort");
        if (connectionLimit < -1) {
            throw new IllegalArgumentException("listener.connectionLimit: must be -1 (unlimited) or more, got "
                    + connectionLimit);
        }
        timeouts = Objects.requireNonNullElse(timeouts, ListenerTimeouts.DEFAULTS);
        allowedCidrs = List.copyOf(Objects.requireNonNullElse(allowedCidrs, List.of()));
        insertHeaders = List.copyOf(Objects.requireNonNullElse(insertHeaders, List.of()));
        if (!insertHeaders.isEmpty() && !protocol.readsHttp()) {
            throw new IllegalArgumentException("listener[" + id + "].insertHeaders: a " + protocol
                    + " listener reads no requests to insert headers into");
        }
        l7Policies = List.copyOf(Objects.requireNonNullElse(l7Policies, List.of()));
        if (!l7Policies.isEmpty() && !protocol.readsHttp()) {
            throw new IllegalArgumentException("listener[" + id + "].l7Policies: a " + protocol
                    + " listener reads no requests for L7 policies to look at");
        }
        Set<String> policyIds = new HashSet<>();
        for (L7PolicyConfig policy : l7Policies) {
            if (!policyIds.add(policy.id())) {
                throw new IllegalArgumentException("listener[" + id + "].l7Policies: duplicate policy id "
                        + policy.id());
            }
        }
        if ((tls != null) != (protocol == ListenerProtocol.TERMINATED_HTTPS)) {
            throw new IllegalArgumentException("listener[" + id + "].tls: " + (tls == null
                    ? "a TERMINATED_HTTPS listener needs its certificate" : "only a TERMINATED_HTTPS listener terminates "
                    + "TLS, not " + protocol));
        }
        h2cPriorKnowledge = Boolean.TRUE.equals(h2cPriorKnowledge);
        if (h2cPriorKnowledge && protocol != ListenerProtocol.HTTP) {
            throw new IllegalArgumentException("listener[" + id + "].h2cPriorKnowledge: only an HTTP listener serves "
                    + "HTTP/2 in cleartext" + (protocol == ListenerProtocol.TERMINATED_HTTPS
                    ? "; TERMINATED_HTTPS listeners offer it by ALPN (tls.alpnProtocols)" : ", not " + protocol));
        }
        if (protocol == ListenerProtocol.PROMETHEUS && defaultPoolId != null) {
            throw new IllegalArgumentException("listener[" + id + "].defaultPoolId: a PROMETHEUS listener serves the"
                    + " load balancer's metrics and takes no pool, got " + defaultPoolId);
        }
    }

    /** The same listener with another default pool (or none). */
    public ListenerConfig withDefaultPool(String poolId) {
        return new ListenerConfig(id, name, protocol, protocolPort, connectionLimit, adminStateUp, poolId, timeouts,
                allowedCidrs, insertHeaders, l7Policies, tls, h2cPriorKnowledge);
    }

    /** The same listener with other L7 policies. */
    public ListenerConfig withL7Policies(List<L7PolicyConfig> policies) {
        return new ListenerConfig(id, name, protocol, protocolPort, connectionLimit, adminStateUp, defaultPoolId,
                timeouts, allowedCidrs, insertHeaders, policies, tls, h2cPriorKnowledge);
    }
}
