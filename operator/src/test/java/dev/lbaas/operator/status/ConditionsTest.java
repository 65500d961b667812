package dev.lbaas.operator.status;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Condition;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class ConditionsTest {

    private static final Instant NOW = Instant.parse("2026-12-01T10:00:00.750Z");

    @Test
    void aConditionKeepsItsTransitionTimeOnlyWhileItsOwnStatusStays() {
        List<Condition> before = List.of(
                Conditions.condition(List.of(), "Ready", true, "Ready", "", 1L, Instant.parse("2026-11-01T00:00:00Z")),
                Conditions.condition(List.of(), "Programmed", false, "Pending", "wait", 1L,
                        Instant.parse("2026-10-01T00:00:00Z")));

        assertThat(Conditions.condition(before, "Ready", true, "Ready", "", 2L, NOW).getLastTransitionTime())
                .isEqualTo("2026-11-01T00:00:00Z");
        assertThat(Conditions.condition(before, "Ready", false, "Pending", "wait", 2L, NOW).getLastTransitionTime())
                .as("a new status is a transition, even if another condition had that status").isEqualTo("2026-12-01T10:00:00Z");
        assertThat(Conditions.condition(before, "Accepted", false, "Pending", null, 2L, NOW))
                .satisfies(c -> {
                    assertThat(c.getLastTransitionTime()).isEqualTo("2026-12-01T10:00:00Z");
                    assertThat(c.getMessage()).isEmpty();
                    assertThat(c.getStatus()).isEqualTo("False");
                    assertThat(c.getObservedGeneration()).isEqualTo(2L);
                });
        assertThat(Conditions.condition(null, "Ready", true, "Ready", "", 1L, NOW).getLastTransitionTime())
                .isEqualTo("2026-12-01T10:00:00Z");
    }
}
