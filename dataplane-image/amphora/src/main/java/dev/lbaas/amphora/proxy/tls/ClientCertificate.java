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
        return oneLine(certificate.getSubjectX500Principal().getName());
    }

    /** The issuer's distinguished name in OpenSSL's one-line form. */
    public String issuer() {
        return oneLine(certificate.getIssuerX500Principal().getName());
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

    /** One field of the subject (CN, O, OU, ...), the first of that name, or null. */
    public String subjectField(String field) {
        try {
            // LdapName lists the RDNs from the right of the written name
            java.util.List<Rdn> rdns = new LdapName(certificate.getSubjectX500Principal().getName()).getRdns();
            for (int i = rdns.size() - 1; i >= 0; i--) {
                if (rdns.get(i).getType().equalsIgnoreCase(field)) {
                    return rdns.get(i).getValue().toString();
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
