package dev.lbaas.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.Objects;

/** One amphora of a load balancer, as shown in its status. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class AmphoraInfo {

    /** MASTER and BACKUP in ACTIVE_STANDBY, STANDALONE in SINGLE (Octavia's amphora roles). */
    public enum Role {
        MASTER,
        BACKUP,
        STANDALONE
    }

    @JsonPropertyDescription("The amphora's id.")
    private String id;

    @JsonPropertyDescription("MASTER, BACKUP or STANDALONE.")
    private Role role;

    @JsonPropertyDescription("true while the operator reaches the amphora's agent and, in ACTIVE_STANDBY, its data "
            + "plane passes its own check (an amphora that fails it is FAULT in VRRP's terms: it holds no VIP).")
    private Boolean healthy;

    @JsonPropertyDescription("The configuration generation the amphora serves.")
    private Long appliedGeneration;

    @JsonPropertyDescription("Where the amphora runs: a local process id or a pod name.")
    private String location;

    @JsonPropertyDescription("In ACTIVE_STANDBY, the session-persistence bindings (SOURCE_IP, APP_COOKIE) this "
            + "amphora has received from its master since it started: a standby whose count grows with new clients "
            + "will send them to the same members after a failover.")
    private Long sessionBindingsReceived;

    public Long getSessionBindingsReceived() {
        return sessionBindingsReceived;
    }

    public void setSessionBindingsReceived(Long sessionBindingsReceived) {
        this.sessionBindingsReceived = sessionBindingsReceived;
    }

    public String getId() {
        return id;
    }

    public void setId(String id) {
        this.id = id;
    }

    public Role getRole() {
        return role;
    }

    public void setRole(Role role) {
        this.role = role;
    }

    public Boolean getHealthy() {
        return healthy;
    }

    public void setHealthy(Boolean healthy) {
        this.healthy = healthy;
    }

    public Long getAppliedGeneration() {
        return appliedGeneration;
    }

    public void setAppliedGeneration(Long appliedGeneration) {
        this.appliedGeneration = appliedGeneration;
    }

    public String getLocation() {
        return location;
    }

    public void setLocation(String location) {
        this.location = location;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof AmphoraInfo that)) {
            return false;
        }
        return Objects.equals(id, that.id) && role == that.role && Objects.equals(healthy, that.healthy)
                && Objects.equals(appliedGeneration, that.appliedGeneration) && Objects.equals(location, that.location)
                && Objects.equals(sessionBindingsReceived, that.sessionBindingsReceived);
    }

    @Override
    public int hashCode() {
        return Objects.hash(id, role, healthy, appliedGeneration, location, sessionBindingsReceived);
    }
}
