package dev.lbaas.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/** The status every lbaas.dev object carries: Octavia's two statuses plus Kubernetes conditions. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class LbaasStatus {

    @JsonPropertyDescription("Octavia's provisioning_status: ACTIVE once every amphora of the load balancer serves the "
            + "configuration that contains this object; PENDING_CREATE or PENDING_UPDATE until then; ERROR when it "
            + "cannot be served (see the conditions for why).")
    private ProvisioningStatus provisioningStatus;

    @JsonPropertyDescription("Octavia's operating_status, from live health: ONLINE, OFFLINE (disabled), DEGRADED, "
            + "ERROR (down), DRAINING (member weight 0) or NO_MONITOR (member of a pool without health monitor).")
    private OperatingStatus operatingStatus;

    @JsonPropertyDescription("The metadata.generation this status describes.")
    private Long observedGeneration;

    @JsonPropertyDescription("Accepted (the spec is valid), ResolvedRefs (its references exist), Programmed (every "
            + "amphora serves it) and the summary Ready.")
    private List<Condition> conditions = new ArrayList<>();

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

    public Long getObservedGeneration() {
        return observedGeneration;
    }

    public void setObservedGeneration(Long observedGeneration) {
        this.observedGeneration = observedGeneration;
    }

    public List<Condition> getConditions() {
        return conditions;
    }

    public void setConditions(List<Condition> conditions) {
        this.conditions = conditions;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (o == null || getClass() != o.getClass()) {
            return false;
        }
        LbaasStatus that = (LbaasStatus) o;
        return provisioningStatus == that.provisioningStatus && operatingStatus == that.operatingStatus
                && Objects.equals(observedGeneration, that.observedGeneration)
                && Objects.equals(conditions, that.conditions);
    }

    @Override
    public int hashCode() {
        return Objects.hash(provisioningStatus, operatingStatus, observedGeneration, conditions);
    }
}
