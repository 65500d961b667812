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

    /** How an ACTIVE_STANDBY load balancer's VIP Service reaches its master. */
    public enum MasterEndpoint {
        /** The master writes its own address into the Service's EndpointSlice. */
        WrittenByMaster,
        /** The Service selects the pair's pods, and only the master is ready. */
        Readiness
    }

    @JsonPropertyDescription("How an ACTIVE_STANDBY load balancer's VIP Service reaches its master. WrittenByMaster "
            + "(the default): the Service selects no pod and the master writes its own address into its "
            + "EndpointSlice, under a ServiceAccount that may patch that one slice; a failover takes the master-down "
            + "interval and one write. Readiness: the Service selects both amphorae and only the master is ready; "
            + "no amphora holds an API token, but a failover waits for the kubelet's next readiness probe (up to a "
            + "second more) and the standby shows as not ready. SINGLE load balancers ignore it.")
    @Default("WrittenByMaster")
    private MasterEndpoint masterEndpoint = MasterEndpoint.WrittenByMaster;

    public Type getType() {
        return type;
    }

    public void setType(Type type) {
        this.type = type;
    }

    public MasterEndpoint getMasterEndpoint() {
        return masterEndpoint;
    }

    public void setMasterEndpoint(MasterEndpoint masterEndpoint) {
        this.masterEndpoint = masterEndpoint;
    }

    public Map<String, String> getAnnotations() {
        return annotations;
    }

    public void setAnnotations(Map<String, String> annotations) {
        this.annotations = annotations;
    }
}
