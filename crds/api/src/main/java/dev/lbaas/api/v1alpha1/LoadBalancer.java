package dev.lbaas.api.v1alpha1;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Categories;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/** Octavia's load balancer: a VIP served by one amphora, or two in ACTIVE_STANDBY. */
@Group(LoadBalancer.GROUP)
@Version(LoadBalancer.VERSION)
@ShortNames("lb")
@Categories("lbaas")
@AdditionalPrinterColumn(name = "VIP", jsonPath = ".status.vipAddress", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Provisioning", jsonPath = ".status.provisioningStatus", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Operating", jsonPath = ".status.operatingStatus", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Topology", jsonPath = ".status.topology", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Age", jsonPath = ".metadata.creationTimestamp", type = AdditionalPrinterColumn.Type.DATE)
public class LoadBalancer extends CustomResource<LoadBalancerSpec, LoadBalancerStatus> implements Namespaced {

    public static final String GROUP = "lbaas.dev";
    public static final String VERSION = "v1alpha1";
    /**
     * Octavia's failover API for an ACTIVE_STANDBY load balancer: a new value of this annotation
     * asks the master to hand the VIP to its standby, with no request lost.
     */
    public static final String FAILOVER_ANNOTATION = "lbaas.dev/failover";
}
