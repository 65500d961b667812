package dev.lbaas.e2e;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * The objects of a cluster that an installation of the product could leave behind, as
 * "Kind namespace/name" lines: taken before the chart is installed and again after it is
 * uninstalled, the second must be a subset of the first on any cluster, however busy.
 */
final class ClusterInventory {

    private ClusterInventory() {
    }

    static Set<String> of(KubernetesClient client) {
        Set<String> objects = new TreeSet<>();
        add(objects, "Namespace", client.namespaces().list().getItems());
        add(objects, "Pod", client.pods().inAnyNamespace().list().getItems());
        add(objects, "Service", client.services().inAnyNamespace().list().getItems());
        add(objects, "Secret", client.secrets().inAnyNamespace().list().getItems());
        add(objects, "ServiceAccount", client.serviceAccounts().inAnyNamespace().list().getItems());
        add(objects, "PodDisruptionBudget",
                client.policy().v1().podDisruptionBudget().inAnyNamespace().list().getItems());
        add(objects, "ClusterRole", client.rbac().clusterRoles().list().getItems());
        add(objects, "ClusterRoleBinding", client.rbac().clusterRoleBindings().list().getItems());
        add(objects, "Role", client.rbac().roles().inAnyNamespace().list().getItems());
        add(objects, "RoleBinding", client.rbac().roleBindings().inAnyNamespace().list().getItems());
        add(objects, "ValidatingAdmissionPolicy",
                client.admissionRegistration().v1().validatingAdmissionPolicies().list().getItems());
        add(objects, "ValidatingAdmissionPolicyBinding",
                client.admissionRegistration().v1().validatingAdmissionPolicyBindings().list().getItems());
        if (client.apiextensions().v1().customResourceDefinitions().withName("loadbalancerclasses.lbaas.dev")
                .get() != null) {
            add(objects, "LoadBalancerClass",
                    client.genericKubernetesResources("lbaas.dev/v1alpha1", "LoadBalancerClass").list().getItems());
        }
        return objects;
    }

    private static void add(Set<String> objects, String kind, List<? extends HasMetadata> items) {
        Function<HasMetadata, String> name = item -> kind + " " + (item.getMetadata().getNamespace() == null ? ""
                : item.getMetadata().getNamespace() + "/") + item.getMetadata().getName();
        items.stream().map(name).forEach(objects::add);
    }
}
