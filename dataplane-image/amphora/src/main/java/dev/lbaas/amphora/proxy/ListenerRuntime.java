package dev.lbaas.amphora.proxy;

import dev.lbaas.amphora.balancing.Pool;
import dev.lbaas.amphora.config.ListenerConfig;
import dev.lbaas.amphora.l7.L7Router;
import dev.lbaas.amphora.proxy.http.MemberConnectionPools;
import dev.lbaas.amphora.proxy.tls.MemberTls;
import dev.lbaas.amphora.proxy.tls.TlsTermination;
import dev.lbaas.amphora.stats.MetricsSample;
import dev.lbaas.amphora.stats.TrafficCounters;
import io.netty.channel.group.ChannelGroup;
import io.netty.handler.ipfilter.IpSubnetFilterRule;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * A listener as one configuration generation serves it.
 *
 * @param pool the default pool, or null when the listener has none
 * @param router the listener's L7 policies, compiled
 * @param pools every pool of the configuration by id, where L7 policies send requests
 * @param memberTls the TLS to their members of the pools that re-encrypt, by pool id
 * @param tls a TERMINATED_HTTPS listener's certificates and TLS settings, built for this generation;
 *     null for every other protocol
 * @param counters the listener's traffic, shared by every generation
 * @param allowedClients the allowed client networks; empty allows everyone
 * @param fullnessChanged told when the listener reaches or leaves its connection limit
 * @param memberConnections the amphora's idle HTTP member connections, shared by every listener
 * @param metrics the whole load balancer's metrics as of now, which a PROMETHEUS listener serves
 * @param connections every open client and member connection of the amphora, closed when it stops
 */
public record ListenerRuntime(ListenerConfig config, Pool pool, L7Router router, Map<String, Pool> pools,
        Map<String, MemberTls> memberTls, TlsTermination tls, TrafficCounters counters,
        List<IpSubnetFilterRule> allowedClients, Runnable fullnessChanged, MemberConnectionPools memberConnections,
        Supplier<MetricsSample> metrics, ChannelGroup connections) {

    public ListenerRuntime {
        allowedClients = List.copyOf(allowedClients);
        pools = Map.copyOf(pools);
        memberTls = Map.copyOf(memberTls);
    }

    public boolean allows(InetSocketAddress client) {
        if (allowedClients.isEmpty()) {
            return true;
        }
        for (IpSubnetFilterRule rule : allowedClients) {
            if (rule.matches(client)) {
                return true;
            }
        }
        return false;
    }

    public boolean atConnectionLimit() {
        return config.connectionLimit() >= 0 && counters.activeConnections() >= config.connectionLimit();
    }
}
