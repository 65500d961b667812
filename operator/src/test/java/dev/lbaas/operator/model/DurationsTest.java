package dev.lbaas.operator.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class DurationsTest {

    @Test
    void parsesGatewayApiDurations() {
        assertThat(Durations.toMillis("50s", 0)).isEqualTo(50_000);
        assertThat(Durations.toMillis("1h2m3s4ms", 0)).isEqualTo(3_723_004);
        assertThat(Durations.toMillis("500ms", 0)).isEqualTo(500);
        assertThat(Durations.toMillis(null, 7)).isEqualTo(7);
    }

    @Test
    void rejectsOtherText() {
        assertThatThrownBy(() -> Durations.toMillis("5", 0)).hasMessageContaining("is not a duration");
        assertThatThrownBy(() -> Durations.toMillis("5s junk", 0)).hasMessageContaining("is not a duration");
        assertThatThrownBy(() -> Durations.toMillis("", 0)).hasMessageContaining("is not a duration");
    }
}
