package dev.lbaas.amphora.proxy.tls;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lbaas.amphora.config.ListenerTlsConfig;
import dev.lbaas.amphora.config.TlsCertificateConfig;
import dev.lbaas.amphora.testing.TlsIdentities;
import java.util.List;
import io.netty.handler.ssl.SslProvider;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Which certificate's context a handshake gets, by the server name it sends. */
class TlsTerminationTest {

    /** BoringSSL where it loads, the JDK's TLS elsewhere: both take every setting. */
    @ParameterizedTest
    @EnumSource(value = SslProvider.class, names = {"OPENSSL", "JDK"})
    void serverNamesMapToTheirCertificatesWildcardsToOneLabelAndTheRestToTheDefault(SslProvider provider)
            throws Exception {
        TlsIdentities pki = new TlsIdentities("mapping");
        TlsCertificateConfig fallback = pki.server("default", "default.example.com");
        TlsCertificateConfig www = pki.server("www", "www.example.com", "example.com");
        TlsCertificateConfig api = pki.server("api", "*.api.example.com");
        TlsTermination termination = TlsTermination.build(new ListenerTlsConfig(fallback, List.of(www, api),
                List.of("TLSv1.2", "TLSv1.3"), "ECDHE-ECDSA-AES128-GCM-SHA256:TLS_AES_128_GCM_SHA256",
                List.of("http/1.1", "http/1.0"), ListenerTlsConfig.ClientAuthentication.OPTIONAL, pki.caPem(),
                pki.crlRevoking(), null), "tls", provider);

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
