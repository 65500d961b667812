package dev.lbaas.amphora.config;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.cert.CRLException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * How a TERMINATED_HTTPS listener terminates TLS: the certificate it presents unless the client
 * names a host one of its SNI certificates is for, the protocol versions, cipher suites and ALPN
 * protocols it offers, whether it asks for client certificates and which CA (and revocation list)
 * they must pass, and the HSTS header of its responses.
 *
 * @param sniCertificates chosen by the server name the client sends (wildcards match one label)
 * @param tlsVersions TLSv1.2 and TLSv1.3 at most; default both
 * @param ciphers an OpenSSL cipher list ({@link TlsCiphers}), or null for the amphora's defaults
 * @param alpnProtocols offered in order; default h2, http/1.1
 * @param clientCa the CA certificates (PEM) a client certificate must chain to; required unless
 *     client authentication is NONE
 * @param clientCrl revoked client certificates (PEM CRLs), or null
 * @param hsts the Strict-Transport-Security header, or null for none
 */
public record ListenerTlsConfig(
        TlsCertificateConfig defaultCertificate,
        List<TlsCertificateConfig> sniCertificates,
        List<String> tlsVersions,
        String ciphers,
        List<String> alpnProtocols,
        ClientAuthentication clientAuthentication,
        String clientCa,
        String clientCrl,
        HstsConfig hsts) {

    /** Octavia's client_authentication. */
    public enum ClientAuthentication {
        NONE, OPTIONAL, MANDATORY
    }

    /** The protocol versions the amphora serves; older ones are not offered at all. */
    public static final List<String> TLS_VERSIONS = List.of("TLSv1.2", "TLSv1.3");

    /** HTTP/2's ALPN name. */
    public static final String HTTP_2 = "h2";

    /** The ALPN protocols the amphora speaks to clients after a handshake. */
    public static final List<String> ALPN_PROTOCOLS = List.of(HTTP_2, "http/1.1", "http/1.0");

    /** What a listener offers unless told otherwise: HTTP/2 to the clients that ask for it, else HTTP/1.1. */
    public static final List<String> DEFAULT_ALPN_PROTOCOLS = List.of(HTTP_2, "http/1.1");

    public ListenerTlsConfig {
        Objects.requireNonNull(defaultCertificate, "tls.defaultCertificate: must be set");
        sniCertificates = List.copyOf(Objects.requireNonNullElse(sniCertificates, List.of()));
        tlsVersions = List.copyOf(Objects.requireNonNullElse(tlsVersions, TLS_VERSIONS));
        alpnProtocols = List.copyOf(Objects.requireNonNullElse(alpnProtocols, DEFAULT_ALPN_PROTOCOLS));
        clientAuthentication = Objects.requireNonNullElse(clientAuthentication, ClientAuthentication.NONE);
        checkProtocols(tlsVersions, ciphers, alpnProtocols, ALPN_PROTOCOLS);
        for (TlsCertificateConfig certificate : sniCertificates) {
            if (certificate.serverNames().isEmpty()) {
                throw new IllegalArgumentException("tls.sniCertificates[" + certificate.id() + "]: the certificate "
                        + "names no host name (DNS subject alternative name or common name) SNI could choose it by");
            }
        }
        if (ciphers != null && tlsVersions.equals(List.of("TLSv1.2"))) {
            checkTls12Handshakes(TlsCiphers.toJava(ciphers, "tls.ciphers"), defaultCertificate, sniCertificates);
        }
        if (clientAuthentication != ClientAuthentication.NONE && clientCa == null) {
            throw new IllegalArgumentException("tls.clientCa: required with client authentication "
                    + clientAuthentication);
        }
        if (clientCa != null) {
            TlsCertificateConfig.parseChain(clientCa, "tls.clientCa");
        }
        if (clientCrl != null) {
            if (clientCa == null) {
                throw new IllegalArgumentException("tls.clientCrl: needs tls.clientCa, whose certificates it revokes");
            }
            checkCrlsCoverCas(parseCrls(clientCrl, "tls.clientCrl"), TlsCertificateConfig.parseChain(clientCa,
                    "tls.clientCa"), "tls.clientCrl");
        }
    }

    /**
     * With TLS 1.2 alone, some suite must suit each certificate's key (ECDSA suites EC keys, RSA
     * suites RSA keys): a listener none of whose handshakes can succeed is refused, not served.
     */
    private static void checkTls12Handshakes(List<String> suites, TlsCertificateConfig defaultCertificate,
            List<TlsCertificateConfig> sniCertificates) {
        List<TlsCertificateConfig> certificates = new ArrayList<>(sniCertificates);
        certificates.add(0, defaultCertificate);
        for (TlsCertificateConfig certificate : certificates) {
            String keyType = certificate.leaf().getPublicKey().getAlgorithm();
            String wanted = keyType.equals("EC") ? "_ECDSA_" : "_RSA_";
            if (suites.stream().noneMatch(suite -> suite.contains(wanted))) {
                throw new IllegalArgumentException("tls.ciphers: with TLSv1.2 alone, no suite suits the " + keyType
                        + " key of certificate " + certificate.id() + " (" + (keyType.equals("EC") ? "ECDHE-ECDSA"
                        : "ECDHE-RSA or DHE-RSA") + " suites do), so no handshake could succeed");
            }
        }
    }

    /**
     * Revocation is checked at every level of a client's chain, from these lists only: each CA
     * needs a list it signed, or no certificate it issued could be checked (every handshake with
     * one would fail).
     */
    static void checkCrlsCoverCas(List<X509CRL> crls, List<X509Certificate> cas, String field) {
        for (X509Certificate ca : cas) {
            boolean covered = crls.stream().anyMatch(crl -> {
                if (!crl.getIssuerX500Principal().equals(ca.getSubjectX500Principal())) {
                    return false;
                }
                try {
                    crl.verify(ca.getPublicKey());
                    return true;
                } catch (java.security.GeneralSecurityException e) {
                    return false;
                }
            });
            if (!covered) {
                throw new IllegalArgumentException(field + ": holds no revocation list signed by the CA "
                        + ca.getSubjectX500Principal().getName() + ", so no client certificate it issued could be "
                        + "checked");
            }
        }
    }

    /** Versions, cipher names and ALPN protocols the amphora serves, for listeners and pools alike. */
    static void checkProtocols(List<String> tlsVersions, String ciphers, List<String> alpnProtocols,
            List<String> servedAlpnProtocols) {
        requireKnown(tlsVersions, TLS_VERSIONS, "tls.tlsVersions");
        requireKnown(alpnProtocols, servedAlpnProtocols, "tls.alpnProtocols");
        if (tlsVersions.isEmpty()) {
            throw new IllegalArgumentException("tls.tlsVersions: must name at least one version");
        }
        if (ciphers != null) {
            TlsCiphers.toJava(ciphers, "tls.ciphers");
        }
    }

    private static void requireKnown(List<String> values, List<String> known, String field) {
        Set<String> seen = new HashSet<>();
        for (String value : values) {
            if (!known.contains(value)) {
                throw new IllegalArgumentException(field + ": \"" + value + "\" is not served; served: "
                        + String.join(", ", known));
            }
            if (!seen.add(value)) {
                throw new IllegalArgumentException(field + ": \"" + value + "\" is there twice");
            }
        }
    }

    /** The client CA's certificates. */
    public List<X509Certificate> clientCaCertificates() {
        return clientCa == null ? List.of() : TlsCertificateConfig.parseChain(clientCa, "tls.clientCa");
    }

    /** The revocation lists, or none. */
    public List<X509CRL> clientCrls() {
        return clientCrl == null ? List.of() : parseCrls(clientCrl, "tls.clientCrl");
    }

    static List<X509CRL> parseCrls(String pem, String field) {
        try {
            List<X509CRL> crls = new ArrayList<>();
            for (var crl : CertificateFactory.getInstance("X.509")
                    .generateCRLs(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)))) {
                crls.add((X509CRL) crl);
            }
            if (crls.isEmpty()) {
                throw new IllegalArgumentException(field + ": holds no PEM certificate revocation list");
            }
            return crls;
        } catch (CRLException | java.security.cert.CertificateException e) {
            throw new IllegalArgumentException(field + ": not a PEM certificate revocation list (" + e.getMessage()
                    + ")");
        }
    }
}
