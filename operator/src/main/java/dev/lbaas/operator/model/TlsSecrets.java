package dev.lbaas.operator.model;

import dev.lbaas.amphora.config.HstsConfig;
import dev.lbaas.amphora.config.ListenerTlsConfig;
import dev.lbaas.amphora.config.PoolTlsConfig;
import dev.lbaas.amphora.config.TlsCertificateConfig;
import dev.lbaas.api.v1alpha1.Hsts;
import dev.lbaas.api.v1alpha1.Listener;
import dev.lbaas.api.v1alpha1.ListenerTls;
import dev.lbaas.api.v1alpha1.Pool;
import dev.lbaas.api.v1alpha1.PoolTls;
import dev.lbaas.operator.pki.PemKeys;
import io.fabric8.kubernetes.api.model.Secret;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.PrivateKey;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A TERMINATED_HTTPS listener's TLS settings with the certificates of the Secrets it names, as
 * cert-manager writes them (type kubernetes.io/tls: tls.crt, tls.key, and ca.crt for a CA; ca.crl
 * for a revocation list). Keys in PKCS#1 or SEC 1 form are given to the amphora as PKCS#8. A
 * Secret that is missing, lacks a key, holds what does not parse, or a certificate that is
 * expired, not yet valid or not the key's, is a {@link Problem} naming the field, the Secret and
 * what is wrong.
 *
 * @param byName the namespace's Secrets the listeners of a load balancer name, by name
 * @param now the time certificates must be valid at
 */
public record TlsSecrets(Map<String, Secret> byName, Instant now) {

    /** No Secrets: listeners that name one find it missing. */
    public static final TlsSecrets NONE = new TlsSecrets(Map.of(), Instant.EPOCH);

    public TlsSecrets {
        byName = Map.copyOf(Objects.requireNonNullElse(byName, Map.of()));
        now = Objects.requireNonNullElse(now, Instant.EPOCH);
    }

    /**
     * What keeps a listener's TLS from being served.
     *
     * @param unresolved the Secret does not exist (yet): the listener waits for it rather than being wrong
     */
    public static final class Problem extends Exception {
        private final String reason;
        private final boolean unresolved;

        Problem(String reason, String message, boolean unresolved) {
            super(message, null, false, false);
            this.reason = reason;
            this.unresolved = unresolved;
        }

        public String reason() {
            return reason;
        }

        public boolean unresolved() {
            return unresolved;
        }
    }

    /** The names of every Secret a listener's TLS names. */
    public static List<String> referencedBy(Listener listener) {
        ListenerTls tls = listener.getSpec() == null ? null : listener.getSpec().getTls();
        if (tls == null) {
            return List.of();
        }
        List<String> names = new ArrayList<>();
        names.add(tls.getDefaultSecretRef());
        names.addAll(Objects.requireNonNullElse(tls.getSniSecretRefs(), List.of()));
        if (tls.getClientCaSecretRef() != null) {
            names.add(tls.getClientCaSecretRef());
        }
        if (tls.getClientCrlSecretRef() != null) {
            names.add(tls.getClientCrlSecretRef());
        }
        return names;
    }

    /** The names of every Secret a pool's TLS names. */
    public static List<String> referencedBy(Pool pool) {
        PoolTls tls = pool.getSpec() == null ? null : pool.getSpec().getTls();
        if (tls == null) {
            return List.of();
        }
        List<String> names = new ArrayList<>();
        for (String name : new String[] {tls.getCaSecretRef(), tls.getCrlSecretRef(), tls.getClientCertificateSecretRef()}) {
            if (name != null) {
                names.add(name);
            }
        }
        return names;
    }

