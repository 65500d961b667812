package dev.lbaas.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The load balancer's objects and their statuses in one place, as Octavia's {@code GET
 * /v2/lbaas/loadbalancers/{id}/status} gives them: listeners, the pools each one serves, each pool's
 * health monitor and members. Following Octavia's code, a monitor carries its type and a member its
 * address and port. Beyond Octavia, pools no listener serves are listed too, and an object that is not
 * Ready says why, so that {@code kubectl get loadbalancer -o yaml} shows which object is in error.
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public class StatusTree {

    @JsonPropertyDescription("The listeners, each with the pool it serves.")
    private List<ListenerNode> listeners = new ArrayList<>();

    @JsonPropertyDescription("Pools that no listener serves (Octavia leaves these out).")
    private List<PoolNode> pools = new ArrayList<>();

    public List<ListenerNode> getListeners() {
        return listeners;
    }

    public void setListeners(List<ListenerNode> listeners) {
        this.listeners = listeners;
    }

    public List<PoolNode> getPools() {
        return pools;
    }

    public void setPools(List<PoolNode> pools) {
        this.pools = pools;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof StatusTree that && listeners.equals(that.listeners) && pools.equals(that.pools);
    }

    @Override
    public int hashCode() {
        return Objects.hash(listeners, pools);
    }

    /** One object: its name, Octavia's two statuses, and why it is not Ready when it is not. */
    @JsonInclude(JsonInclude.Include.NON_EMPTY)
    public static class Node {

        @JsonPropertyDescription("The object's name.")
        private String name;

        @JsonPropertyDescription("Octavia's provisioning_status.")
        private ProvisioningStatus provisioningStatus;

        @JsonPropertyDescription("Octavia's operating_status.")
        private OperatingStatus operatingStatus;

        @JsonPropertyDescription("When the object is not Ready: the reason of its Ready condition.")
        private String reason;

        @JsonPropertyDescription("When the object is not Ready: the message of its Ready condition.")
        private String message;

        public String getName() {
            return name;
        }

        public void setName(String name) {
            this.name = name;
        }

        public ProvisioningStatus getProvisioningStatus() {
            return provisioningStatus;
        }

        public void setProvisioningStatus(ProvisioningStatus provisioningStatus) {
            this.provisioningStatus = provisioningStatus;
        }

        public OperatingStatus getOperatingStatus() {
            return operatingStatus;
        }

        public void setOperatingStatus(OperatingStatus operatingStatus) {
            this.operatingStatus = operatingStatus;
        }

        public String getReason() {
            return reason;
        }

        public void setReason(String reason) {
            this.reason = reason;
        }

        public String getMessage() {
            return message;
        }

        public void setMessage(String message) {
            this.message = message;
        }

        @Override
        public boolean equals(Object o) {
            return o != null && o.getClass() == getClass() && o instanceof Node that && Objects.equals(name, that.name)
                    && provisioningStatus == that.provisioningStatus && operatingStatus == that.operatingStatus
                    && Objects.equals(reason, that.reason) && Objects.equals(message, that.message);
        }

        @Override
        public int hashCode() {
            return Objects.hash(name, provisioningStatus, operatingStatus, reason, message);
        }
    }

    /** A listener and the pool it serves. */
    @JsonInclude(JsonInclude.Include.NON_EMPTY)
    public static class ListenerNode extends Node {

        @JsonPropertyDescription("The pool the listener serves (its default pool).")
        private List<PoolNode> pools = new ArrayList<>();

        public List<PoolNode> getPools() {
            return pools;
        }

        public void setPools(List<PoolNode> pools) {
            this.pools = pools;
        }

        @Override
        public boolean equals(Object o) {
            return super.equals(o) && pools.equals(((ListenerNode) o).pools);
        }

        @Override
        public int hashCode() {
            return Objects.hash(super.hashCode(), pools);
        }
    }

    /** A pool, its health monitor and its members. */
    @JsonInclude(JsonInclude.Include.NON_EMPTY)
    public static class PoolNode extends Node {

        @JsonPropertyDescription("The pool's health monitor, if it has one.")
        private HealthMonitorNode healthMonitor;

        @JsonPropertyDescription("The pool's members.")
        private List<MemberNode> members = new ArrayList<>();

        public HealthMonitorNode getHealthMonitor() {
            return healthMonitor;
        }

        public void setHealthMonitor(HealthMonitorNode healthMonitor) {
            this.healthMonitor = healthMonitor;
        }

        public List<MemberNode> getMembers() {
            return members;
        }

        public void setMembers(List<MemberNode> members) {
            this.members = members;
        }

        @Override
        public boolean equals(Object o) {
            return super.equals(o) && Objects.equals(healthMonitor, ((PoolNode) o).healthMonitor)
                    && members.equals(((PoolNode) o).members);
        }

        @Override
        public int hashCode() {
            return Objects.hash(super.hashCode(), healthMonitor, members);
        }
    }

    /** A health monitor and its type. */
    @JsonInclude(JsonInclude.Include.NON_EMPTY)
    public static class HealthMonitorNode extends Node {

        @JsonPropertyDescription("HTTP, HTTPS, PING, TCP, TLS-HELLO, UDP-CONNECT or SCTP.")
        private HealthMonitorSpec.Type type;

        public HealthMonitorSpec.Type getType() {
            return type;
        }

        public void setType(HealthMonitorSpec.Type type) {
            this.type = type;
        }

        @Override
        public boolean equals(Object o) {
            return super.equals(o) && type == ((HealthMonitorNode) o).type;
        }

        @Override
        public int hashCode() {
            return Objects.hash(super.hashCode(), type);
        }
    }

    /** A member, its address and port. */
    @JsonInclude(JsonInclude.Include.NON_EMPTY)
    public static class MemberNode extends Node {

        @JsonPropertyDescription("The member's address.")
        private String address;

        @JsonPropertyDescription("The member's port.")
        private Integer protocolPort;

        public String getAddress() {
            return address;
        }

        public void setAddress(String address) {
            this.address = address;
        }

        public Integer getProtocolPort() {
            return protocolPort;
        }

        public void setProtocolPort(Integer protocolPort) {
            this.protocolPort = protocolPort;
        }

        @Override
        public boolean equals(Object o) {
            return super.equals(o) && Objects.equals(address, ((MemberNode) o).address)
                    && Objects.equals(protocolPort, ((MemberNode) o).protocolPort);
        }

        @Override
        public int hashCode() {
            return Objects.hash(super.hashCode(), address, protocolPort);
        }
    }
}
