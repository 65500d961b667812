package dev.lbaas.amphora.config;

/**
 * Counters since the amphora started (Octavia's listener statistics, and the same per pool and
 * member). On a listener they count the client side; on a pool or member the member side, where
 * "in" is what goes to the members and "out" what comes back from them.
 *
 * @param bytesIn bytes received from clients (listener), or sent to members (pool, member)
 * @param bytesOut bytes sent to clients (listener), or received from members (pool, member)
 * @param activeConnections client connections open now (listener); sessions on members now (pool,
 *     member): member connections on TCP, requests in flight on HTTP
 * @param totalConnections the same, counted since start
 * @param requestErrors requests that failed: the amphora's own 4xx and 5xx answers, failed or timed
 *     out member connections, members that did not answer in time or answered invalidly
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
