package dev.lbaas.amphora.proxy.tls;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lbaas.amphora.config.ListenerTlsConfig;
import dev.lbaas.amphora.config.TlsCertificateConfig;
import dev.lbaas.amphora.testing.TlsIdentities;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which certificate's context a handshake gets, by the server name it sends. */
class TlsTerminationTest {

    @Test
    void serverNamesMapToTheirCertificatesWildcardsToOneLabelAndTheRestToTheDefault() throws Exception {
        TlsIdentities pki = new TlsIdentities("mapping");
        TlsCertificateConfig fallback = pki.server("default", "default.example.com");
        TlsCertificateConfig www = pki.server("www", "www.example.com", "example.com");
        TlsCertificateConfig api = pki.server("api", "*.api.example.com");
        TlsTermination termination = TlsTermination.build(new ListenerTlsConfig(fallback, List.of(www, api), null,
                null, null, null, null, null, null), "tls");

        var defaultContext = termination.contextFor(null);
        assertThat(termination.contextFor("unknown.example.com")).isSameAs(defaultContext);
        assertThat(termination.contextFor("www.example.com")).isNotSameAs(defaultContext)
                .isSameAs(termination.contextFor("example.com"));
        assertThat(termination.contextFor("orders.api.example.com")).isNotSameAs(defaultContext)
                .isNotSameAs(termination.contextFor("www.example.com"));
        assertThat(termination.contextFor("deep.orders.api.example.com")).isSameAs(defaultContext);
        assertThat(termination.contextFor("api.example.com")).isSameAs(defaultContext);
    }
}
