package dev.lbaas.operator.pki;

import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.security.PrivateKey;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;

/** Private keys in PEM: read in the forms Secrets hold them, written as PKCS#8. */
public final class PemKeys {

    private PemKeys() {
    }

    /**
     * An unencrypted PEM private key in PKCS#8, PKCS#1 (RSA) or SEC 1 (EC) form; null when the
     * text holds no such key.
     *
     * @throws IOException when the PEM is damaged
     */
    public static PrivateKey read(String pem) throws IOException {
        try (PEMParser parser = new PEMParser(new StringReader(pem))) {
            Object parsed = parser.readObject();
            JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
            if (parsed instanceof PEMKeyPair pair) {
                return converter.getPrivateKey(pair.getPrivateKeyInfo());
            }
            if (parsed instanceof PrivateKeyInfo info) {
                return converter.getPrivateKey(info);
            }
            return null;
        }
    }

    /** The key as PKCS#8 PEM ("BEGIN PRIVATE KEY"). */
    public static String pkcs8(PrivateKey key) throws IOException {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
            writer.writeObject(new JcaPKCS8Generator(key, null).generate());
        }
        return out.toString();
    }
}
