package dev.lbaas.operator.model;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lbaas.api.v1alpha1.HealthMonitorSpec;
import dev.lbaas.api.v1alpha1.InsertHeader;
import java.util.List;
import org.junit.jupiter.api.Test;

class ApiSpellingTest {

    @Test
    void valuesAreSpeltAsTheApiSpellsThemAndListedInWords() {
        assertThat(ApiSpelling.of(HealthMonitorSpec.Type.UDP_CONNECT)).isEqualTo("UDP-CONNECT");
        assertThat(ApiSpelling.of(InsertHeader.X_REAL_IP)).isEqualTo("X-Real-IP");
        assertThat(ApiSpelling.of(HealthMonitorSpec.Type.TCP)).isEqualTo("TCP");
        assertThat(ApiSpelling.of(List.<HealthMonitorSpec.Type>of())).isEmpty();
        assertThat(ApiSpelling.of(List.of(HealthMonitorSpec.Type.TLS_HELLO))).isEqualTo("TLS-HELLO");
        assertThat(ApiSpelling.of(List.of(HealthMonitorSpec.Type.TCP, HealthMonitorSpec.Type.PING)))
                .isEqualTo("TCP and PING");
        assertThat(ApiSpelling.of(List.of(HealthMonitorSpec.Type.TCP, HealthMonitorSpec.Type.PING,
                HealthMonitorSpec.Type.UDP_CONNECT))).isEqualTo("TCP, PING and UDP-CONNECT");
    }

    @Test
    void aVerdictSaysWhatIsServed() {
        assertThat(Verdict.OK.served()).isTrue();
        assertThat(Verdict.rejected("R", "m").served()).isFalse();
        assertThat(Verdict.blockedBy("R", "m").served()).isFalse();
        assertThat(Verdict.rejectedKeepingPrevious("R", "m").served()).isTrue();
        assertThat(Verdict.unresolved("R", "m").isError()).isFalse();
        assertThat(Verdict.misreferenced("R", "m").isError()).isTrue();
    }
}
