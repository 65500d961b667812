package dev.lbaas.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.ValidationRule;

/**
 * Octavia's four listener timeouts, and the deadline for a request's headers, as durations such
 * as "50s", "1m30s" or "500ms".
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ListenerTimeouts {

    /** The Gateway API's duration syntax: up to four number-unit pairs, units h, m, s, ms. */
    public static final String DURATION_PATTERN = "^([0-9]{1,5}(h|m|s|ms)){1,4}$";

    @JsonPropertyDescription("Idle time allowed on the client side (Octavia timeout_client_data). Default 50s.")
    @Pattern(DURATION_PATTERN)
    private String clientData;

    @JsonPropertyDescription("Time allowed to connect to a member (Octavia timeout_member_connect). Default 5s.")
    @Pattern(DURATION_PATTERN)
    private String memberConnect;

    @JsonPropertyDescription("Idle time allowed on the member side (Octavia timeout_member_data). Default 50s.")
    @Pattern(DURATION_PATTERN)
    private String memberData;

    @JsonPropertyDescription("Time to wait for content inspection (Octavia timeout_tcp_inspect). Default 0s.")
    @Pattern(DURATION_PATTERN)
    private String tcpInspect;

    @JsonPropertyDescription("HTTP listeners: time allowed for a request's headers to arrive whole, from the "
            + "connection's start for its first request and from the first byte of each later one. A request "
            + "that misses it is answered 408 and its connection closed; a connection that sent nothing by then "
            + "is closed. The clientData timeout cannot bound headers trickled a byte at a time, as each byte "
            + "resets it. Beyond Octavia (HAProxy's timeout http-request). Default 10s.")
    @Pattern(DURATION_PATTERN)
    @ValidationRule(value = "duration(self) > duration('0s') && duration(self) <= duration('24h')",
            message = "httpRequest must be more than 0s and at most 24h")
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
