package dev.lbaas.amphora.config;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;

/**
 * A certificate and its key, as a TERMINATED_HTTPS listener presents them: the chain in PEM, the
 * server's own certificate first, and the key as PKCS#8 PEM (RSA or EC). The record refuses what
 * the amphora could not load: no certificate, a key it cannot read, or a key that is not the
 * certificate's. Whether the certificate is valid now is for whoever renders the configuration to
 * say, since it changes with time and a configuration must not.
 *
 * @param id the certificate's identity, named by errors (the Secret it came from)
 */
public record TlsCertificateConfig(String id, String certificateChain, String privateKey) {

    private static final String LABEL = "[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?";

    /** A DNS name of letters, digits and hyphens, its first label possibly a whole-label wildcard. */
    private static final Pattern HOST_NAME = Pattern.compile("(\\*|" + LABEL + ")(\\." + LABEL + ")+|" + LABEL);

    public TlsCertificateConfig {
        Validation.requireText(id, "certificate.id");
        String field = "certificate[" + id + "]";
        Validation.requireText(certificateChain, field + ".certificateChain");
        Validation.requireText(privateKey, field + ".privateKey");
        List<X509Certificate> chain = parseChain(certificateChain, field + ".certificateChain");
        checkOrder(chain, field + ".certificateChain");
        checkKeyMatches(parseKey(privateKey, field + ".privateKey"), chain.get(0), field);
    }

    /**
     * Each certificate issued by the next, none twice: the order a server sends, and the only one
     * the key store that holds a chain for the handshake accepts.
     */
    private static void checkOrder(List<X509Certificate> chain, String field) {
        for (int i = 0; i < chain.size() - 1; i++) {
            if (chain.subList(i + 1, chain.size()).contains(chain.get(i))) {
                throw new IllegalArgumentException(field + ": the certificate for "
                        + chain.get(i).getSubjectX500Principal().getName() + " is there twice");
            }
            if (!chain.get(i).getIssuerX500Principal().equals(chain.get(i + 1).getSubjectX500Principal())) {
                throw new IllegalArgumentException(field + ": certificate " + (i + 2) + " ("
                        + chain.get(i + 1).getSubjectX500Principal().getName() + ") did not issue certificate "
                        + (i + 1) + " (issued by " + chain.get(i).getIssuerX500Principal().getName() + "): the chain "
                        + "must go from the server's certificate to its issuers, in order");
            }
        }
    }

    /** The chain, the server's certificate first. */
    public List<X509Certificate> chain() {
        return parseChain(certificateChain, "certificate[" + id + "].certificateChain");
    }

    /** The server's own certificate. */
    public X509Certificate leaf() {
        return chain().get(0);
    }

    /**
     * The host names the certificate is for, as SNI matches them: its DNS subject alternative
     * names, or without any its common name; lower case, wildcards over one whole label
     * (*.example.com) kept, anything else that is no host name left out.
     */
    public List<String> serverNames() {
        X509Certificate leaf = leaf();
        List<String> names = new ArrayList<>();
        try {
            Collection<List<?>> alternatives = leaf.getSubjectAlternativeNames();
            if (alternatives != null) {
                for (List<?> alternative : alternatives) {
                    if (Integer.valueOf(2).equals(alternative.get(0))) {
                        names.add(((String) alternative.get(1)).toLowerCase(Locale.ROOT));
                    }
                }
            }
        } catch (CertificateParsingException e) {
            // no usable alternative names: the common name stands in
        }
        if (names.isEmpty()) {
            String commonName = commonName(leaf);
            if (commonName != null) {
                names.add(commonName.toLowerCase(Locale.ROOT));
            }
        }
        names.removeIf(name -> !HOST_NAME.matcher(name).matches());
        return names;
    }


    /** The CN of the certificate's subject, or null. */
    public static String commonName(X509Certificate certificate) {
        try {
            for (Rdn rdn : new LdapName(certificate.getSubjectX500Principal().getName()).getRdns()) {
                if (rdn.getType().equalsIgnoreCase("CN")) {
                    return rdn.getValue().toString();
                }
            }
        } catch (InvalidNameException e) {
            // an unreadable subject has no common name to offer
        }
        return null;
    }

    /** Every certificate of a PEM text, in order; at least one. */
    public static List<X509Certificate> parseChain(String pem, String field) {
        try {
            CertificateFactory factory = CertificateFactory.getInstance("X.509");
            List<X509Certificate> chain = new ArrayList<>();
            for (var certificate : factory.generateCertificates(
                    new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)))) {
                chain.add((X509Certificate) certificate);
            }
            if (chain.isEmpty()) {
                throw new IllegalArgumentException(field + ": holds no PEM certificate");
            }
            return chain;
        } catch (CertificateException e) {
            throw new IllegalArgumentException(field + ": not a PEM certificate chain (" + e.getMessage() + ")");
        }
    }

    /** A PKCS#8 PEM private key, RSA or EC. */
    public static PrivateKey parseKey(String pem, String field) {
        String begin = "-----BEGIN PRIVATE KEY-----";
        String end = "-----END PRIVATE KEY-----";
        int from = pem.indexOf(begin);
        int to = pem.indexOf(end);
        if (from < 0 || to < from) {
            throw new IllegalArgumentException(field + ": not a PKCS#8 PEM private key (BEGIN PRIVATE KEY)");
        }
        byte[] der;
        try {
            der = Base64.getMimeDecoder().decode(pem.substring(from + begin.length(), to));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(field + ": the key's base64 is damaged");
        }
        for (String algorithm : List.of("RSA", "EC")) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
            } catch (GeneralSecurityException e) {
                // try the next algorithm
            }
        }
        throw new IllegalArgumentException(field + ": neither an RSA nor an EC private key");
    }

    /** Signs with the key and verifies with the certificate: they belong together, or the handshake fails. */
    private static void checkKeyMatches(PrivateKey key, X509Certificate leaf, String field) {
        String algorithm = key.getAlgorithm().equals("EC") ? "SHA256withECDSA" : "SHA256withRSA";
        byte[] probe = "lbaas key check".getBytes(StandardCharsets.US_ASCII);
        boolean matches;
        try {
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(probe);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(leaf.getPublicKey());
            verifier.update(probe);
            matches = verifier.verify(signature);
        } catch (GeneralSecurityException e) {
            matches = false;
        }
        if (!matches) {
            throw new IllegalArgumentException(field + ": the private key is not the key of the certificate for "
                    + leaf.getSubjectX500Principal().getName());
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TlsCertificateConfig other && id.equals(other.id)
                && certificateChain.equals(other.certificateChain) && privateKey.equals(other.privateKey);
    }

    @Override
    public int hashCode() {
        return Objects.hash(id, certificateChain, privateKey);
    }

    /** Never the key: configurations are logged. */
    @Override
    public String toString() {
        return "TlsCertificateConfig[id=" + id + ", privateKey=(hidden)]";
    }
}
