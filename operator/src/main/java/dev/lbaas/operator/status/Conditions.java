package dev.lbaas.operator.status;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Objects;

/** Builds metav1.Conditions that keep their lastTransitionTime while their status stays the same. */
public final class Conditions {

    public static final String ACCEPTED = "Accepted";
    public static final String RESOLVED_REFS = "ResolvedRefs";
    public static final String PROGRAMMED = "Programmed";
    public static final String READY = "Ready";

    private Conditions() {
    }

    public static Condition condition(List<Condition> previous, String type, boolean status, String reason,
            String message, Long observedGeneration, Instant now) {
        String statusText = status ? "True" : "False";
        String transitionTime = previous == null ? null : previous.stream()
                .filter(c -> type.equals(c.getType()) && statusText.equals(c.getStatus()))
                .map(Condition::getLastTransitionTime)
                .filter(Objects::nonNull)
                .findFirst().orElse(null);
        if (transitionTime == null) {
            transitionTime = now.truncatedTo(ChronoUnit.SECONDS).toString();
        }
        return new ConditionBuilder()
                .withType(type)
                .withStatus(statusText)
                .withReason(reason)
                .withMessage(message == null ? "" : message)
                .withObservedGeneration(observedGeneration)
                .withLastTransitionTime(transitionTime)
                .build();
    }
}