    /** The pool's TLS to its members, or null for a pool without it. */
    public PoolTlsConfig configFor(Pool pool) throws Problem {
        PoolTls tls = pool.getSpec().getTls();
        if (tls == null) {
            return null;
        }
        String namespace = pool.getMetadata().getNamespace();
        String ca = tls.getCaSecretRef() == null ? null : pem(tls.getCaSecretRef(), "ca.crt", "tls.caSecretRef",
                namespace);
        String crl = tls.getCrlSecretRef() == null ? null : pem(tls.getCrlSecretRef(), "ca.crl", "tls.crlSecretRef",
                namespace);
        TlsCertificateConfig client = tls.getClientCertificateSecretRef() == null ? null
                : certificate(tls.getClientCertificateSecretRef(), "tls.clientCertificateSecretRef", namespace);
        try {
            PoolTlsConfig config = new PoolTlsConfig(tls.getServerName(), ca, crl, client,
                    spelled(tls.getVersions()), tls.getCiphers(), spelled(tls.getAlpnProtocols()));
            requireFresh(config.crls(), "CrlExpired", "tls.crlSecretRef", tls.getCrlSecretRef(), "");
            return config;
        } catch (IllegalArgumentException e) {
            String message = e.getMessage();
            String secret = message.startsWith("tls.ca:") ? "tls.caSecretRef: Secret " + tls.getCaSecretRef() + ": "
                    : message.startsWith("tls.crl:") ? "tls.crlSecretRef: Secret " + tls.getCrlSecretRef() + ": " : "";
            throw new Problem(secret.isEmpty() ? "IncompatibleTlsSettings" : "InvalidSecret", secret + message, false);
        }
    }

    /** The listener's TLS configuration, or null for a listener without TLS. */
    public ListenerTlsConfig configFor(Listener listener) throws Problem {
        ListenerTls tls = listener.getSpec().getTls();
        if (tls == null) {
            return null;
        }
        String namespace = listener.getMetadata().getNamespace();
        TlsCertificateConfig defaultCertificate = certificate(tls.getDefaultSecretRef(), "tls.defaultSecretRef",
                namespace);
        List<TlsCertificateConfig> sni = new ArrayList<>();
        List<String> sniRefs = Objects.requireNonNullElse(tls.getSniSecretRefs(), List.of());
        for (int i = 0; i < sniRefs.size(); i++) {
            sni.add(certificate(sniRefs.get(i), "tls.sniSecretRefs[" + i + "]", namespace));
        }
        String clientCa = tls.getClientCaSecretRef() == null ? null
                : pem(tls.getClientCaSecretRef(), "ca.crt", "tls.clientCaSecretRef", namespace);
        String clientCrl = tls.getClientCrlSecretRef() == null ? null
                : pem(tls.getClientCrlSecretRef(), "ca.crl", "tls.clientCrlSecretRef", namespace);
        ListenerTlsConfig config = settings(tls, defaultCertificate, sni, clientCa, clientCrl);
        requireFresh(config.clientCrls(), "ClientCrlExpired", "tls.clientCrlSecretRef", tls.getClientCrlSecretRef(),
                ", and client certificates are not checked against a stale one");
        return config;
    }

    /** Revocation lists whose nextUpdate has not passed: a stale one is the Secret's problem. */
    private void requireFresh(List<X509CRL> crls, String reason, String field, String secret, String consequence)
            throws Problem {
        for (X509CRL crl : crls) {
            if (crl.getNextUpdate() != null && now.isAfter(crl.getNextUpdate().toInstant())) {
                throw new Problem(reason, field + ": Secret " + secret + ": its revocation list of "
                        + crl.getIssuerX500Principal().getName() + " was due to be replaced at "
                        + crl.getNextUpdate().toInstant() + " (nextUpdate)" + consequence + "; publish a new one", false);
            }
        }
    }

    /** Enum values as the API spells them, or null for none. */
    private static List<String> spelled(List<? extends Enum<?>> values) {
        return values == null ? null : values.stream().map(ApiSpelling::of).toList();
    }

    private static ListenerTlsConfig settings(ListenerTls tls, TlsCertificateConfig defaultCertificate,
            List<TlsCertificateConfig> sni, String clientCa, String clientCrl) throws Problem {
        Hsts hsts = tls.getHsts();
        try {
            return new ListenerTlsConfig(defaultCertificate, sni,
                    spelled(tls.getVersions()), tls.getCiphers(), spelled(tls.getAlpnProtocols()),
                    tls.getClientAuthentication() == null ? null
                            : ListenerTlsConfig.ClientAuthentication.valueOf(tls.getClientAuthentication().name()),
                    clientCa, clientCrl,
                    hsts == null ? null : new HstsConfig(hsts.getMaxAgeSeconds(), Boolean.TRUE.equals(
                            hsts.getIncludeSubdomains()), Boolean.TRUE.equals(hsts.getPreload())));
        } catch (IllegalArgumentException e) {
            String message = e.getMessage();
            if (message.startsWith("tls.clientCa")) {
                throw new Problem("InvalidSecret", "tls.clientCaSecretRef: Secret " + tls.getClientCaSecretRef() + ": "
                        + message, false);
            }
            if (message.startsWith("tls.clientCrl")) {
                throw new Problem("InvalidSecret", "tls.clientCrlSecretRef: Secret " + tls.getClientCrlSecretRef()
                        + ": " + message, false);
            }
            // a setting no handshake could succeed with, given these certificates
            throw new Problem("IncompatibleTlsSettings", message, false);
        }
    }

