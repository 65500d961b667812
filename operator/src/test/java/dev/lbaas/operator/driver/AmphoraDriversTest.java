package dev.lbaas.operator.driver;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class AmphoraDriversTest {

    @Test
    void insideAPodAmphoraeArePodsAndElsewhereLocalProcesses() {
        assertThat(AmphoraDrivers.defaultDriver(Map.of("KUBERNETES_SERVICE_HOST", "10.96.0.1"))).isEqualTo("kubernetes");
        assertThat(AmphoraDrivers.defaultDriver(Map.of("HOME", "/root"))).isEqualTo("local");
    }
}
