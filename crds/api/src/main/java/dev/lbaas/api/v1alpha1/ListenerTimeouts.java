package dev.lbaas.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/**
 * Octavia's four listener timeouts, and the deadline for a request's headers, as durations such
 * as "50s", "1m30s" or "500ms", within Octavia's bounds (at most 576h, 24 days). Octavia's 0 for "no timeout"
 * is refused: the amphora always bounds how long a connection may sit idle.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ListenerTimeouts {

    @JsonPropertyDescription("Idle time allowed on the client side (Octavia timeout_client_data), more than 0s and "
            + "at most 576h (24 days). Default 50s.")
    @Size(max = 32)
    @ValidationRule(value = CelRules.DURATION, messageExpression = CelRules.DURATION_MESSAGE)
    @ValidationRule(value = CelRules.DURATION_POSITIVE_WITHIN_OCTAVIA,
            messageExpression = CelRules.DURATION_POSITIVE_WITHIN_OCTAVIA_MESSAGE)
    private String clientData;

    @JsonPropertyDescription("Time allowed to connect to a member (Octavia timeout_member_connect), more than 0s and at most "
            + "576h (24 days). Default 5s. Not on UDP and PROMETHEUS listeners.")
    @Size(max = 32)
    @ValidationRule(value = CelRules.DURATION, messageExpression = CelRules.DURATION_MESSAGE)
    @ValidationRule(value = CelRules.DURATION_POSITIVE_WITHIN_OCTAVIA,
            messageExpression = CelRules.DURATION_POSITIVE_WITHIN_OCTAVIA_MESSAGE)
    private String memberConnect;

    @JsonPropertyDescription("Idle time allowed on the member side (Octavia timeout_member_data), more than 0s and at most "
            + "576h (24 days). Default 50s. Not on UDP and PROMETHEUS listeners.")
    @Size(max = 32)
    @ValidationRule(value = CelRules.DURATION, messageExpression = CelRules.DURATION_MESSAGE)
    @ValidationRule(value = CelRules.DURATION_POSITIVE_WITHIN_OCTAVIA,
            messageExpression = CelRules.DURATION_POSITIVE_WITHIN_OCTAVIA_MESSAGE)
    private String memberData;

    @JsonPropertyDescription("Time to wait for content inspection (Octavia timeout_tcp_inspect), at most 576h (24 days). "
            + "Default 0s. Not served: the amphora inspects no TCP content (HTTP listeners read whole request heads, "
            + "within httpRequest), so a listener with more than 0s is not accepted.")
    @Size(max = 32)
    @ValidationRule(value = CelRules.DURATION, messageExpression = CelRules.DURATION_MESSAGE)
    @ValidationRule(value = CelRules.DURATION_WITHIN_OCTAVIA, messageExpression = CelRules.DURATION_WITHIN_OCTAVIA_MESSAGE)
    private String tcpInspect;

    @JsonPropertyDescription("HTTP listeners: time allowed for a request's headers to arrive whole, from the "
            + "connection's start for its first request and from the first byte of each later one. A request "
            + "that misses it is answered 408 and its connection closed; a connection that sent nothing by then "
            + "is closed. The clientData timeout cannot bound headers trickled a byte at a time, as each byte "
            + "resets it. More than 0s and at most 576h (24 days). Beyond Octavia (HAProxy's timeout http-request). "
            + "Default 10s.")
    @Size(max = 32)
    @ValidationRule(value = CelRules.DURATION, messageExpression = CelRules.DURATION_MESSAGE)
    @ValidationRule(value = CelRules.DURATION_POSITIVE_WITHIN_OCTAVIA,
            messageExpression = CelRules.DURATION_POSITIVE_WITHIN_OCTAVIA_MESSAGE)
    private String httpRequest;

    public String getClientData() {
        return clientData;
    }

    public void setClientData(String clientData) {
        this.clientData = clientData;
    }

    public String getMemberConnect() {
        return memberConnect;
    }

    public void setMemberConnect(String memberConnect) {
        this.memberConnect = memberConnect;
    }

    public String getMemberData() {
        return memberData;
    }

    public void setMemberData(String memberData) {
        this.memberData = memberData;
    }

    public String getTcpInspect() {
        return tcpInspect;
    }

    public void setTcpInspect(String tcpInspect) {
        this.tcpInspect = tcpInspect;
    }

    public String getHttpRequest() {
        return httpRequest;
    }

    public void setHttpRequest(String httpRequest) {
        this.httpRequest = httpRequest;
    }
}
