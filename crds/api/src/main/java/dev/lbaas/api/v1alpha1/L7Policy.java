package dev.lbaas.api.v1alpha1;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Categories;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * Octavia's L7 policy: what an HTTP listener does with the requests that match all of its
 * L7Rules (reject, redirect, or send to another pool), tried by position.
 */
@Group(LoadBalancer.GROUP)
@Version(LoadBalancer.VERSION)
@ShortNames("lbl7p")
@Categories("lbaas")
@AdditionalPrinterColumn(name = "Listener", jsonPath = ".spec.listenerRef", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Action", jsonPath = ".spec.action", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Position", jsonPath = ".spec.position", type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(name = "Provisioning", jsonPath = ".status.provisioningStatus", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Operating", jsonPath = ".status.operatingStatus", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Age", jsonPath = ".metadata.creationTimestamp", type = AdditionalPrinterColumn.Type.DATE)
public class L7Policy extends CustomResource<L7PolicySpec, LbaasStatus> implements Namespaced {
}
