package dev.lbaas.amphora.health;

import dev.lbaas.amphora.config.HealthMonitorConfig;
import java.net.InetSocketAddress;

/**
 * What one member monitor checks. Two generations with equal targets share the running monitor,
 * and with it the member's health and rise/fall progress.
 *
 * @param memberId the member checked
 * @param memberName for logs only; it does not identify the target
 * @param monitor the pool's monitor settings
 * @param address the member's monitor address and port
 */
public record MonitorTarget(String memberId, String memberName, HealthMonitorConfig monitor,
        InetSocketAddress address) {

    boolean sameCheck(MonitorTarget other) {
        return memberId.equals(other.memberId) && monitor.equals(other.monitor) && address.equals(other.address);
    }
}
