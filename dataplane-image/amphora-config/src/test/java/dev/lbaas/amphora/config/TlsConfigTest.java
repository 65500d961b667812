package dev.lbaas.amphora.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lbaas.amphora.config.ListenerTlsConfig.ClientAuthentication;
import java.io.StringWriter;
import java.math.BigInteger;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The TLS records: a certificate and key the amphora can load and that belong together, and a
 * listener's TLS settings, each refusal naming the field and the value; keys never in a string.
 */
class TlsConfigTest {

    private static String rsaCertificate;
    private static String rsaKey;
    private static String ecCertificate;
    private static String ecKey;

    @BeforeAll
    static void issue() throws Exception {
        KeyPair rsa = keys("RSA", 2048);
        rsaCertificate = pem(selfSigned(rsa, "SHA256withRSA", "CN=www.example.com", "www.example.com",
                "*.shop.example.com"));
        rsaKey = pkcs8(rsa);
        KeyPair ec = keys("EC", 256);
        ecCertificate = pem(selfSigned(ec, "SHA256withECDSA", "CN=no-san.example.com"));
        ecKey = pkcs8(ec);
    }

    private static KeyPair keys(String algorithm, int size) throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance(algorithm);
        generator.initialize(size);
        return generator.generateKeyPair();
    }

    private static X509Certificate selfSigned(KeyPair keys, String signature, String subject, String... names)
            throws Exception {
        Instant now = Instant.now();
        var builder = new JcaX509v3CertificateBuilder(new X500Name(subject), BigInteger.TEN,
                Date.from(now.minus(Duration.ofMinutes(5))), Date.from(now.plus(Duration.ofDays(1))),
                new X500Name(subject), keys.getPublic());
        if (names.length > 0) {
            GeneralName[] alternatives = new GeneralName[names.length];
            for (int i = 0; i < names.length; i++) {
                alternatives[i] = new GeneralName(GeneralName.dNSName, names[i]);
            }
            builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(alternatives));
        }
        return new JcaX509CertificateConverter().getCertificate(builder.build(
                new JcaContentSignerBuilder(signature).build(keys.getPrivate())));
    }

    private static String pem(X509Certificate certificate) throws Exception {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
            writer.writeObject(certificate);
        }
        return out.toString();
    }

    private static String pkcs8(KeyPair keys) {
        return "-----BEGIN PRIVATE KEY-----\n" + Base64.getMimeEncoder().encodeToString(keys.getPrivate().getEncoded())
                + "\n-----END PRIVATE KEY-----\n";
    }

    @Test
    void aCertificateNamesTheHostsItServesAndNeverShowsItsKey() throws Exception {
        TlsCertificateConfig rsa = new TlsCertificateConfig("www", rsaCertificate, rsaKey);
        assertThat(rsa.serverNames()).containsExactly("www.example.com", "*.shop.example.com");
        assertThat(new TlsCertificateConfig("ec", ecCertificate, ecKey).serverNames())
                .as("without alternative names, the common name").containsExactly("no-san.example.com");
        assertThat(rsa.toString()).doesNotContain("PRIVATE KEY").contains("(hidden)");
        ListenerTlsConfig tls = new ListenerTlsConfig(rsa, List.of(), null, null, null, null, null, null,
                new HstsConfig(600, false, true));
        ListenerConfig listener = new ListenerConfig("l", null, ListenerProtocol.TERMINATED_HTTPS, 443, -1, true,
                null, null, null, null, null, tls);
        assertThat(listener.toString()).doesNotContain("PRIVATE KEY");
        String json = AgentApi.json().writeValueAsString(listener);
        assertThat(AgentApi.json().readValue(json, ListenerConfig.class)).isEqualTo(listener);
        assertThat(tls.tlsVersions()).containsExactly("TLSv1.2", "TLSv1.3");
        assertThat(tls.alpnProtocols()).containsExactly("h2", "http/1.1");
        assertThat(tls.hsts().headerValue()).isEqualTo("max-age=600; preload");
    }

    @Test
    void aKeyThatIsNotTheCertificatesOrCannotBeReadIsRefused() {
        assertThatThrownBy(() -> new TlsCertificateConfig("s", rsaCertificate, ecKey))
                .hasMessage("certificate[s]: the private key is not the key of the certificate for "
                        + "CN=www.example.com");
        assertThatThrownBy(() -> new TlsCertificateConfig("s", rsaCertificate, rsaKey.replace("PRIVATE KEY",
                "RSA PRIVATE KEY")))
                .hasMessage("certificate[s].privateKey: not a PKCS#8 PEM private key (BEGIN PRIVATE KEY)");
        assertThatThrownBy(() -> new TlsCertificateConfig("s", "no certificate here", rsaKey))
                .hasMessageStartingWith("certificate[s].certificateChain: ");
        assertThatThrownBy(() -> new TlsCertificateConfig("s", rsaCertificate,
                "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"))
                .hasMessage("certificate[s].privateKey: neither an RSA nor an EC private key");
    }

    @Test
    void aListenersSettingsAreRefusedByFieldAndValue() {
        TlsCertificateConfig certificate = new TlsCertificateConfig("c", rsaCertificate, rsaKey);
        assertThatThrownBy(() -> new ListenerTlsConfig(certificate, null, List.of("TLSv1.1"), null, null, null, null,
                null, null)).hasMessage("tls.tlsVersions: \"TLSv1.1\" is not served; served: TLSv1.2, TLSv1.3");
        assertThatThrownBy(() -> new ListenerTlsConfig(certificate, null, List.of(), null, null, null, null, null,
                null)).hasMessage("tls.tlsVersions: must name at least one version");
        assertThatThrownBy(() -> new ListenerTlsConfig(certificate, null, null, null, List.of("h3"), null, null, null,
                null)).hasMessage("tls.alpnProtocols: \"h3\" is not served; served: h2, http/1.1, http/1.0");
        assertThatThrownBy(() -> new PoolTlsConfig(null, null, null, null, null, null, List.of("h2")))
                .as("member connections are HTTP/1.1")
                .hasMessage("tls.alpnProtocols: \"h2\" is not served; served: http/1.1, http/1.0");
        assertThatThrownBy(() -> new ListenerTlsConfig(certificate, null, null, "ECDHE-RSA-AES128-GCM-SHA256:RC4-MD5",
                null, null, null, null, null)).hasMessage("tls.ciphers: \"RC4-MD5\" is not a cipher suite the "
                        + "amphora serves; use OpenSSL names such as ECDHE-RSA-AES128-GCM-SHA256 or "
                        + "TLS_AES_128_GCM_SHA256");
        assertThatThrownBy(() -> new ListenerTlsConfig(certificate, null, null, null, null,
                ClientAuthentication.MANDATORY, null, null, null))
                .hasMessage("tls.clientCa: required with client authentication MANDATORY");
        assertThatThrownBy(() -> new ListenerTlsConfig(certificate, null, null, null, null, null, null,
                "-----BEGIN X509 CRL-----\n-----END X509 CRL-----\n", null))
                .hasMessage("tls.clientCrl: needs tls.clientCa, whose certificates it revokes");
        assertThat(TlsCiphers.toJava("ECDHE-RSA-AES128-GCM-SHA256:TLS_AES_128_GCM_SHA256", "f"))
                .containsExactly("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "TLS_AES_128_GCM_SHA256");
    }

    @Test
    void onlyTerminatedHttpsListenersTerminateTls() {
        TlsCertificateConfig certificate = new TlsCertificateConfig("c", rsaCertificate, rsaKey);
        ListenerTlsConfig tls = new ListenerTlsConfig(certificate, null, null, null, null, null, null, null, null);
        assertThatThrownBy(() -> new ListenerConfig("l", null, ListenerProtocol.HTTP, 80, -1, true, null, null, null,
                null, null, tls)).hasMessage("listener[l].tls: only a TERMINATED_HTTPS listener terminates TLS, not "
                        + "HTTP");
        assertThatThrownBy(() -> new ListenerConfig("l", null, ListenerProtocol.TERMINATED_HTTPS, 443, -1, true, null,
                null, null, null)).hasMessage("listener[l].tls: a TERMINATED_HTTPS listener needs its certificate");
    }

    @Test
    void whatNoHandshakeCouldSucceedWithIsRefused() throws Exception {
        TlsCertificateConfig rsa = new TlsCertificateConfig("rsa", rsaCertificate, rsaKey);
        TlsCertificateConfig ec = new TlsCertificateConfig("ec", ecCertificate, ecKey);
        assertThatThrownBy(() -> new ListenerTlsConfig(rsa, null, List.of("TLSv1.2"), "ECDHE-ECDSA-AES128-GCM-SHA256",
                null, null, null, null, null)).hasMessage("tls.ciphers: with TLSv1.2 alone, no suite suits the RSA key "
                        + "of certificate rsa (ECDHE-RSA or DHE-RSA suites do), so no handshake could succeed");
        assertThatThrownBy(() -> new ListenerTlsConfig(rsa, List.of(ec), List.of("TLSv1.2"),
                "ECDHE-RSA-AES128-GCM-SHA256", null, null, null, null, null)).hasMessage("tls.ciphers: with TLSv1.2 "
                        + "alone, no suite suits the EC key of certificate ec (ECDHE-ECDSA suites do), so no handshake "
                        + "could succeed");
        assertThat(new ListenerTlsConfig(rsa, null, List.of("TLSv1.2", "TLSv1.3"), "ECDHE-ECDSA-AES128-GCM-SHA256",
                null, null, null, null, null).ciphers()).as("TLS 1.3 handshakes still succeed").isNotNull();
        // an SNI certificate no name could choose
        KeyPair keys = keys("EC", 256);
        String unnamed = pem(selfSigned(keys, "SHA256withECDSA", "CN=*"));
        TlsCertificateConfig wildcardOnly = new TlsCertificateConfig("star", unnamed, pkcs8(keys));
        assertThat(wildcardOnly.serverNames()).isEmpty();
        assertThatThrownBy(() -> new ListenerTlsConfig(rsa, List.of(wildcardOnly), null, null, null, null, null, null,
                null)).hasMessage("tls.sniCertificates[star]: the certificate names no host name (DNS subject "
                        + "alternative name or common name) SNI could choose it by");
    }

    @Test
    void aChainMustGoFromTheServerToItsIssuersOnce() throws Exception {
        assertThatThrownBy(() -> new TlsCertificateConfig("twice", rsaCertificate + rsaCertificate, rsaKey))
                .hasMessage("certificate[twice].certificateChain: the certificate for CN=www.example.com is there "
                        + "twice");
        assertThatThrownBy(() -> new TlsCertificateConfig("order", rsaCertificate + ecCertificate, rsaKey))
                .hasMessage("certificate[order].certificateChain: certificate 2 (CN=no-san.example.com) did not issue "
                        + "certificate 1 (issued by CN=www.example.com): the chain must go from the server's "
                        + "certificate to its issuers, in order");
    }

    @Test
    void aRevocationListMustBeSignedByEachClientCa() throws Exception {
        TlsCertificateConfig certificate = new TlsCertificateConfig("c", rsaCertificate, rsaKey);
        KeyPair other = keys("EC", 256);
        var builder = new org.bouncycastle.cert.X509v2CRLBuilder(new X500Name("CN=www.example.com"),
                Date.from(Instant.now().minusSeconds(60)));
        var crl = new org.bouncycastle.cert.jcajce.JcaX509CRLConverter().getCRL(builder.build(
                new JcaContentSignerBuilder("SHA256withECDSA").build(other.getPrivate())));
        StringWriter out = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
            writer.writeObject(crl);
        }
        assertThatThrownBy(() -> new ListenerTlsConfig(certificate, null, null, null, null,
                ClientAuthentication.MANDATORY, rsaCertificate, out.toString(), null))
                .as("named for the CA, signed by another key").hasMessage("tls.clientCrl: holds no revocation list "
                        + "signed by the CA CN=www.example.com, so no client certificate it issued could be checked");
    }
}
