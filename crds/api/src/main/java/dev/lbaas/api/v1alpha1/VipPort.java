package dev.lbaas.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.Objects;

/** A port of the VIP and where else it is reachable (the node port of a NodePort or LoadBalancer Service). */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class VipPort {

    @JsonPropertyDescription("TCP or UDP.")
    private String protocol;

    @JsonPropertyDescription("The port on the VIP (a listener's protocolPort).")
    private Integer port;

    @JsonPropertyDescription("The same port on every node's address.")
    private Integer nodePort;

    public VipPort() {
    }

    public VipPort(String protocol, Integer port, Integer nodePort) {
        this.protocol = protocol;
        this.port = port;
        this.nodePort = nodePort;
    }

    public String getProtocol() {
        return protocol;
    }

    public void setProtocol(String protocol) {
        this.protocol = protocol;
    }

    public Integer getPort() {
        return port;
    }

    public void setPort(Integer port) {
        this.port = port;
    }

    public Integer getNodePort() {
        return nodePort;
    }

    public void setNodePort(Integer nodePort) {
        this.nodePort = nodePort;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof VipPort that && Objects.equals(protocol, that.protocol) && Objects.equals(port, that.port)
                && Objects.equals(nodePort, that.nodePort);
    }

    @Override
    public int hashCode() {
        return Objects.hash(protocol, port, nodePort);
    }
}
