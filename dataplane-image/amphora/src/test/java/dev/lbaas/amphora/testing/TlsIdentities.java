package dev.lbaas.amphora.testing;

import dev.lbaas.amphora.config.TlsCertificateConfig;
import java.io.IOException;
import java.io.StringWriter;
import java.math.BigInteger;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.concurrent.atomic.AtomicLong;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsExchange;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;
import java.net.InetSocketAddress;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.CRLReason;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v2CRLBuilder;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CRLConverter;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A certificate authority for TLS termination tests: server certificates for host names (as
 * TERMINATED_HTTPS listeners present them), client certificates, revocation lists, and clients
 * that trust it.
 */
public final class TlsIdentities {

    private static final AtomicLong SERIAL = new AtomicLong(System.currentTimeMillis());

    /** A key and its certificate. */
    public record Identity(KeyPair keys, X509Certificate certificate) {
    }

    private final String name;
    private final Identity ca;

    public TlsIdentities(String name) throws Exception {
        this.name = name;
        this.ca = issue("CN=" + name + " CA", null, true, Duration.ofDays(1));
    }

    /** A server certificate for {@code hostNames} (wildcards allowed), as a listener takes it. */
    public TlsCertificateConfig server(String id, String... hostNames) throws Exception {
        Identity server = issue("CN=" + hostNames[0], ca, false, Duration.ofDays(1), hostNames);
        return new TlsCertificateConfig(id, pem(server.certificate()) + pem(ca.certificate()), pkcs8(server));
    }

    /** A server identity for {@code hostNames}, for a member that terminates TLS itself. */
    public Identity serverIdentity(String... hostNames) throws Exception {
        return issue("CN=" + hostNames[0], ca, false, Duration.ofDays(1), hostNames);
    }

