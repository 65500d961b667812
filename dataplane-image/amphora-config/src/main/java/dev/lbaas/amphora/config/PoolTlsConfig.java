package dev.lbaas.amphora.config;

import java.util.List;
import java.util.Objects;

/**
 * TLS from the amphora to a pool's members (Octavia's backend re-encryption: tls_enabled and the
 * pool's TLS fields). Without a CA the members' certificates are not verified, as Octavia's
 * amphora does; with one they must chain to it, and with a server name also be for that name.
 *
 * @param serverName sent in SNI and, with a CA, the name the member's certificate must be for;
 *     null sends none and checks the chain only
 * @param ca the CA certificates (PEM) members' certificates must chain to, or null for no check
 * @param crl revoked member certificates (PEM CRLs), or null; needs a CA, each of whose
 *     certificates it must cover
 * @param clientCertificate the certificate the amphora presents to members that ask, or null
 * @param tlsVersions default TLSv1.2 and TLSv1.3
 * @param ciphers an OpenSSL cipher list ({@link TlsCiphers}), or null for the defaults
 * @param alpnProtocols offered to members in order; default http/1.1
 */
public record PoolTlsConfig(
        String serverName,
        String ca,
        String crl,
        TlsCertificateConfig clientCertificate,
        List<String> tlsVersions,
        String ciphers,
        List<String> alpnProtocols) {

    /** The CA's certificates, or none. */
    public java.util.List<java.security.cert.X509Certificate> caCertificates() {
        return ca == null ? List.of() : TlsCertificateConfig.parseChain(ca, "tls.ca");
    }

    /** The revocation lists, or none. */
    public java.util.List<java.security.cert.X509CRL> crls() {
        return crl == null ? List.of() : ListenerTlsConfig.parseCrls(crl, "tls.crl");
    }

    /** The ALPN protocols the amphora speaks to members: member connections are HTTP/1.1. */
    public static final List<String> ALPN_PROTOCOLS = List.of("http/1.1", "http/1.0");

    public PoolTlsConfig {
        tlsVersions = List.copyOf(Objects.requireNonNullElse(tlsVersions, ListenerTlsConfig.TLS_VERSIONS));
        alpnProtocols = List.copyOf(Objects.requireNonNullElse(alpnProtocols, List.of("http/1.1")));
        ListenerTlsConfig.checkProtocols(tlsVersions, ciphers, alpnProtocols, ALPN_PROTOCOLS);
        if (ca != null) {
            TlsCertificateConfig.parseChain(ca, "tls.ca");
        }
        if (crl != null) {
            if (ca == null) {
                throw new IllegalArgumentException("tls.crl: needs tls.ca, whose certificates it revokes");
            }
            ListenerTlsConfig.checkCrlsCoverCas(ListenerTlsConfig.parseCrls(crl, "tls.crl"),
                    TlsCertificateConfig.parseChain(ca, "tls.ca"), "tls.crl");
        }
    }
}
