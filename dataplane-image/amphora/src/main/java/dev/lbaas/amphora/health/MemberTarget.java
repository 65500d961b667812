package dev.lbaas.amphora.health;

import dev.lbaas.amphora.config.HealthMonitorConfig;
import java.net.InetSocketAddress;
import java.util.Objects;

/**
 * What the health of one member depends on. Two generations with equal targets share the running
 * tracker, and with it the member's health, its rise/fall progress and any passive mark-down; a
 * change of any field starts afresh, since what was learnt was about something else.
 *
 * @param memberId the member
 * @param memberName for logs only; it does not identify the target
 * @param endpoint the member's traffic address and port, where passive detection looks
 * @param monitor the pool's active monitor, or null when the member is not actively checked
 * @param monitorAddress the member's monitor address and port; null without a monitor
 */
public record MemberTarget(String memberId, String memberName, InetSocketAddress endpoint,
        HealthMonitorConfig monitor, InetSocketAddress monitorAddress) {

    public static MemberTarget monitored(String memberId, String memberName, InetSocketAddress endpoint,
            HealthMonitorConfig monitor, InetSocketAddress monitorAddress) {
        return new MemberTarget(memberId, memberName, endpoint, monitor, monitorAddress);
    }

    public static MemberTarget unmonitored(String memberId, String memberName, InetSocketAddress endpoint) {
        return new MemberTarget(memberId, memberName, endpoint, null, null);
    }

    boolean isMonitored() {
        return monitor != null;
    }

    boolean sameAs(MemberTarget other) {
        return memberId.equals(other.memberId) && endpoint.equals(other.endpoint)
                && Objects.equals(monitor, other.monitor)
                && Objects.equals(monitorAddress, other.monitorAddress);
    }
}
