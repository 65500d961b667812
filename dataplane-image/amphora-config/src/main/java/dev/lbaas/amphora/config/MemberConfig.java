package dev.lbaas.amphora.config;

import java.util.Objects;

/**
 * One backend server of a pool.
 *
 * @param id stable identity (the Kubernetes uid)
 * @param name for logs and metrics
 * @param address IP address or host name of the member
 * @param protocolPort the member's port
 * @param weight 0-256; 0 drains (no new connections, existing ones finish)
 * @param backup takes traffic only when every non-backup member is down
 * @param adminStateUp false removes the member from the pool
 * @param monitorAddress where the health monitor checks, if not the member's address
 * @param monitorPort where the health monitor checks, if not the member's port
 */
public record MemberConfig(
        String id,
        String name,
        String address,
        int protocolPort,
        int weight,
        boolean backup,
        boolean adminStateUp,
        String monitorAddress,
        Integer monitorPort) {

    public MemberConfig {
        Validation.requireText(id, "member.id");
        name = Objects.requireNonNullElse(name, id);
        Validation.requireText(address, "member.address");
        Validation.requirePort(protocolPort, "member.protocolPort");
        Validation.requireRange(weight, 0, 256, "member.weight");
        if (monitorPort != null) {
            Validation.requirePort(monitorPort, "member.monitorPort");
        }
    }

    /** The address the health monitor checks. */
    public String effectiveMonitorAddress() {
        return monitorAddress != null ? monitorAddress : address;
    }

    /** The port the health monitor checks. */
    public int effectiveMonitorPort() {
        return monitorPort != null ? monitorPort : protocolPort;
    }
}