    /**
     * An HTTPS member answering "tls-member", then the client certificate's subject ("no client
     * certificate" without one) and the server names the client sent, a line each; with {@code
     * clients}, a client certificate from that CA is required.
     */
    public HttpsServer member(Identity server, TlsIdentities clients) throws Exception {
        KeyStore keys = KeyStore.getInstance("PKCS12");
        keys.load(null, null);
        keys.setKeyEntry("server", server.keys().getPrivate(), new char[0],
                new X509Certificate[] {server.certificate(), ca.certificate()});
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(keys, new char[0]);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(kmf.getKeyManagers(), clients == null ? null : clients.clientContextTrust(), null);
        HttpsServer https = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 50);
        https.setHttpsConfigurator(new HttpsConfigurator(context) {
            @Override
            public void configure(HttpsParameters params) {
                SSLParameters parameters = context.getDefaultSSLParameters();
                parameters.setNeedClientAuth(clients != null);
                params.setSSLParameters(parameters);
            }
        });
        https.createContext("/", exchange -> {
            StringBuilder body = new StringBuilder("tls-member\n");
            var session = ((HttpsExchange) exchange).getSSLSession();
            try {
                body.append(((X509Certificate) session.getPeerCertificates()[0]).getSubjectX500Principal().getName());
            } catch (javax.net.ssl.SSLPeerUnverifiedException e) {
                body.append("no client certificate");
            }
            body.append('\n');
            if (session instanceof javax.net.ssl.ExtendedSSLSession extended) {
                extended.getRequestedServerNames().forEach(name -> body.append(
                        new String(name.getEncoded(), java.nio.charset.StandardCharsets.US_ASCII)));
            }
            byte[] bytes = body.toString().getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            exchange.getRequestBody().readAllBytes();
            exchange.sendResponseHeaders(200, bytes.length);
            exchange.getResponseBody().write(bytes);
            exchange.close();
        });
        https.start();
        return https;
    }

    private javax.net.ssl.TrustManager[] clientContextTrust() throws Exception {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("ca", ca.certificate());
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        return tmf.getTrustManagers();
    }

    /** A client certificate and key as a pool presents them to its members. */
    public TlsCertificateConfig clientCertificate(String id, Identity identity) throws Exception {
        return new TlsCertificateConfig(id, pem(identity.certificate()) + pem(ca.certificate()), pkcs8(identity));
    }

    /** A client certificate with {@code subject} (an X.500 name such as "CN=alice,OU=ops"). */
    public Identity client(String subject) throws Exception {
        return issue(subject, ca, false, Duration.ofDays(1));
    }

    /** The CA certificate in PEM, as a listener's client CA. */
    public String caPem() throws IOException {
        return pem(ca.certificate());
    }

    /** A revocation list of this CA that revokes {@code revoked}, in PEM. */
    public String crlRevoking(X509Certificate... revoked) throws Exception {
        Instant now = Instant.now();
        X509v2CRLBuilder builder = new X509v2CRLBuilder(new X500Name(ca.certificate().getSubjectX500Principal()
                .getName()), Date.from(now.minus(Duration.ofMinutes(5))));
        builder.setNextUpdate(Date.from(now.plus(Duration.ofDays(1))));
        for (X509Certificate certificate : revoked) {
            builder.addCRLEntry(certificate.getSerialNumber(), Date.from(now.minus(Duration.ofMinutes(1))),
                    CRLReason.keyCompromise);
        }
        X509CRL crl = new JcaX509CRLConverter().getCRL(builder.build(
                new JcaContentSignerBuilder("SHA256withECDSA").build(ca.keys().getPrivate())));
        StringWriter out = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
            writer.writeObject(crl);
        }
        return out.toString();
    }

    /** A client that trusts this CA, presenting {@code identity} (or no certificate when null). */
    public SSLContext clientContext(Identity identity) throws Exception {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("ca", ca.certificate());
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        KeyManagerFactory kmf = null;
        if (identity != null) {
            KeyStore keys = KeyStore.getInstance("PKCS12");
            keys.load(null, null);
            keys.setKeyEntry("client", identity.keys().getPrivate(), new char[0],
                    new X509Certificate[] {identity.certificate(), ca.certificate()});
            kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(keys, new char[0]);
        }
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(kmf == null ? null : kmf.getKeyManagers(), tmf.getTrustManagers(), null);
        return context;
    }

    private static Identity issue(String subject, Identity issuer, boolean isCa, Duration validity,
            String... dnsNames) throws Exception {
        GeneralName[] names = new GeneralName[dnsNames.length];
        for (int i = 0; i < dnsNames.length; i++) {
            names[i] = new GeneralName(GeneralName.dNSName, dnsNames[i]);
        }
        return issueWith(subject, issuer, isCa, validity, names);
    }

    /**
     * An EC P-256 certificate for {@code subject}, signed by {@code issuer} (self-signed when null),
     * valid from five minutes ago for {@code validity}, with these subject alternative names.
     */
    static Identity issueWith(String subject, Identity issuer, boolean isCa, Duration validity, GeneralName... names)
            throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(256);
        KeyPair keys = generator.generateKeyPair();
        Instant now = Instant.now();
        X500Name subjectName = new X500Name(subject);
        X500Name issuerName = issuer == null ? subjectName
                : new X500Name(issuer.certificate().getSubjectX500Principal().getName());
        X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(issuerName,
                BigInteger.valueOf(SERIAL.incrementAndGet()), Date.from(now.minus(Duration.ofMinutes(5))),
                Date.from(now.plus(validity)), subjectName, keys.getPublic());
        builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(isCa));
        if (isCa) {
            builder.addExtension(Extension.keyUsage, true,
                    new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign | KeyUsage.digitalSignature));
        }
        if (names.length > 0) {
            builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names));
        }
        KeyPair signing = issuer == null ? keys : issuer.keys();
        X509Certificate certificate = new JcaX509CertificateConverter().getCertificate(
                builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(signing.getPrivate())));
        return new Identity(keys, certificate);
    }

    static String pem(X509Certificate certificate) throws IOException {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
            writer.writeObject(certificate);
        }
        return out.toString();
    }

    static String pkcs8(Identity identity) {
        return "-----BEGIN PRIVATE KEY-----\n" + Base64.getMimeEncoder(64, "\n".getBytes())
                .encodeToString(identity.keys().getPrivate().getEncoded()) + "\n-----END PRIVATE KEY-----\n";
    }

    @Override
    public String toString() {
        return "TlsIdentities[" + name + "]";
    }
}
