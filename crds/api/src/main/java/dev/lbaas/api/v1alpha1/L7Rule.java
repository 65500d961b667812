package dev.lbaas.api.v1alpha1;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Categories;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/** Octavia's L7 rule: one condition a request must meet for its L7Policy to match. */
@Group(LoadBalancer.GROUP)
@Version(LoadBalancer.VERSION)
@ShortNames("lbl7r")
@Categories("lbaas")
@AdditionalPrinterColumn(name = "Policy", jsonPath = ".spec.l7PolicyRef", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Type", jsonPath = ".spec.type", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Compare", jsonPath = ".spec.compareType", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Key", jsonPath = ".spec.key", type = AdditionalPrinterColumn.Type.STRING, priority = 1)
@AdditionalPrinterColumn(name = "Value", jsonPath = ".spec.value", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Invert", jsonPath = ".spec.invert", type = AdditionalPrinterColumn.Type.BOOLEAN)
@AdditionalPrinterColumn(name = "Provisioning", jsonPath = ".status.provisioningStatus", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Operating", jsonPath = ".status.operatingStatus", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Age", jsonPath = ".metadata.creationTimestamp", type = AdditionalPrinterColumn.Type.DATE)
public class L7Rule extends CustomResource<L7RuleSpec, LbaasStatus> implements Namespaced {
}
