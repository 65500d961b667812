package dev.lbaas.amphora;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class AmphoraOptionsTest {

    private static final String[] BASE = {"--id", "amphora-1", "--agent-address", "0.0.0.0", "--agent-port", "9443",
        "--tls-cert", "c.pem", "--tls-key", "k.pem", "--tls-ca", "ca.pem"};

    private static String[] with(String... more) {
        String[] args = new String[BASE.length + more.length];
        System.arraycopy(BASE, 0, args, 0, BASE.length);
        System.arraycopy(more, 0, args, BASE.length, more.length);
        return args;
    }

    @Test
    void anAmphoraWithoutAVipEndpointSliceOwnsItsVipThroughItsSockets() {
        assertThat(AmphoraOptions.parse(BASE).vipEndpoint()).isNull();
    }

    @Test
    void aPairAmphoraBehindAServiceKnowsItsSliceItsPodAndItsAddress() {
        AmphoraOptions options = AmphoraOptions.parse(with("--vip-endpoint-slice", "shop/lb-pair-vip",
                "--pod-name", "lb-pair-amphora-1", "--pod-ip", "10.88.0.7"));

        assertThat(options.vipEndpoint()).isEqualTo(new AmphoraOptions.VipEndpoint("shop/lb-pair-vip",
                "lb-pair-amphora-1", "10.88.0.7"));
    }

    @Test
    void aPairAmphoraWhoseServiceFollowsReadinessSaysSo() {
        assertThat(AmphoraOptions.parse(BASE).vipFollowsReadiness()).isFalse();
        assertThat(AmphoraOptions.parse(with("--vip-follows-readiness")).vipFollowsReadiness()).isTrue();
    }

    @Test
    void aSliceNeedsItsNamespaceAndThePodsNameAndAddress() {
        assertThatThrownBy(() -> AmphoraOptions.parse(with("--vip-endpoint-slice", "lb-pair-vip", "--pod-name", "p",
                "--pod-ip", "10.88.0.7"))).hasMessage("--vip-endpoint-slice must be <namespace>/<name>, got lb-pair-vip");
        assertThatThrownBy(() -> AmphoraOptions.parse(with("--vip-endpoint-slice", "shop/", "--pod-name", "p",
                "--pod-ip", "10.88.0.7"))).hasMessageContaining("<namespace>/<name>");
        assertThatThrownBy(() -> AmphoraOptions.parse(with("--vip-endpoint-slice", "a/b/c", "--pod-name", "p",
                "--pod-ip", "10.88.0.7"))).hasMessageContaining("<namespace>/<name>");
        assertThatThrownBy(() -> AmphoraOptions.parse(with("--vip-endpoint-slice", "shop/lb-pair-vip",
                "--pod-ip", "10.88.0.7"))).hasMessageContaining("--pod-name");
        assertThatThrownBy(() -> AmphoraOptions.parse(with("--vip-endpoint-slice", "shop/lb-pair-vip",
                "--pod-name", "p"))).hasMessageContaining("--pod-ip");
    }

    @Test
    void anAmphoraFromTheCommandLineWarmsItsJitUnlessToldNotTo() {
        assertThat(AmphoraOptions.parse(BASE).jitWarmUpSeconds()).isEqualTo(3);
        assertThat(AmphoraOptions.parse(with("--jit-warm-up-seconds", "0")).jitWarmUpSeconds()).isZero();
        assertThat(AmphoraOptions.parse(with("--jit-warm-up-seconds", "10")).jitWarmUpSeconds()).isEqualTo(10);
        assertThatThrownBy(() -> AmphoraOptions.parse(with("--jit-warm-up-seconds", "11")))
                .hasMessage("--jit-warm-up-seconds must be 0-10, got 11");
        assertThatThrownBy(() -> AmphoraOptions.parse(with("--jit-warm-up-seconds", "soon")))
                .hasMessage("--jit-warm-up-seconds must be 0-10, got soon");
        assertThatThrownBy(() -> AmphoraOptions.parse(with("--shutdown-delay-seconds", "601")))
                .hasMessage("--shutdown-delay-seconds must be 0-600, got 601");
    }
}
