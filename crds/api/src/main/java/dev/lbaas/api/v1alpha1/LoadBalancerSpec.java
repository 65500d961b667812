package dev.lbaas.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import dev.lbaas.api.crdgen.UniqueItems;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.List;

@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "has(self.vipAddress) == has(oldSelf.vipAddress)", fieldPath = ".vipAddress",
        message = "cannot be added or removed after creation: the VIP is chosen when the load balancer is created "
                + "(create a new load balancer for another VIP)")
@ValidationRule(value = "has(self.className) == has(oldSelf.className)", fieldPath = ".className",
        message = "cannot be added or removed after creation: the class (Octavia's flavor) is fixed when the load "
                + "balancer is created")
@ValidationRule(value = "has(self.topology) == has(oldSelf.topology)", fieldPath = ".topology",
        message = "cannot be added or removed after creation: the topology is fixed when the load balancer is created")
public class LoadBalancerSpec {

    @JsonPropertyDescription("The LoadBalancerClass (Octavia's flavor) giving topology, amphora image, resources and "
            + "placement, and VIP Service type. Empty: the class annotated lbaas.dev/is-default-class=true, else the "
            + "operator's built-in defaults. A class that does not exist leaves the load balancer without amphorae "
            + "(ResolvedRefs=False) until it is created. Immutable.")
    @Size(max = 253)
    @ValidationRule(value = CelRules.NAME, messageExpression = CelRules.NAME_MESSAGE)
    @ValidationRule(value = "self == oldSelf", messageExpression = CelRules.IMMUTABLE_MESSAGE)
    private String className;

    @JsonPropertyDescription("The VIP address to request. Empty: one is allocated and shown in status.vipAddress. "
            + "Immutable: it cannot be changed, added or removed after creation.")
    @Size(max = 45)
    @ValidationRule(value = CelRules.IP, messageExpression = CelRules.IP_MESSAGE)
    @ValidationRule(value = "self == oldSelf", messageExpression = CelRules.IMMUTABLE_MESSAGE)
    private String vipAddress;

    @JsonPropertyDescription("Overrides the topology of the class: SINGLE (one amphora) or ACTIVE_STANDBY (two, "
            + "the standby taking the VIP within a fraction of a second when the master fails). Immutable.")
    @ValidationRule(value = "self == oldSelf", messageExpression = CelRules.IMMUTABLE_MESSAGE)
    private Topology topology;

    @JsonPropertyDescription("false stops all traffic through the load balancer (operatingStatus OFFLINE).")
    @Default("true")
    private Boolean adminStateUp = true;

    @JsonPropertyDescription("Free text for people.")
    @Size(max = 255)
    private String description;

    @JsonPropertyDescription("Octavia tags, for searching and grouping: at most 50, each at most 255 characters, "
            + "none twice.")
    @Size(max = 50)
    @UniqueItems
    private List<@Size(min = 1, max = 255) String> tags;

    public String getClassName() {
        return className;
    }

    public void setClassName(String className) {
        this.className = className;
    }

    public String getVipAddress() {
        return vipAddress;
    }

    public void setVipAddress(String vipAddress) {
        this.vipAddress = vipAddress;
    }

    public Topology getTopology() {
        return topology;
    }

    public void setTopology(Topology topology) {
        this.topology = topology;
    }

    public Boolean getAdminStateUp() {
        return adminStateUp;
    }

    public void setAdminStateUp(Boolean adminStateUp) {
        this.adminStateUp = adminStateUp;
    }

    public String getDescription() {
        return description;
    }

    public void setDescription(String description) {
        this.description = description;
    }

    public List<String> getTags() {
        return tags;
    }

    public void setTags(List<String> tags) {
        this.tags = tags;
    }
}
