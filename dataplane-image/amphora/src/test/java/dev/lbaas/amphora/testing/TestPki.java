package dev.lbaas.amphora.testing;

import java.io.IOException;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/** A throw-away CA with an agent server certificate (SAN 127.0.0.1) and client certificates. */
public final class TestPki {

    private static final AtomicLong SERIAL = new AtomicLong(System.currentTimeMillis());

    public record Identity(KeyPair keys, X509Certificate certificate) {
    }

    private final Identity ca;
    public final Path caPem;
    public final Path serverCertPem;
    public final Path serverKeyPem;

    public TestPki(Path dir) throws Exception {
        ca = issue("CN=test-ca", null, true, false);
        Identity server = issue("CN=amphora", ca, false, true);
        caPem = write(dir.resolve("ca.pem"), pem(ca.certificate()));
        serverCertPem = write(dir.resolve("server.pem"), pem(server.certificate()));
        serverKeyPem = write(dir.resolve("server-key.pem"), pkcs8(server));
    }

    /** A client certificate signed by the CA. */
    public SSLContext trustedClient() throws Exception {
        return clientContext(issue("CN=operator", ca, false, false));
    }

    /** A self-signed client certificate the amphora must refuse. */
    public SSLContext selfSignedClient() throws Exception {
        return clientContext(issue("CN=intruder", null, false, false));
    }

    /** A client that trusts the server but presents no certificate. */
    public SSLContext anonymousClient() throws Exception {
        return clientContext(null);
    }

    /** A TLS server context with a certificate for {@code ipAddress}, signed by the CA: a member terminating TLS. */
    public SSLContext serverContext(String ipAddress) throws Exception {
        return serverContextOf(issue("CN=member", ca, false, ipAddress));
    }

    /**
     * A server TLS context with a self-signed certificate (SAN 127.0.0.1) nobody trusts, as many
     * members have.
     */
    public static SSLContext selfSignedServer(String commonName) throws Exception {
        return serverContextOf(issue("CN=" + commonName, null, false, true));
    }

    private static SSLContext serverContextOf(Identity server) throws Exception {
        KeyStore keys = KeyStore.getInstance("PKCS12");
        keys.load(null, null);
        keys.setKeyEntry("server", server.keys().getPrivate(), new char[0],
                new X509Certificate[] {server.certificate()});
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(keys, new char[0]);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(kmf.getKeyManagers(), null, null);
        return context;
    }

    private SSLContext clientContext(Identity client) throws GeneralSecurityException, IOException {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("ca", ca.certificate());
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        KeyManagerFactory kmf = null;
        if (client != null) {
            KeyStore keys = KeyStore.getInstance("PKCS12");
            keys.load(null, null);
            keys.setKeyEntry("client", client.keys().getPrivate(), new char[0],
                    new X509Certificate[] {client.certificate()});
            kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(keys, new char[0]);
        }
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(kmf == null ? null : kmf.getKeyManagers(), tmf.getTrustManagers(), null);
        return context;
    }

    private static Identity issue(String subject, Identity issuer, boolean isCa, boolean serverSan) throws Exception {
        return issue(subject, issuer, isCa, serverSan ? "127.0.0.1" : null);
    }

    private static Identity issue(String subject, Identity issuer, boolean isCa, String sanAddress) throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(256);
        KeyPair keys = generator.generateKeyPair();
        Instant now = Instant.now();
        X500Name name = new X500Name(subject);
        X500Name issuerName = issuer == null ? name
                : new X500Name(issuer.certificate().getSubjectX500Principal().getName());
        X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(issuerName,
                BigInteger.valueOf(SERIAL.incrementAndGet()), Date.from(now.minus(Duration.ofMinutes(5))),
                Date.from(now.plus(Duration.ofDays(1))), name, keys.getPublic());
        builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(isCa));
        if (sanAddress != null) {
            builder.addExtension(Extension.subjectAlternativeName, false,
                    new GeneralNames(new GeneralName(GeneralName.iPAddress, sanAddress)));
        }
        KeyPair signing = issuer == null ? keys : issuer.keys();
        X509Certificate certificate = new JcaX509CertificateConverter().getCertificate(
                builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(signing.getPrivate())));
        return new Identity(keys, certificate);
    }

    private static String pem(X509Certificate certificate) throws IOException {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
            writer.writeObject(certificate);
        }
        return out.toString();
    }

    private static String pkcs8(Identity identity) {
        return "-----BEGIN PRIVATE KEY-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                        .encodeToString(identity.keys().getPrivate().getEncoded())
                + "\n-----END PRIVATE KEY-----\n";
    }

    private static Path write(Path file, String content) throws IOException {
        return Files.writeString(file, content, StandardCharsets.US_ASCII);
    }
}
