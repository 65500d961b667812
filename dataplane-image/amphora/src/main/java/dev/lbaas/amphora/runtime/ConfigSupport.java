package dev.lbaas.amphora.runtime;

import dev.lbaas.amphora.config.AmphoraConfig;
import dev.lbaas.amphora.config.ListenerConfig;
import dev.lbaas.amphora.config.ListenerProtocol;
import dev.lbaas.amphora.config.MemberConfig;
import dev.lbaas.amphora.config.MonitorType;
import dev.lbaas.amphora.config.PoolConfig;
import dev.lbaas.amphora.config.PoolProtocol;
import dev.lbaas.amphora.proxy.http.ProxyHeaders;
import com.sun.nio.sctp.SctpChannel;
import io.netty.handler.ipfilter.IpFilterRuleType;
import io.netty.handler.ipfilter.IpSubnetFilterRule;
import io.netty.util.NetUtil;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.EnumSet;
import java.util.Set;

/**
 * What a valid configuration may still ask that this amphora cannot serve. The records of the
 * contract check everything else, including how a listener and its pool must fit together; this
 * adds the amphora's own limits, with messages that name the field like theirs do. A
 * configuration that fails here is refused whole.
 */
final class ConfigSupport {

    private static final Set<ListenerProtocol> LISTENER_PROTOCOLS =
            EnumSet.of(ListenerProtocol.TCP, ListenerProtocol.HTTP, ListenerProtocol.HTTPS,
                    ListenerProtocol.TERMINATED_HTTPS, ListenerProtocol.PROMETHEUS, ListenerProtocol.UDP);
    private static final Set<PoolProtocol> POOL_PROTOCOLS =
            EnumSet.of(PoolProtocol.TCP, PoolProtocol.HTTP, PoolProtocol.HTTPS, PoolProtocol.PROXY, PoolProtocol.PROXYV2,
                    PoolProtocol.UDP);

    private ConfigSupport() {
    }

    static void check(AmphoraConfig config) {
        if (config.failover() != null) {
            endpoint(config.failover().peerAddress(), config.failover().peerPort(), "failover.peerAddress");
        }
        for (ListenerConfig listener : config.listeners()) {
            String field = "listeners[" + listener.id() + "]";
            if (listener.protocol() == ListenerProtocol.SCTP) {
                throw noSctp(field + ".protocol");
            }
            if (!LISTENER_PROTOCOLS.contains(listener.protocol())) {
                throw notYet(field + ".protocol", listener.protocol());
            }
            if (listener.protocol().readsHttp()) {
                for (String header : listener.insertHeaders()) {
                    if (ProxyHeaders.INSERTABLE_WITH_TLS.contains(header) && listener.tls() == null) {
                        throw new IllegalArgumentException(field + ".insertHeaders: " + header + " needs a "
                                + "TERMINATED_HTTPS listener, which sees client certificates");
                    }
                    if (!ProxyHeaders.INSERTABLE.contains(header) && !ProxyHeaders.INSERTABLE_WITH_TLS.contains(header)) {
                        throw notYet(field + ".insertHeaders", header);
                    }
                }
            }
            listener.allowedCidrs().forEach(cidr -> allowedNetwork(cidr, field + ".allowedCidrs"));
        }
        for (PoolConfig pool : config.pools()) {
            String field = "pools[" + pool.id() + "]";
            if (pool.protocol() == PoolProtocol.SCTP) {
                throw noSctp(field + ".protocol");
            }
            if (!POOL_PROTOCOLS.contains(pool.protocol())) {
                throw notYet(field + ".protocol", pool.protocol());
            }
            // Every other monitor type is served; SCTP needs kernel support this platform lacks.
            if (pool.healthMonitor() != null && pool.healthMonitor().type() == MonitorType.SCTP) {
                throw new IllegalArgumentException(field + ".healthMonitor.type: SCTP is not available on this "
                        + "platform (its kernel has no SCTP support)");
            }
        }
    }

    /** An allowedCidrs entry, "10.0.0.0/8" or a single address. */
    static IpSubnetFilterRule allowedNetwork(String cidr, String field) {
        int slash = cidr.indexOf('/');
        String address = slash < 0 ? cidr : cidr.substring(0, slash);
        byte[] bytes = NetUtil.createByteArrayFromIpAddressString(address);
        int maxPrefix = bytes == null ? 0 : bytes.length * 8;
        try {
            int prefix = slash < 0 ? maxPrefix : Integer.parseInt(cidr.substring(slash + 1));
            if (bytes != null && prefix >= 0 && prefix <= maxPrefix) {
                return new IpSubnetFilterRule(address, prefix, IpFilterRuleType.ACCEPT);
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException(field + ": \"" + cidr + "\" is not an address or network (10.0.0.0/8)");
    }

    /**
     * The member's address; a host name is resolved once, here, on the configuration thread,
     * because resolving on an event loop would block it.
     */
    static InetSocketAddress endpoint(String host, int port, String field) {
        try {
            return new InetSocketAddress(InetAddress.getByName(host), port);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(field + ": cannot resolve " + host);
        }
    }

    static InetSocketAddress memberEndpoint(PoolConfig pool, MemberConfig member) {
        return endpoint(member.address(), member.protocolPort(),
                "pools[" + pool.id() + "].members[" + member.id() + "].address");
    }

    static InetSocketAddress monitorEndpoint(PoolConfig pool, MemberConfig member) {
        return endpoint(member.effectiveMonitorAddress(), member.effectiveMonitorPort(),
                "pools[" + pool.id() + "].members[" + member.id() + "].monitorAddress");
    }

    /**
     * SCTP is refused whatever the platform: there is no SCTP proxy to serve it. The message says
     * whether the platform could carry SCTP at all, because that is what an operator has to fix
     * first (a kernel with the sctp module and libsctp), and it is probed rather than assumed.
     */
    private static IllegalArgumentException noSctp(String field) {
        String missing = SctpProbe.UNAVAILABLE_BECAUSE;
        return new IllegalArgumentException(missing != null
                ? field + ": SCTP is not available on this platform (" + missing + ")"
                : field + ": SCTP is not supported yet (the platform has SCTP, this amphora has no SCTP proxy)");
    }

    /** Opens an SCTP socket once, on first use: the platform's own reason if it cannot, else null. */
    private static final class SctpProbe {
        static final String UNAVAILABLE_BECAUSE = probe();

        private static String probe() {
            try {
                SctpChannel.open().close();
                return null;
            } catch (UnsupportedOperationException | IOException e) {
                // no libsctp ("libsctp.so.1: cannot open shared object file") or no kernel SCTP
                return e.getMessage();
            } catch (LinkageError e) {
                return "the Java runtime has no SCTP module (jdk.sctp)";
            }
        }
    }

    private static IllegalArgumentException notYet(String field, Object value) {
        return new IllegalArgumentException(field + ": " + value + " is not supported yet");
    }
}
