package dev.lbaas.operator.reconciler;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.Objects;
import org.jboss.logging.Logger;

/**
 * Writes an object's status subresource when, and only when, it differs from what the object has:
 * conditions keep their lastTransitionTime, so an unchanged state writes nothing (no churn).
 */
final class StatusWriter {

    private static final Logger LOG = Logger.getLogger(StatusWriter.class);

    private StatusWriter() {
    }

    static <S> void write(KubernetesClient client, CustomResource<?, S> object, S status) {
        if (status == null || Objects.equals(object.getStatus(), status)) {
            return;
        }
        try {
            @SuppressWarnings("unchecked")
            CustomResource<?, S> patch = object.getClass().getDeclaredConstructor().newInstance();
            // Name and namespace only: a merge patch without resourceVersion does not conflict with
            // spec edits made meanwhile; the status is ours alone.
            patch.setMetadata(new ObjectMetaBuilder()
                    .withName(object.getMetadata().getName())
                    .withNamespace(object.getMetadata().getNamespace())
                    .build());
            patch.setStatus(status);
            client.resource(patch).patchStatus();
        } catch (KubernetesClientException e) {
            if (e.getCode() != 404) {
                throw e;
            }
            LOG.debugf("%s %s is gone; status not written", object.getKind(), object.getMetadata().getName());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }
}
