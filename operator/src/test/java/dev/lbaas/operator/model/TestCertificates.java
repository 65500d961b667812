package dev.lbaas.operator.model;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/** kubernetes.io/tls Secrets as cert-manager writes them (an RSA key in PKCS#1 form), for tests. */
public final class TestCertificates {

    private static final AtomicLong SERIAL = new AtomicLong(1);

    private TestCertificates() {
    }

    /** A self-signed certificate for {@code host}, valid from {@code notBefore} to {@code notAfter}. */
    public static Secret tlsSecret(String name, String host, Instant notBefore, Instant notAfter) throws Exception {
        KeyPair keys = rsa();
        return secret(name, "kubernetes.io/tls", Map.of("tls.crt", pem(certificate(keys, host, notBefore, notAfter)),
                "tls.key", pem(keys.getPrivate())));
    }

    /** A certificate valid around now. */
    public static Secret tlsSecret(String name, String host) throws Exception {
        Instant now = Instant.now();
        return tlsSecret(name, host, now.minusSeconds(3600), now.plusSeconds(86_400));
    }

    /** The certificate of one Secret with the key of another. */
    public static Secret mismatched(String name, Secret certificateOf, Secret keyOf) {
        return new SecretBuilder(certificateOf).editMetadata().withName(name).endMetadata()
                .addToData("tls.key", keyOf.getData().get("tls.key")).build();
    }

    public static Secret secret(String name, String type, Map<String, String> data) {
        Map<String, String> encoded = new LinkedHashMap<>();
        data.forEach((key, value) -> encoded.put(key, Base64.getEncoder().encodeToString(
                value.getBytes(StandardCharsets.US_ASCII))));
        return new SecretBuilder().withNewMetadata().withName(name).withNamespace("default").withUid("uid-" + name)
                .endMetadata().withType(type).withData(encoded).build();
    }

    private static KeyPair rsa() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        return generator.generateKeyPair();
    }

    private static X509Certificate certificate(KeyPair keys, String host, Instant notBefore, Instant notAfter)
            throws Exception {
        X500Name name = new X500Name("CN=" + host);
        var builder = new JcaX509v3CertificateBuilder(name, BigInteger.valueOf(SERIAL.incrementAndGet()),
                Date.from(notBefore), Date.from(notAfter), name, keys.getPublic());
        builder.addExtension(Extension.subjectAlternativeName, false,
                new GeneralNames(new GeneralName(GeneralName.dNSName, host)));
        return new JcaX509CertificateConverter().getCertificate(builder.build(
                new JcaContentSignerBuilder("SHA256withRSA").build(keys.getPrivate())));
    }

    /** PEM as BouncyCastle writes it: an RSA private key as PKCS#1 ("BEGIN RSA PRIVATE KEY"). */
    static String pem(Object object) throws Exception {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
            writer.writeObject(object);
        }
        return out.toString();
    }
}