    private TlsCertificateConfig certificate(String name, String field, String namespace) throws Problem {
        Secret secret = secret(name, field, namespace);
        String chain = text(secret, "tls.crt", field);
        String key = text(secret, "tls.key", field);
        String where = field + ": Secret " + name;
        String privateKey = pkcs8(key, where);
        TlsCertificateConfig certificate;
        try {
            certificate = new TlsCertificateConfig(name, chain, privateKey);
        } catch (IllegalArgumentException e) {
            throw new Problem("InvalidCertificate", where + ": " + withoutRecordPrefix(e.getMessage()), false);
        }
        X509Certificate leaf = certificate.leaf();
        if (now.isBefore(leaf.getNotBefore().toInstant())) {
            throw new Problem("CertificateNotYetValid", where + ": its certificate for "
                    + leaf.getSubjectX500Principal().getName() + " is not valid before " + leaf.getNotBefore().toInstant(),
                    false);
        }
        if (now.isAfter(leaf.getNotAfter().toInstant())) {
            throw new Problem("CertificateExpired", where + ": its certificate for "
                    + leaf.getSubjectX500Principal().getName() + " expired at " + leaf.getNotAfter().toInstant()
                    + "; renew it", false);
        }
        return certificate;
    }

    private String pem(String name, String dataKey, String field, String namespace) throws Problem {
        return text(secret(name, field, namespace), dataKey, field);
    }

    private Secret secret(String name, String field, String namespace) throws Problem {
        Secret secret = byName.get(name);
        if (secret == null) {
            throw new Problem("SecretNotFound", field + ": Secret " + name + " does not exist in namespace " + namespace,
                    true);
        }
        return secret;
    }

    private static String text(Secret secret, String dataKey, String field) throws Problem {
        String encoded = secret.getData() == null ? null : secret.getData().get(dataKey);
        String where = field + ": Secret " + secret.getMetadata().getName();
        if (encoded == null || encoded.isEmpty()) {
            throw new Problem("InvalidSecret", where + " has no " + dataKey, false);
        }
        try {
            return new String(Base64.getDecoder().decode(encoded), StandardCharsets.US_ASCII);
        } catch (IllegalArgumentException e) {
            throw new Problem("InvalidSecret", where + ": " + dataKey + " is not base64", false);
        }
    }

    /** A PEM private key in PKCS#8, PKCS#1 (RSA) or SEC 1 (EC) form, as PKCS#8 PEM for the amphora. */
    private static String pkcs8(String pem, String where) throws Problem {
        PrivateKey key;
        String pkcs8;
        // BouncyCastle reports damaged base64 with unchecked exceptions
        try {
            key = PemKeys.read(pem);
            pkcs8 = key == null ? null : PemKeys.pkcs8(key);
        } catch (IOException | RuntimeException e) {
            throw new Problem("InvalidCertificate", where + ": tls.key is not a PEM private key (" + e.getMessage()
                    + ")", false);
        }
        if (pkcs8 == null) {
            throw new Problem("InvalidCertificate", where + ": tls.key holds no unencrypted PEM private key", false);
        }
        return pkcs8;
    }

    /** Never the Secrets' data: trees are logged. */
    @Override
    public String toString() {
        return "TlsSecrets[" + byName.keySet() + " at " + now + "]";
    }

    /** A record's message without its "certificate[name]." prefix: the problem names the Secret already. */
    private static String withoutRecordPrefix(String message) {
        int close = message.indexOf("]");
        if (!message.startsWith("certificate[") || close < 0) {
            return message;
        }
        String rest = message.substring(close + 1);
        return rest.startsWith(".") ? rest.substring(1) : rest.startsWith(": ") ? rest.substring(2) : rest;
    }
}
