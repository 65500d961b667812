package dev.lbaas.operator.reconciler;

import dev.lbaas.operator.status.StatusComputer.StatusEvent;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.UUID;
import org.jboss.logging.Logger;

/** Records Kubernetes Events (core/v1) for transitions a person cares about. */
final class KubernetesEvents {

    private static final Logger LOG = Logger.getLogger(KubernetesEvents.class);
    private static final String COMPONENT = "lbaas-operator";

    private final KubernetesClient client;

    KubernetesEvents(KubernetesClient client) {
        this.client = client;
    }

    void record(StatusEvent event) {
        HasMetadata object = event.object();
        String now = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
        var kubernetesEvent = new EventBuilder()
                .withNewMetadata()
                    .withName(object.getMetadata().getName() + "." + UUID.randomUUID().toString().substring(0, 8))
                    .withNamespace(object.getMetadata().getNamespace())
                .endMetadata()
                .withNewInvolvedObject()
                    .withApiVersion(object.getApiVersion())
                    .withKind(object.getKind())
                    .withName(object.getMetadata().getName())
                    .withNamespace(object.getMetadata().getNamespace())
                    .withUid(object.getMetadata().getUid())
                .endInvolvedObject()
                .withType(event.warning() ? "Warning" : "Normal")
                .withReason(event.reason())
                .withMessage(event.message())
                .withFirstTimestamp(now)
                .withLastTimestamp(now)
                .withCount(1)
                .withNewSource().withComponent(COMPONENT).endSource()
                .withReportingComponent(COMPONENT)
                .build();
        try {
            client.v1().events().inNamespace(object.getMetadata().getNamespace()).resource(kubernetesEvent).create();
        } catch (KubernetesClientException e) {
            // An event is a courtesy: failing to record one must not fail the reconcile.
            LOG.warnf("could not record event %s on %s/%s: %s", event.reason(), object.getKind(),
                    object.getMetadata().getName(), e.getMessage());
        }
    }
}
