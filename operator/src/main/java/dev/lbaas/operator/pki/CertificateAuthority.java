package dev.lbaas.operator.pki;

import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.function.UnaryOperator;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * The operator's own certificate authority (Octavia keeps one for its amphora agents too). It
 * issues each amphora a server certificate and the operator a client certificate, so that the
 * agent API is two-way TLS: an amphora only takes configuration from this operator, and the
 * operator only believes reports from amphorae it created.
 */
public final class CertificateAuthority {

    private static final Duration CA_VALIDITY = Duration.ofDays(3650);
    private static final Duration LEAF_VALIDITY = Duration.ofDays(365);
    private static final String SIGNATURE = "SHA256withECDSA";

    private final X509Certificate certificate;
    private final PrivateKey key;

    private CertificateAuthority(X509Certificate certificate, PrivateKey key) {
        this.certificate = certificate;
        this.key = key;
    }

    /** A certificate and its private key, both PEM encoded (the key as PKCS#8). */
    public record IssuedCertificate(String certificatePem, String privateKeyPem) {

        /** Writes tls.crt and tls.key (owner-readable only) into a directory. */
        public void writeTo(Path directory) {
            try {
                Files.createDirectories(directory);
                writeAtomically(directory.resolve("tls.crt"), certificatePem);
                writeAtomically(directory.resolve("tls.key"), privateKeyPem);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /** Loads the CA kept in {@code directory} (ca.crt, ca.key), creating it on first use. */
    public static CertificateAuthority loadOrCreate(Path directory) {
        Path certFile = directory.resolve("ca.crt");
        Path keyFile = directory.resolve("ca.key");
        try {
            if (Files.exists(certFile) && Files.exists(keyFile)) {
                return new CertificateAuthority(readCertificate(Files.readString(certFile)),
                        readKey(Files.readString(keyFile)));
            }
            CertificateAuthority created = create("lbaas-operator amphora CA");
            Files.createDirectories(directory);
            writeAtomically(keyFile, created.privateKeyPem());
            writeAtomically(certFile, created.certificatePem());
            return created;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot load or create the CA in " + directory, e);
        }
    }

    /** The CA of a certificate and its private key, both PEM encoded (as {@link #certificatePem} and
     * {@link #privateKeyPem} give them). */
    public static CertificateAuthority fromPem(String certificatePem, String privateKeyPem) {
        try {
            return new CertificateAuthority(readCertificate(certificatePem), readKey(privateKeyPem));
        } catch (IOException e) {
            throw new IllegalArgumentException("not a CA certificate and key in PEM: " + e.getMessage(), e);
        }
    }

    /** A new CA held only in memory. */
    public static CertificateAuthority create(String commonName) {
        try {
            KeyPair pair = newKeyPair();
            X500Name name = new X500Name("CN=" + commonName);
            Instant now = Instant.now();
            JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(name, serial(),
                    Date.from(now.minus(Duration.ofMinutes(5))), Date.from(now.plus(CA_VALIDITY)), name,
                    pair.getPublic());
            JcaX509ExtensionUtils extensions = new JcaX509ExtensionUtils();
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(0));
            builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
            builder.addExtension(Extension.subjectKeyIdentifier, false,
                    extensions.createSubjectKeyIdentifier(pair.getPublic()));
            return new CertificateAuthority(sign(builder, pair.getPrivate()), pair.getPrivate());
        } catch (GeneralSecurityException | IOException | OperatorCreationException e) {
            throw new IllegalStateException("cannot create a CA", e);
        }
    }

    /**
     * A secret for {@code purpose} that every holder of this CA derives alike and nobody else can:
     * HMAC-SHA256 keyed with the CA's private key (the HKDF extract step, RFC 5869). The failover
     * key of an ACTIVE_STANDBY pair is derived this way, so that a restarted operator, or another
     * replica, gives a running pair the key it already has without storing one more secret.
     */
    public byte[] derivedSecret(String purpose) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key.getEncoded(), "HmacSHA256"));
            return mac.doFinal(purpose.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
        }
    }

    /**
     * Issues a certificate for TLS servers and clients.
     *
     * @param commonName the subject's CN (the amphora id, or "lbaas-operator")
     * @param ipAddresses IP subject alternative names (where the agent listens)
     * @param dnsNames DNS subject alternative names
     */
    public IssuedCertificate issue(String commonName, List<String> ipAddresses, List<String> dnsNames) {
        try {
            KeyPair pair = newKeyPair();
            Instant now = Instant.now();
            JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(certificate, serial(),
                    Date.from(now.minus(Duration.ofMinutes(5))), Date.from(now.plus(LEAF_VALIDITY)),
                    new X500Name("CN=" + commonName), pair.getPublic());
            JcaX509ExtensionUtils extensions = new JcaX509ExtensionUtils();
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            builder.addExtension(Extension.keyUsage, true,
                    new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyAgreement));
            builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(
                    new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}));
            builder.addExtension(Extension.authorityKeyIdentifier, false,
                    extensions.createAuthorityKeyIdentifier(certificate));
            List<GeneralName> names = new ArrayList<>();
            ipAddresses.forEach(ip -> names.add(new GeneralName(GeneralName.iPAddress, ip)));
            dnsNames.forEach(dns -> names.add(new GeneralName(GeneralName.dNSName, dns)));
            if (!names.isEmpty()) {
                builder.addExtension(Extension.subjectAlternativeName, false,
                        new GeneralNames(names.toArray(GeneralName[]::new)));
            }
            X509Certificate leaf = sign(builder, key);
            return new IssuedCertificate(pem(leaf), pkcs8Pem(pair.getPrivate()));
        } catch (GeneralSecurityException | IOException | OperatorCreationException e) {
            throw new IllegalStateException("cannot issue a certificate for " + commonName, e);
        }
    }

    /** An SSLContext presenting {@code identity} and trusting only certificates this CA issued. */
    public SSLContext sslContext(IssuedCertificate identity) {
        return sslContext(identity, UnaryOperator.identity());
    }

    /**
     * An SSLContext presenting {@code identity}, whose trust manager is {@code trustCheck} applied to one
     * that trusts only certificates this CA issued: to check more than the chain (which amphora).
     */
    public SSLContext sslContext(IssuedCertificate identity, UnaryOperator<X509ExtendedTrustManager> trustCheck) {
        try {
            char[] password = new char[0];
            KeyStore keys = KeyStore.getInstance("PKCS12");
            keys.load(null, null);
            keys.setKeyEntry("identity", readKey(identity.privateKeyPem()), password,
                    new X509Certificate[] {readCertificate(identity.certificatePem()), certificate});
            KeyManagerFactory keyManagers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            keyManagers.init(keys, password);

            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            trust.setCertificateEntry("ca", certificate);
            TrustManagerFactory trustManagers = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trustManagers.init(trust);

            SSLContext context = SSLContext.getInstance("TLS");
            X509ExtendedTrustManager caTrust = (X509ExtendedTrustManager) trustManagers.getTrustManagers()[0];
            context.init(keyManagers.getKeyManagers(), new TrustManager[] {trustCheck.apply(caTrust)}, new SecureRandom());
            return context;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("cannot build the agent TLS context", e);
        }
    }

    public String certificatePem() {
        try {
            return pem(certificate);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The CA's private key (PKCS#8 PEM), for keeping the CA where another operator finds it. */
    public String privateKeyPem() {
        try {
            return pkcs8Pem(key);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static KeyPair newKeyPair() throws GeneralSecurityException {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        return generator.generateKeyPair();
    }

    private static BigInteger serial() {
        return new BigInteger(127, new SecureRandom());
    }

    private static X509Certificate sign(JcaX509v3CertificateBuilder builder, PrivateKey signer)
            throws OperatorCreationException, GeneralSecurityException {
        ContentSigner contentSigner = new JcaContentSignerBuilder(SIGNATURE).build(signer);
        return new JcaX509CertificateConverter().getCertificate(builder.build(contentSigner));
    }

    private static String pem(Object object) throws IOException {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
            writer.writeObject(object);
        }
        return out.toString();
    }

    private static String pkcs8Pem(PrivateKey privateKey) throws IOException {
        return PemKeys.pkcs8(privateKey);
    }

    private static X509Certificate readCertificate(String pem) throws IOException {
        try (PEMParser parser = new PEMParser(new StringReader(pem))) {
            return new JcaX509CertificateConverter().getCertificate((X509CertificateHolder) parser.readObject());
        } catch (GeneralSecurityException e) {
            throw new IOException("not a certificate", e);
        }
    }

    private static PrivateKey readKey(String pem) throws IOException {
        PrivateKey key = PemKeys.read(pem);
        if (key == null) {
            throw new IOException("not a private key");
        }
        return key;
    }

    private static void writeAtomically(Path target, String content) throws IOException {
        Path temporary = target.resolveSibling(target.getFileName() + ".tmp");
        Files.writeString(temporary, content);
        try {
            Files.setPosixFilePermissions(temporary, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system: keep the default permissions
        }
        Files.move(temporary, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
