package dev.lbaas.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import java.util.Map;

/** The Service that carries a load balancer's VIP under the Kubernetes driver. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class VipServiceTemplate {

    /** The Service types a VIP can have. */
    public enum Type {
        ClusterIP, NodePort, LoadBalancer
    }

    @JsonPropertyDescription("ClusterIP (the VIP is reachable inside the cluster), NodePort (also on every node's "
            + "ports) or LoadBalancer (also at the address the cluster's load-balancer implementation gives).")
    @Default("ClusterIP")
    private Type type = Type.ClusterIP;

    @JsonPropertyDescription("Annotations of the VIP Service, for the cluster's load-balancer implementation or "
            + "DNS controller.")
    private Map<String, String> annotations;

    public Type getType() {
        return type;
    }

    public void setType(Type type) {
        this.type = type;
    }

    public Map<String, String> getAnnotations() {
        return annotations;
    }

    public void setAnnotations(Map<String, String> annotations) {
        this.annotations = annotations;
    }
}
