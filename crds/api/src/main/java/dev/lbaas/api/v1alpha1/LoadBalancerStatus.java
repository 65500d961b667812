package dev.lbaas.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

@JsonInclude(JsonInclude.Include.NON_NULL)
public class LoadBalancerStatus extends LbaasStatus {

    @JsonPropertyDescription("The address clients connect to.")
    private String vipAddress;

    @JsonPropertyDescription("Where the VIP's ports are reachable besides the VIP: the node ports of a NodePort or "
            + "LoadBalancer VIP Service (Kubernetes driver). Empty for a ClusterIP VIP.")
    private List<VipPort> vipPorts;

    @JsonPropertyDescription("The LoadBalancerClass in effect: spec.className, or the default class when it is empty. "
            + "Empty when no class applies and the operator's built-in defaults do.")
    private String className;

    @JsonPropertyDescription("SINGLE or ACTIVE_STANDBY.")
    private Topology topology;

    @JsonPropertyDescription("The configuration generation the operator last rendered for the amphorae.")
    private Long configGeneration;

    @JsonPropertyDescription("The amphorae serving this load balancer, with their roles and the configuration "
            + "generation each serves.")
    private List<AmphoraInfo> amphorae = new ArrayList<>();

    @JsonPropertyDescription("ACTIVE_STANDBY: the value of the lbaas.dev/failover annotation the operator last acted "
            + "on. A failover is requested by giving the annotation a new value (a timestamp, say).")
    private String failoverRequest;

    @JsonPropertyDescription("Traffic statistics summed over the listeners (Octavia's load balancer stats), "
            + "refreshed periodically.")
    private TrafficStatistics stats;

    @JsonPropertyDescription("Every object of the load balancer with its statuses, as Octavia's load balancer status "
            + "tree: listeners, their pools, each pool's health monitor and members; why an object is not Ready.")
    private StatusTree tree;

    public String getVipAddress() {
        return vipAddress;
    }

    public void setVipAddress(String vipAddress) {
        this.vipAddress = vipAddress;
    }

    public List<VipPort> getVipPorts() {
        return vipPorts;
    }

    public void setVipPorts(List<VipPort> vipPorts) {
        this.vipPorts = vipPorts;
    }

    public String getFailoverRequest() {
        return failoverRequest;
    }

    public void setFailoverRequest(String failoverRequest) {
        this.failoverRequest = failoverRequest;
    }

    public String getClassName() {
        return className;
    }

    public void setClassName(String className) {
        this.className = className;
    }

    public Topology getTopology() {
        return topology;
    }

    public void setTopology(Topology topology) {
        this.topology = topology;
    }

    public Long getConfigGeneration() {
        return configGeneration;
    }

    public void setConfigGeneration(Long configGeneration) {
        this.configGeneration = configGeneration;
    }

    public List<AmphoraInfo> getAmphorae() {
        return amphorae;
    }

    public void setAmphorae(List<AmphoraInfo> amphorae) {
        this.amphorae = amphorae;
    }

    public StatusTree getTree() {
        return tree;
    }

    public void setTree(StatusTree tree) {
        this.tree = tree;
    }

    public TrafficStatistics getStats() {
        return stats;
    }

    public void setStats(TrafficStatistics stats) {
        this.stats = stats;
    }

    @Override
    public boolean equals(Object o) {
        if (!super.equals(o)) {
            return false;
        }
        LoadBalancerStatus that = (LoadBalancerStatus) o;
        return Objects.equals(vipAddress, that.vipAddress) && Objects.equals(vipPorts, that.vipPorts)
                && Objects.equals(className, that.className)
                && topology == that.topology
                && Objects.equals(configGeneration, that.configGeneration)
                && Objects.equals(failoverRequest, that.failoverRequest)
                && Objects.equals(amphorae, that.amphorae) && Objects.equals(stats, that.stats)
                && Objects.equals(tree, that.tree);
    }

    @Override
    public int hashCode() {
        return Objects.hash(super.hashCode(), vipAddress, vipPorts, className, topology, configGeneration,
                failoverRequest, amphorae, stats, tree);
    }
}
