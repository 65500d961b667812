package dev.lbaas.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import dev.lbaas.api.crdgen.ItemRule;
import dev.lbaas.api.crdgen.UniqueItems;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.List;

@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "!has(self.insertHeaders) || size(self.insertHeaders) == 0 "
        + "|| self.protocol in ['HTTP', 'TERMINATED_HTTPS']",
        messageExpression = "'not allowed on a ' + self.protocol + ' listener: only HTTP and TERMINATED_HTTPS listeners "
                + "read requests to insert headers into'",
        fieldPath = ".insertHeaders")
@ValidationRule(value = "!has(self.timeouts) || !has(self.timeouts.httpRequest) "
        + "|| self.protocol in ['HTTP', 'TERMINATED_HTTPS']",
        messageExpression = "'not allowed on a ' + self.protocol + ' listener: only HTTP and TERMINATED_HTTPS listeners "
                + "read request headers'",
        fieldPath = ".timeouts.httpRequest")
@ValidationRule(value = "self.protocol != 'PROMETHEUS' || !has(self.defaultPoolRef)",
        message = "not allowed on a PROMETHEUS listener: it serves the load balancer's metrics, not a pool",
        fieldPath = ".defaultPoolRef")
@ValidationRule(value = "!has(self.timeouts) || !has(self.timeouts.memberConnect) || !(self.protocol in ['UDP', 'PROMETHEUS'])",
        messageExpression = "'not allowed on a ' + self.protocol + ' listener: '"
                + " + (self.protocol == 'UDP' ? 'datagrams need no connection to a member' : 'it has no members')",
        fieldPath = ".timeouts.memberConnect")
@ValidationRule(value = "!has(self.timeouts) || !has(self.timeouts.memberData) || !(self.protocol in ['UDP', 'PROMETHEUS'])",
        messageExpression = "'not allowed on a ' + self.protocol + ' listener: '"
                + " + (self.protocol == 'UDP' ? 'a UDP session ends after timeouts.clientData without datagrams' "
                + ": 'it has no members')",
        fieldPath = ".timeouts.memberData")
@ValidationRule(value = "!has(self.timeouts) || !has(self.timeouts.tcpInspect) || !(self.protocol in ['UDP', 'PROMETHEUS'])",
        messageExpression = "'not allowed on a ' + self.protocol + ' listener: it inspects no TCP content'",
        fieldPath = ".timeouts.tcpInspect")
@ValidationRule(value = "self.protocol != 'TERMINATED_HTTPS' || has(self.tls)", fieldPath = ".tls",
        message = "required with protocol TERMINATED_HTTPS: the certificate the listener presents", reason = CelRules.REQUIRED)
@ValidationRule(value = "!has(self.tls) || self.protocol == 'TERMINATED_HTTPS'", fieldPath = ".tls",
        messageExpression = "'only allowed with protocol TERMINATED_HTTPS, not ' + self.protocol"
                + " + (self.protocol == 'HTTPS' ? ' (an HTTPS listener passes TLS through to the members)' : '')")
@ValidationRule(value = "!has(self.insertHeaders) || self.protocol == 'TERMINATED_HTTPS' "
        + "|| self.insertHeaders.all(h, !h.startsWith('X-SSL-'))", fieldPath = ".insertHeaders",
        messageExpression = "'the X-SSL-* headers need a TERMINATED_HTTPS listener, which sees client certificates; '"
                + " + self.protocol + ' listeners do not'")
@ValidationRule(value = "!has(self.h2cPriorKnowledge) || !self.h2cPriorKnowledge || self.protocol == 'HTTP'",
        fieldPath = ".h2cPriorKnowledge",
        messageExpression = "'only allowed with protocol HTTP, not ' + self.protocol"
                + " + (self.protocol == 'TERMINATED_HTTPS' ? ' (TERMINATED_HTTPS listeners offer HTTP/2 by ALPN: "
                + "tls.alpnProtocols)' : '')")
public class ListenerSpec {

