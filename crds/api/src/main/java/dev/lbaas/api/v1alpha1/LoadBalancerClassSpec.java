package dev.lbaas.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;

@JsonInclude(JsonInclude.Include.NON_NULL)
public class LoadBalancerClassSpec {

    @JsonPropertyDescription("SINGLE (one amphora) or ACTIVE_STANDBY (two, the standby taking over when the active "
            + "one fails). A load balancer's own topology overrides it; a running load balancer keeps the topology it was "
            + "created with when the class is edited.")
    @Default("SINGLE")
    private Topology topology = Topology.SINGLE;

    @JsonPropertyDescription("ACTIVE_STANDBY only: how the two amphorae watch each other and when the standby "
            + "takes over.")
    private FailoverTimers failover;

    @JsonPropertyDescription("How each amphora runs (Kubernetes driver): image, resources and placement.")
    private AmphoraTemplate amphora;

    @JsonPropertyDescription("How the VIP is exposed (Kubernetes driver): the type of the VIP Service and its "
            + "annotations.")
    private VipServiceTemplate vipService;

    public Topology getTopology() {
        return topology;
    }

    public void setTopology(Topology topology) {
        this.topology = topology;
    }

    public FailoverTimers getFailover() {
        return failover;
    }

    public void setFailover(FailoverTimers failover) {
        this.failover = failover;
    }

    public AmphoraTemplate getAmphora() {
        return amphora;
    }

    public void setAmphora(AmphoraTemplate amphora) {
        this.amphora = amphora;
    }

    public VipServiceTemplate getVipService() {
        return vipService;
    }

    public void setVipService(VipServiceTemplate vipService) {
        this.vipService = vipService;
    }
}
