package dev.lbaas.amphora.testing;

import dev.lbaas.amphora.testing.TlsIdentities.Identity;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.asn1.x509.GeneralName;

/** A throw-away CA with an agent server certificate (SAN 127.0.0.1) and client certificates. */
public final class TestPki {

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
        return TlsIdentities.issueWith(subject, issuer, isCa, Duration.ofDays(1), sanAddress == null ? new GeneralName[0]
                : new GeneralName[] {new GeneralName(GeneralName.iPAddress, sanAddress)});
    }

    private static String pem(X509Certificate certificate) throws IOException {
        return TlsIdentities.pem(certificate);
    }

    private static String pkcs8(Identity identity) {
        return TlsIdentities.pkcs8(identity);
    }

    private static Path write(Path file, String content) throws IOException {
        return Files.writeString(file, content, StandardCharsets.US_ASCII);
    }
}