    @JsonPropertyDescription("The LoadBalancer (in this namespace) this listener belongs to. Immutable.")
    @Required
    @Size(min = 1, max = 253)
    @ValidationRule(value = CelRules.NAME, messageExpression = CelRules.NAME_MESSAGE)
    @ValidationRule(value = "self == oldSelf", messageExpression = CelRules.IMMUTABLE_MESSAGE)
    private String loadBalancerRef;

    @JsonPropertyDescription("TCP, HTTP, HTTPS (passthrough), TERMINATED_HTTPS, UDP, SCTP or PROMETHEUS.")
    @Required
    @ValidationRule(value = "self == oldSelf", messageExpression = CelRules.IMMUTABLE_MESSAGE)
    private ListenerProtocol protocol;

    @JsonPropertyDescription("The port on the VIP, 1-65535.")
    @Required
    @Min(1)
    @Max(65535)
    private Integer protocolPort;

    @JsonPropertyDescription("The most concurrent connections (UDP: sessions), -1 to 2147483647; -1 means "
            + "unlimited. When reached the listener is DEGRADED.")
    @Default("-1")
    @Min(-1)
    @Max(Integer.MAX_VALUE)
    private Integer connectionLimit = -1;

    @JsonPropertyDescription("The Pool (in this namespace) that receives the traffic.")
    @Size(min = 1, max = 253)
    @ValidationRule(value = CelRules.NAME, messageExpression = CelRules.NAME_MESSAGE)
    private String defaultPoolRef;

    @JsonPropertyDescription("false closes the listener (operatingStatus OFFLINE).")
    @Default("true")
    private Boolean adminStateUp = true;

    @JsonPropertyDescription("Free text for people.")
    @Size(max = 255)
    private String description;

    @JsonPropertyDescription("Headers added to requests toward the members: X-Forwarded-For, X-Forwarded-Port, "
            + "X-Forwarded-Proto, X-Real-IP, and on TERMINATED_HTTPS listeners the client certificate's "
            + "X-SSL-Client-Verify, X-SSL-Client-Has-Cert, X-SSL-Client-DN, X-SSL-Client-CN, X-SSL-Issuer, "
            + "X-SSL-Client-SHA1, X-SSL-Client-Not-Before and X-SSL-Client-Not-After; each at most once. HTTP and "
            + "TERMINATED_HTTPS listeners only.")
    @Size(max = 16)
    @UniqueItems
    private List<InsertHeader> insertHeaders;

    @JsonPropertyDescription("Octavia's client and member timeouts, and the deadline for a request's headers.")
    private ListenerTimeouts timeouts;

    @JsonPropertyDescription("Client networks allowed to connect, in CIDR notation, at most 64, none twice. "
            + "Empty allows everyone.")
    @Size(max = 64)
    @UniqueItems
    @ItemRule(value = "isCIDR(self)", messageExpression = "'must be a network in CIDR notation such as 10.0.0.0/8 or "
            + "2001:db8::/32; \"' + self + '\" is not'")
    private List<@Size(max = 43) String> allowedCidrs;

    @JsonPropertyDescription("TERMINATED_HTTPS only, and required there: its certificates and TLS settings.")
    private ListenerTls tls;

    @JsonPropertyDescription("HTTP only: also serve HTTP/2 in cleartext (h2c) to clients that begin their connection "
            + "with HTTP/2's preface (prior knowledge, as gRPC clients without TLS do). HTTP/1.1 clients are served as "
            + "before; the Upgrade: h2c handshake is not served. TERMINATED_HTTPS listeners offer HTTP/2 by ALPN "
            + "instead (tls.alpnProtocols). Default false.")
    private Boolean h2cPriorKnowledge;

    public Boolean getH2cPriorKnowledge() {
        return h2cPriorKnowledge;
    }

    public void setH2cPriorKnowledge(Boolean h2cPriorKnowledge) {
        this.h2cPriorKnowledge = h2cPriorKnowledge;
    }

    public ListenerTls getTls() {
        return tls;
    }

    public void setTls(ListenerTls tls) {
        this.tls = tls;
    }

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
