package dev.lbaas.amphora.config;

/**
 * Counters since the amphora started (Octavia's listener and member statistics).
 *
 * @param bytesIn bytes received from clients
 * @param bytesOut bytes sent to clients
 * @param activeConnections connections open now
 * @param totalConnections connections accepted since start
 * @param requestErrors requests that failed (bad requests, no member, member errors)
 */
public record TrafficStats(long bytesIn, long bytesOut, long activeConnections, long totalConnections,
        long requestErrors) {

    public static final TrafficStats ZERO = new TrafficStats(0, 0, 0, 0, 0);

    public TrafficStats plus(TrafficStats other) {
        return new TrafficStats(bytesIn + other.bytesIn, bytesOut + other.bytesOut,
                activeConnections + other.activeConnections, totalConnections + other.totalConnections,
                requestErrors + other.requestErrors);
    }
}
