package dev.lbaas.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

@JsonInclude(JsonInclude.Include.NON_NULL)
public class MemberSpec {

    @JsonPropertyDescription("The Pool (in this namespace) this member belongs to. Immutable.")
    @Required
    @Size(min = 1, max = 253)
    @ValidationRule(value = CelRules.NAME, messageExpression = CelRules.NAME_MESSAGE)
    @ValidationRule(value = "self == oldSelf", messageExpression = CelRules.IMMUTABLE_MESSAGE)
    private String poolRef;

    @JsonPropertyDescription("The member's IPv4 or IPv6 address; not 169.254.169.254, the cloud metadata service.")
    @Required
    @Size(max = 45)
    @ValidationRule(value = CelRules.IP, messageExpression = CelRules.IP_MESSAGE)
    @ValidationRule(value = CelRules.NOT_RESERVED, messageExpression = CelRules.NOT_RESERVED_MESSAGE)
    private String address;

    @JsonPropertyDescription("The member's port, 1-65535.")
    @Required
    @Min(1)
    @Max(65535)
    private Integer protocolPort;

    @JsonPropertyDescription("Share of the traffic, 0-256. 0 drains the member: no new connections, open ones "
            + "finish (operatingStatus DRAINING).")
    @Default("1")
    @Min(0)
    @Max(256)
    private Integer weight = 1;

    @JsonPropertyDescription("A backup member takes traffic only when every non-backup member is down.")
    @Default("false")
    private Boolean backup = false;

    @JsonPropertyDescription("The IPv4 or IPv6 address health checks go to, if not address; not 169.254.169.254.")
    @Size(max = 45)
    @ValidationRule(value = CelRules.IP, messageExpression = CelRules.IP_MESSAGE)
    @ValidationRule(value = CelRules.NOT_RESERVED, messageExpression = CelRules.NOT_RESERVED_MESSAGE)
    private String monitorAddress;

    @JsonPropertyDescription("The port health checks go to, if not protocolPort.")
    @Min(1)
    @Max(65535)
    private Integer monitorPort;

    @JsonPropertyDescription("false takes the member out of the pool (operatingStatus OFFLINE).")
    @Default("true")
    private Boolean adminStateUp = true;

    public String getPoolRef() {
        return poolRef;
    }

    public void setPoolRef(String poolRef) {
        this.poolRef = poolRef;
    }

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

    public Integer getWeight() {
        return weight;
    }

    public void setWeight(Integer weight) {
        this.weight = weight;
    }

    public Boolean getBackup() {
        return backup;
    }

    public void setBackup(Boolean backup) {
        this.backup = backup;
    }

    public String getMonitorAddress() {
        return monitorAddress;
    }

    public void setMonitorAddress(String monitorAddress) {
        this.monitorAddress = monitorAddress;
    }

    public Integer getMonitorPort() {
        return monitorPort;
    }

    public void setMonitorPort(Integer monitorPort) {
        this.monitorPort = monitorPort;
    }

    public Boolean getAdminStateUp() {
        return adminStateUp;
    }

    public void setAdminStateUp(Boolean adminStateUp) {
        this.adminStateUp = adminStateUp;
    }
}
