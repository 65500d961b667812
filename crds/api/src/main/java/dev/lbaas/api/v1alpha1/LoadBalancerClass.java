package dev.lbaas.api.v1alpha1;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Categories;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * Octavia's flavor: how the amphorae of the load balancers that name it run (topology, image,
 * resources, placement) and how their VIP is exposed. Cluster-scoped, written by the cluster's
 * administrators; one class may be the default, marked with the annotation
 * {@value #DEFAULT_ANNOTATION}{@code : "true"} as IngressClass and StorageClass are.
 */
@Group(LoadBalancer.GROUP)
@Version(LoadBalancer.VERSION)
@ShortNames("lbc")
@AdditionalPrinterColumn(name = "Topology", jsonPath = ".spec.topology", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Service", jsonPath = ".spec.vipService.type", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Default", jsonPath = ".metadata.annotations.lbaas\\.dev/is-default-class",
        type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Age", jsonPath = ".metadata.creationTimestamp", type = AdditionalPrinterColumn.Type.DATE)
public class LoadBalancerClass extends CustomResource<LoadBalancerClassSpec, Void> {

    /** The annotation that makes a class the default for load balancers without className. */
    public static final String DEFAULT_ANNOTATION = "lbaas.dev/is-default-class";

    /** Whether this class carries the default annotation set to "true". */
    public boolean isDefault() {
        return getMetadata() != null && getMetadata().getAnnotations() != null
                && "true".equals(getMetadata().getAnnotations().get(DEFAULT_ANNOTATION));
    }
}
