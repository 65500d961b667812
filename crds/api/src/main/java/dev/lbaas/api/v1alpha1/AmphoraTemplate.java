package dev.lbaas.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.Toleration;
import java.util.List;
import java.util.Map;

/** How the amphora pods of a class run. Read when an amphora is created: existing ones keep theirs. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class AmphoraTemplate {

    @JsonPropertyDescription("The amphora image. Empty: the image the operator was installed with.")
    @Size(min = 1, max = 512)
    private String image;

    @JsonPropertyDescription("Always, IfNotPresent or Never. Empty: Kubernetes' default for the image's tag.")
    @ValidationRule(value = "self in ['Always', 'IfNotPresent', 'Never']",
            messageExpression = "'must be Always, IfNotPresent or Never; \"' + self + '\" is not'")
    @Size(max = 16)
    private String imagePullPolicy;

    @JsonPropertyDescription("CPU and memory for each amphora. Empty: the operator's defaults.")
    private ResourceRequirements resources;

    @JsonPropertyDescription("Nodes the amphorae may run on, by label.")
    private Map<String, String> nodeSelector;

    @JsonPropertyDescription("Taints the amphorae tolerate.")
    private List<Toleration> tolerations;

    @JsonPropertyDescription("The PriorityClass of the amphora pods: a load balancer usually matters more than the "
            + "workloads behind it.")
    @Size(max = 253)
    private String priorityClassName;

    public String getImage() {
        return image;
    }

    public void setImage(String image) {
        this.image = image;
    }

    public String getImagePullPolicy() {
        return imagePullPolicy;
    }

    public void setImagePullPolicy(String imagePullPolicy) {
        this.imagePullPolicy = imagePullPolicy;
    }

    public ResourceRequirements getResources() {
        return resources;
    }

    public void setResources(ResourceRequirements resources) {
        this.resources = resources;
    }

    public Map<String, String> getNodeSelector() {
        return nodeSelector;
    }

    public void setNodeSelector(Map<String, String> nodeSelector) {
        this.nodeSelector = nodeSelector;
    }

    public List<Toleration> getTolerations() {
        return tolerations;
    }

    public void setTolerations(List<Toleration> tolerations) {
        this.tolerations = tolerations;
    }

    public String getPriorityClassName() {
        return priorityClassName;
    }

    public void setPriorityClassName(String priorityClassName) {
        this.priorityClassName = priorityClassName;
    }
}
