package dev.lbaas.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "has(self.listenerRef) || has(self.loadBalancerRef)", fieldPath = ".listenerRef",
        message = "one of listenerRef (the pool is that listener's default pool) or loadBalancerRef is required",
        reason = CelRules.REQUIRED)
@ValidationRule(value = "!(self.protocol in ['UDP', 'SCTP']) || !has(self.sessionPersistence) "
        + "|| self.sessionPersistence.type == 'SOURCE_IP'",
        messageExpression = "'a ' + self.protocol + ' pool only keeps sessions by SOURCE_IP: ' "
                + "+ self.sessionPersistence.type + ' needs HTTP cookies'",
        fieldPath = ".sessionPersistence.type")
@ValidationRule(value = "has(self.listenerRef) == has(oldSelf.listenerRef)", fieldPath = ".listenerRef",
        message = "cannot be added or removed after creation")
@ValidationRule(value = "has(self.loadBalancerRef) == has(oldSelf.loadBalancerRef)", fieldPath = ".loadBalancerRef",
        message = "cannot be added or removed after creation")
@ValidationRule(value = "!has(self.tls) || self.protocol == 'HTTP'", fieldPath = ".tls",
        messageExpression = "'only allowed with protocol HTTP, whose members the amphora re-encrypts to, not ' + "
                + "self.protocol + (self.protocol == 'HTTPS' ? ' (an HTTPS pool passes TLS through)' : '')")
@ValidationRule(value = "!has(self.http2) || !self.http2 || self.protocol == 'HTTP'", fieldPath = ".http2",
        messageExpression = "'only allowed with protocol HTTP, whose requests the amphora sends to the members, not ' "
                + "+ self.protocol")
@ValidationRule(value = "!has(self.http2) || !self.http2 || !has(self.tls) || !has(self.tls.alpnProtocols)",
        fieldPath = ".tls.alpnProtocols",
        message = "not allowed with http2: a pool that speaks HTTP/2 to its members offers h2 alone")
public class PoolSpec {

    @JsonPropertyDescription("The Listener (in this namespace) whose default pool this is. Immutable.")
    @Size(min = 1, max = 253)
    @ValidationRule(value = CelRules.NAME, messageExpression = CelRules.NAME_MESSAGE)
    @ValidationRule(value = "self == oldSelf", messageExpression = CelRules.IMMUTABLE_MESSAGE)
    private String listenerRef;

    @JsonPropertyDescription("The LoadBalancer (in this namespace) of a pool used by L7 policies; implied by "
            + "listenerRef when that is set. Immutable.")
    @Size(min = 1, max = 253)
    @ValidationRule(value = CelRules.NAME, messageExpression = CelRules.NAME_MESSAGE)
    @ValidationRule(value = "self == oldSelf", messageExpression = CelRules.IMMUTABLE_MESSAGE)
    private String loadBalancerRef;

    @JsonPropertyDescription("How the amphora speaks to the members: TCP, HTTP, HTTPS, PROXY, PROXYV2, UDP or SCTP.")
    @Required
    @ValidationRule(value = "self == oldSelf", messageExpression = CelRules.IMMUTABLE_MESSAGE)
    private PoolProtocol protocol;

    @JsonPropertyDescription("ROUND_ROBIN (weighted), LEAST_CONNECTIONS (weighted), SOURCE_IP or SOURCE_IP_PORT.")
    @Default("ROUND_ROBIN")
    private LbAlgorithm lbAlgorithm = LbAlgorithm.ROUND_ROBIN;

    @JsonPropertyDescription("Keep a client on the same member.")
    private SessionPersistence sessionPersistence;

    @JsonPropertyDescription("false takes the pool out of service (operatingStatus OFFLINE).")
    @Default("true")
    private Boolean adminStateUp = true;

    @JsonPropertyDescription("Free text for people.")
    @Size(max = 255)
    private String description;

    @JsonPropertyDescription("HTTP pools only: TLS to the members (Octavia's tls_enabled and the pool's TLS fields); "
            + "its presence turns re-encryption on.")
    private PoolTls tls;

    @JsonPropertyDescription("HTTP pools only: speak HTTP/2 to the members (h2 by ALPN with tls, h2c with prior knowledge "
            + "without), as gRPC servers need; clients may speak either version. Each amphora event loop keeps one "
            + "connection per member and sends every exchange as a stream of it. Health monitors still speak HTTP/1.1 "
            + "(a member that only speaks HTTP/2 wants a TCP or TLS-HELLO monitor). Default false: HTTP/1.1.")
    private Boolean http2;

    public Boolean getHttp2() {
        return http2;
    }

    public void setHttp2(Boolean http2) {
        this.http2 = http2;
    }

    public PoolTls getTls() {
        return tls;
    }

    public void setTls(PoolTls tls) {
        this.tls = tls;
    }

    @JsonPropertyDescription("Beyond Octavia: the members are the ready endpoints of a Service in this namespace, "
            + "kept in sync as its pods come and go (the operator writes them as Member objects labelled "
            + "lbaas.dev/selected-by). Members written by hand may not join such a pool.")
    private MemberSelector memberSelector;

    public MemberSelector getMemberSelector() {
        return memberSelector;
    }

    public void setMemberSelector(MemberSelector memberSelector) {
        this.memberSelector = memberSelector;
    }

    public String getListenerRef() {
        return listenerRef;
    }

    public void setListenerRef(String listenerRef) {
        this.listenerRef = listenerRef;
    }

    public String getLoadBalancerRef() {
        return loadBalancerRef;
    }

    public void setLoadBalancerRef(String loadBalancerRef) {
        this.loadBalancerRef = loadBalancerRef;
    }

    public PoolProtocol getProtocol() {
        return protocol;
    }

    public void setProtocol(PoolProtocol protocol) {
        this.protocol = protocol;
    }

    public LbAlgorithm getLbAlgorithm() {
        return lbAlgorithm;
    }

    public void setLbAlgorithm(LbAlgorithm lbAlgorithm) {
        this.lbAlgorithm = lbAlgorithm;
    }

    public SessionPersistence getSessionPersistence() {
        return sessionPersistence;
    }

    public void setSessionPersistence(SessionPersistence sessionPersistence) {
        this.sessionPersistence = sessionPersistence;
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
}
