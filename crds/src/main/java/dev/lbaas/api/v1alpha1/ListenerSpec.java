package dev.lbaas.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.List;

@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "!has(self.insertHeaders) || size(self.insertHeaders) == 0 || self.protocol in ['HTTP', 'TERMINATED_HTTPS']",
        message = "insertHeaders is only allowed on HTTP and TERMINATED_HTTPS listeners",
        fieldPath = ".insertHeaders")
@ValidationRule(value = "!has(self.timeouts) || !has(self.timeouts.httpRequest) || self.protocol in ['HTTP', 'TERMINATED_HTTPS']",
        message = "timeouts.httpRequest is only allowed on HTTP and TERMINATED_HTTPS listeners: others read no HTTP headers",
        fieldPath = ".timeouts.httpRequest")
@ValidationRule(value = "self.protocol != 'PROMETHEUS' || !has(self.defaultPoolRef)",
        message = "defaultPoolRef is not allowed on PROMETHEUS listeners: they serve the load balancer's metrics",
        fieldPath = ".defaultPoolRef")
public class ListenerSpec {

    @JsonPropertyDescription("The LoadBalancer (in this namespace) this listener belongs to.")
    @Required
    @Size(min = 1, max = 253)
    @ValidationRule(value = "self == oldSelf", message = "loadBalancerRef is immutable")
    private String loadBalancerRef;

    @JsonPropertyDescription("TCP, HTTP, HTTPS (passthrough), TERMINATED_HTTPS, UDP, SCTP or PROMETHEUS.")
    @Required
    @ValidationRule(value = "self == oldSelf", message = "protocol is immutable")
    private ListenerProtocol protocol;

    @JsonPropertyDescription("The port on the VIP, 1-65535.")
    @Required
    @Min(1)
    @Max(65535)
    private Integer protocolPort;

    @JsonPropertyDescription("The most concurrent connections; -1 means unlimited. When reached the listener is "
            + "DEGRADED.")
    @Default("-1")
    @Min(-1)
    private Integer connectionLimit = -1;

    @JsonPropertyDescription("The Pool (in this namespace) that receives the traffic.")
    @Size(max = 253)
    private String defaultPoolRef;

    @JsonPropertyDescription("false closes the listener (operatingStatus OFFLINE).")
    @Default("true")
    private Boolean adminStateUp = true;

    @JsonPropertyDescription("Free text for people.")
    @Size(max = 255)
    private String description;

    @JsonPropertyDescription("Headers added to requests toward the members: X-Forwarded-For, X-Forwarded-Port, "
            + "X-Forwarded-Proto, X-Real-IP. HTTP and TERMINATED_HTTPS listeners only.")
    private List<InsertHeader> insertHeaders;

    @JsonPropertyDescription("Octavia's client and member timeouts, and the deadline for a request's headers.")
    private ListenerTimeouts timeouts;

    @JsonPropertyDescription("Client networks allowed to connect, in CIDR notation. Empty allows everyone.")
    @Size(max = 64)
    @ValidationRule(value = "self.all(c, isCIDR(c))", message = "allowedCidrs must hold CIDRs such as 10.0.0.0/8")
    private List<@Size(max = 43) String> allowedCidrs;

    public String getLoadBalancerRef() {
        return loadBalancerRef;
    }

    public void setLoadBalancerRef(String loadBalancerRef) {
        this.loadBalancerRef = loadBalancerRef;
    }

    public ListenerProtocol getProtocol() {
        return protocol;
    }

    public void setProtocol(ListenerProtocol protocol) {
        this.protocol = protocol;
    }

    public Integer getProtocolPort() {
        return protocolPort;
    }

    public void setProtocolPort(Integer protocolPort) {
        this.protocolPort = protocolPort;
    }

    public Integer getConnectionLimit() {
        return connectionLimit;
    }

    public void setConnectionLimit(Integer connectionLimit) {
        this.connectionLimit = connectionLimit;
    }

    public String getDefaultPoolRef() {
        return defaultPoolRef;
    }

    public void setDefaultPoolRef(String defaultPoolRef) {
        this.defaultPoolRef = defaultPoolRef;
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

    public List<InsertHeader> getInsertHeaders() {
        return insertHeaders;
    }

    public void setInsertHeaders(List<InsertHeader> insertHeaders) {
        this.insertHeaders = insertHeaders;
    }

    public ListenerTimeouts getTimeouts() {
        return timeouts;
    }

    public void setTimeouts(ListenerTimeouts timeouts) {
        this.timeouts = timeouts;
    }

    public List<String> getAllowedCidrs() {
        return allowedCidrs;
    }

    public void setAllowedCidrs(List<String> allowedCidrs) {
        this.allowedCidrs = allowedCidrs;
    }
}
