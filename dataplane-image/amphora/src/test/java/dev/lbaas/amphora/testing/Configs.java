package dev.lbaas.amphora.testing;

import dev.lbaas.amphora.config.AmphoraConfig;
import dev.lbaas.amphora.config.HealthMonitorConfig;
import dev.lbaas.amphora.config.LbAlgorithm;
import dev.lbaas.amphora.config.ListenerConfig;
import dev.lbaas.amphora.config.ListenerProtocol;
import dev.lbaas.amphora.config.MemberConfig;
import dev.lbaas.amphora.config.MonitorType;
import dev.lbaas.amphora.config.PoolConfig;
import dev.lbaas.amphora.config.PoolProtocol;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.Arrays;
import java.util.List;

/** Short ways to write the configurations tests push. */
public final class Configs {

    private Configs() {
    }

    public static AmphoraConfig config(long generation, String vip, List<ListenerConfig> listeners,
            PoolConfig... pools) {
        return new AmphoraConfig(generation, "lb", vip, true, listeners, Arrays.asList(pools));
    }

    public static ListenerConfig listener(String id, ListenerProtocol protocol, int port, String poolId,
            String... insertHeaders) {
        return new ListenerConfig(id, null, protocol, port, -1, true, poolId, null, null, List.of(insertHeaders));
    }

    public static PoolConfig pool(String id, PoolProtocol protocol, HealthMonitorConfig monitor,
            MemberConfig... members) {
        return new PoolConfig(id, null, protocol, LbAlgorithm.ROUND_ROBIN, true, Arrays.asList(members), monitor);
    }

    public static MemberConfig member(String id, int port, int weight) {
        return new MemberConfig(id, id, "127.0.0.1", port, weight, false, true, null, null);
    }

    /** A member checked somewhere else than where it takes traffic. */
    public static MemberConfig member(String id, String address, int port, String monitorAddress,
            Integer monitorPort) {
        return new MemberConfig(id, id, address, port, 1, false, true, monitorAddress, monitorPort);
    }

    public static HealthMonitorConfig tcpMonitor(long delayMillis, long timeoutMillis, int rise, int fall) {
        return monitor(MonitorType.TCP, delayMillis, timeoutMillis, rise, fall);
    }

    /** A monitor with the HTTP settings left to their defaults. */
    public static HealthMonitorConfig monitor(MonitorType type, long delayMillis, long timeoutMillis, int rise,
            int fall) {
        return new HealthMonitorConfig("hm", type, delayMillis, timeoutMillis, rise, fall,
                null, null, null, null, null, true);
    }

    /**
     * A port nobody listens on right now and not among {@code taken}: the kernel may hand out a
     * port it just gave, since nothing holds it between two calls.
     */
    public static int freePort(String address, java.util.Collection<Integer> taken) throws IOException {
        while (true) {
            int port = freePort(address);
            if (!taken.contains(port)) {
                return port;
            }
        }
    }

    /** A port nobody listens on right now, for a listener the amphora is to bind. */
    public static int freePort(String address) throws IOException {
        try (ServerSocket socket = new ServerSocket()) {
            socket.bind(new InetSocketAddress(address, 0));
            return socket.getLocalPort();
        }
    }
}
