package dev.lbaas.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.List;

@JsonInclude(JsonInclude.Include.NON_NULL)
public class LoadBalancerSpec {

    @JsonPropertyDescription("The LoadBalancerClass (Octavia's flavor) giving topology, amphora resources and VIP "
            + "Service type. Empty: the cluster's default.")
    private String className;

    @JsonPropertyDescription("The VIP address to request. Empty: one is allocated and shown in status.vipAddress. "
            + "Immutable once set.")
    @ValidationRule(value = "isIP(self)", message = "vipAddress must be an IPv4 or IPv6 address")
    @ValidationRule(value = "self == oldSelf", message = "vipAddress is immutable")
    private String vipAddress;

    @JsonPropertyDescription("Overrides the topology of the class: SINGLE or ACTIVE_STANDBY.")
    private Topology topology;

    @JsonPropertyDescription("false stops all traffic through the load balancer (operatingStatus OFFLINE).")
    @Default("true")
    private Boolean adminStateUp = true;

    @JsonPropertyDescription("Free text for people.")
    @Size(max = 255)
    private String description;

    @JsonPropertyDescription("Octavia tags, for searching and grouping.")
    @Size(max = 50)
    private List<String> tags;

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
