package dev.lbaas.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lbaas.api.v1alpha1.LbaasStatus;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.client.KubernetesClient;

/** Reading the statuses the operator writes, and closing what a scenario started, for the end-to-end tests. */
final class Statuses {

    private Statuses() {
    }

    /** The status of an lbaas.dev object, which must exist and have one. */
    static LbaasStatus status(KubernetesClient client, String namespace, Class<? extends CustomResource<?, ?>> kind,
            String name) {
        CustomResource<?, ?> item = client.resources(kind).inNamespace(namespace).withName(name).get();
        assertThat(item).as(kind.getSimpleName() + " " + name).isNotNull();
        assertThat(item.getStatus()).as("status of " + kind.getSimpleName() + " " + name).isNotNull();
        return (LbaasStatus) item.getStatus();
    }

    /** The condition of that type, which must be there. */
    static Condition condition(LbaasStatus status, String type) {
        return status.getConditions().stream().filter(c -> type.equals(c.getType())).findFirst().orElseThrow();
    }

    /** Closes each, whatever the others do: closing the rest matters more than one failure. */
    static void closeAll(AutoCloseable... closeables) {
        for (AutoCloseable closeable : closeables) {
            try {
                if (closeable != null) {
                    closeable.close();
                }
            } catch (Exception e) {
                // the next one is closed all the same
            }
        }
    }
}
