package dev.lbaas.amphora.proxy.tls;

import dev.lbaas.amphora.config.TlsCertificateConfig;
import io.netty.channel.Channel;
import io.netty.handler.ssl.SslHandler;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.Certificate;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;
import java.util.Locale;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import javax.net.ssl.SSLPeerUnverifiedException;

/**
 * The certificate a client presented on a TLS connection, as L7 rules and the X-SSL-* headers
 * see it. The handshake verified it: a certificate the listener's CA (and revocation list) does
 * not accept never gets this far, so one that is here verified (result 0).
 */
public record ClientCertificate(X509Certificate certificate) {

    /** HAProxy's date form in X-SSL-Client-Not-Before and -Not-After: YYMMDDhhmmssZ. */
    private static final DateTimeFormatter ASN1_TIME = DateTimeFormatter.ofPattern("yyMMddHHmmss'Z'")
            .withZone(ZoneOffset.UTC);

    /** The certificate of the client connection {@code channel}, or null without TLS or without one. */
    public static ClientCertificate of(Channel channel) {
        SslHandler tls = channel.pipeline().get(SslHandler.class);
        if (tls == null) {
            return null;
        }
        try {
            Certificate[] peer = tls.engine().getSession().getPeerCertificates();
            return peer.length > 0 && peer[0] instanceof X509Certificate x509 ? new ClientCertificate(x509) : null;
        } catch (SSLPeerUnverifiedException e) {
            return null;
        }
    }

    /** The subject's distinguished name in OpenSSL's one-line form (/CN=alice/OU=ops), as HAProxy gives it. */
    public String subject() {
        return oneLine(rfc2253(certificate.getSubjectX500Principal()));
    }

    /** The issuer's distinguished name in OpenSSL's one-line form. */
    public String issuer() {
        return oneLine(rfc2253(certificate.getIssuerX500Principal()));
    }

    /** The attributes RFC 2253 names by OID only, by the short names OpenSSL gives them. */
    private static final java.util.Map<String, String> OPENSSL_NAMES = java.util.Map.of(
            "1.2.840.113549.1.9.1", "emailAddress", "2.5.4.5", "serialNumber", "2.5.4.4", "SN", "2.5.4.42", "GN",
            "2.5.4.12", "title", "2.5.4.46", "dnQualifier", "2.5.4.65", "pseudonym", "2.5.4.13", "description");

    /** A name as RFC 2253 writes it, with OpenSSL's short names for attributes it only has OIDs for. */
    private static String rfc2253(javax.security.auth.x500.X500Principal principal) {
        return principal.getName(javax.security.auth.x500.X500Principal.RFC2253, OPENSSL_NAMES);
    }

    /** An RFC 2253 name (most specific first) as OpenSSL's one-line form (in the certificate's order). */
    private static String oneLine(String rfc2253) {
        try {
            StringBuilder line = new StringBuilder();
            // LdapName lists the RDNs in the certificate's order, the reverse of how RFC 2253 writes them
            for (Rdn rdn : new LdapName(rfc2253).getRdns()) {
                line.append('/').append(rdn.getType()).append('=').append(rdn.getValue());
            }
            return line.toString();
        } catch (InvalidNameException e) {
            return rfc2253;
        }
    }

    public String commonName() {
        return TlsCertificateConfig.commonName(certificate);
    }

    /**
     * One field of the subject (CN, O, OU, emailAddress, ...), the first of that name in the
     * certificate's order (HAProxy's ssl_c_s_dn(field)), or null.
     */
    public String subjectField(String field) {
        try {
            // LdapName lists the RDNs in the certificate's order, the reverse of how RFC 2253 writes them
            for (Rdn rdn : new LdapName(rfc2253(certificate.getSubjectX500Principal())).getRdns()) {
                if (rdn.getType().equalsIgnoreCase(field)) {
                    return rdn.getValue().toString();
                }
            }
        } catch (InvalidNameException e) {
            // an unreadable subject has no fields to offer
        }
        return null;
    }

    /** The certificate's SHA-1 fingerprint in upper-case hex, as HAProxy's ssl_c_sha1 prints it. */
    public String sha1() {
        try {
            return HexFormat.of().withUpperCase().formatHex(MessageDigest.getInstance("SHA-1")
                    .digest(certificate.getEncoded()));
        } catch (NoSuchAlgorithmException | CertificateEncodingException e) {
            throw new IllegalStateException(e);
        }
    }

    public String notBefore() {
        return ASN1_TIME.format(certificate.getNotBefore().toInstant()).toUpperCase(Locale.ROOT);
    }

    public String notAfter() {
        return ASN1_TIME.format(certificate.getNotAfter().toInstant()).toUpperCase(Locale.ROOT);
    }
}
