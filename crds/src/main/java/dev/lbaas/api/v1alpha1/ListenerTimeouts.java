package dev.lbaas.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;

/** Octavia's four listener timeouts, as durations such as "50s", "1m30s" or "500ms". */
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
}
