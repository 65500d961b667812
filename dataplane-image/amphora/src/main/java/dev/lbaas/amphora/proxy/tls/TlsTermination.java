package dev.lbaas.amphora.proxy.tls;

import dev.lbaas.amphora.config.ListenerTlsConfig;
import dev.lbaas.amphora.config.TlsCertificateConfig;
import dev.lbaas.amphora.config.TlsCiphers;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.IdentityCipherSuiteFilter;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.util.DomainWildcardMappingBuilder;
import io.netty.util.Mapping;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertPathValidator;
import java.security.cert.CertStore;
import java.security.cert.CollectionCertStoreParameters;
import java.security.cert.PKIXBuilderParameters;
import java.security.cert.PKIXRevocationChecker;
import java.security.cert.X509CertSelector;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import javax.net.ssl.CertPathTrustManagerParameters;
import javax.net.ssl.SSLException;
import javax.net.ssl.TrustManagerFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A TERMINATED_HTTPS listener's TLS as one configuration generation has it: a server context per
 * certificate, chosen by the server name a client sends (SNI, wildcards matching one label), the
 * default certificate's for any other name or none. Built once per generation, so that a
 * rotated certificate serves the handshakes that start after the generation that brings it, while
 * connections already open keep the session they made.
 */
public final class TlsTermination {

    /** The TLS 1.3 suites, in HAProxy's default order. */
    private static final List<String> TLS13_DEFAULTS = List.of("TLS_AES_256_GCM_SHA384",
            "TLS_CHACHA20_POLY1305_SHA256", "TLS_AES_128_GCM_SHA256");

    private static final Logger LOG = LoggerFactory.getLogger(TlsTermination.class);

    /**
     * BoringSSL (netty-tcnative, statically linked) where it loads, for handshakes at OpenSSL's
     * speed; the JDK's TLS elsewhere. Both serve every setting of a listener.
     */
    static final SslProvider PROVIDER;

    static {
        PROVIDER = OpenSsl.isAvailable() && SslProvider.isAlpnSupported(SslProvider.OPENSSL) ? SslProvider.OPENSSL
                : SslProvider.JDK;
        if (PROVIDER == SslProvider.JDK) {
            LOG.info("TLS termination with the JDK's TLS: BoringSSL is not available here ({})",
                    OpenSsl.unavailabilityCause() == null ? "no ALPN" : OpenSsl.unavailabilityCause().getMessage());
        } else {
            LOG.info("TLS termination with {}", OpenSsl.versionString());
        }
    }

    private final ListenerTlsConfig config;
    private final Mapping<String, SslContext> byServerName;
    /** Built once: every response of the listener carries it. */
    private final String strictTransportSecurity;

    private TlsTermination(ListenerTlsConfig config, Mapping<String, SslContext> byServerName) {
        this.config = config;
        this.byServerName = byServerName;
        this.strictTransportSecurity = config.hsts() == null ? null : config.hsts().headerValue();
    }

    /**
     * Builds the contexts of a listener.
     *
     * @throws IllegalArgumentException naming the field when a context cannot be built
     */
    public static TlsTermination build(ListenerTlsConfig config, String field) {
        return build(config, field, PROVIDER);
    }

    /** With a given TLS implementation, so that tests cover the fallback where BoringSSL loads. */
    static TlsTermination build(ListenerTlsConfig config, String field, SslProvider provider) {
        SslContext defaultContext = context(config, config.defaultCertificate(), field + ".defaultCertificate",
                provider);
        DomainWildcardMappingBuilder<SslContext> mapping = new DomainWildcardMappingBuilder<>(defaultContext);
        List<String> mapped = new ArrayList<>();
        // The default certificate's own names first, so that no SNI wildcard takes a name it is for.
        map(mapping, mapped, config.defaultCertificate(), defaultContext, field + ".defaultCertificate");
        for (TlsCertificateConfig certificate : config.sniCertificates()) {
            String certificateField = field + ".sniCertificates[" + certificate.id() + "]";
            map(mapping, mapped, certificate, context(config, certificate, certificateField, provider),
                    certificateField);
        }
        return new TlsTermination(config, mapping.build());
    }

    /** Maps the certificate's names to its context; the first certificate listed for a name serves it. */
    private static void map(DomainWildcardMappingBuilder<SslContext> mapping, List<String> mapped,
            TlsCertificateConfig certificate, SslContext context, String field) {
        for (String name : certificate.serverNames()) {
            if (!mapped.contains(name)) {
                mapped.add(name);
                try {
                    mapping.add(name, context);
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException(field + ": the host name " + name + " cannot be served: "
                            + e.getMessage(), e);
                }
            }
        }
    }

    private static SslContext context(ListenerTlsConfig config, TlsCertificateConfig certificate, String field,
            SslProvider provider) {
        try {
            List<X509Certificate> chain = certificate.chain();
            SslContextBuilder builder = SslContextBuilder.forServer(
                    TlsCertificateConfig.parseKey(certificate.privateKey(), field + ".privateKey"),
                    chain.toArray(X509Certificate[]::new))
                    .sslProvider(provider);
            offer(builder, config.tlsVersions(), config.ciphers(), config.alpnProtocols(), field);
            switch (config.clientAuthentication()) {
                case NONE -> builder.clientAuth(ClientAuth.NONE);
                case OPTIONAL -> builder.clientAuth(ClientAuth.OPTIONAL).trustManager(clientTrust(config));
                case MANDATORY -> builder.clientAuth(ClientAuth.REQUIRE).trustManager(clientTrust(config));
            }
            return builder.build();
        } catch (SSLException | GeneralSecurityException | RuntimeException e) {
            throw new IllegalArgumentException(field + ": the TLS context cannot be built: " + e.getMessage(), e);
        }
    }

    /**
     * What a context offers, for listeners and pools alike: the versions, the cipher suites
     * (Octavia's tls_ciphers is HAProxy's "ciphers", TLS 1.2's: a list without TLS 1.3 suites keeps
     * TLS 1.3's defaults) and the ALPN protocols.
     */
    static void offer(SslContextBuilder builder, List<String> versions, String ciphers, List<String> alpn,
            String field) {
        builder.protocols(versions)
                .applicationProtocolConfig(new ApplicationProtocolConfig(ApplicationProtocolConfig.Protocol.ALPN,
                        ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                        ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT, alpn));
        if (ciphers != null) {
            List<String> suites = new ArrayList<>(TlsCiphers.toJava(ciphers, field + ".ciphers"));
            if (versions.contains("TLSv1.3") && suites.stream().noneMatch(TLS13_DEFAULTS::contains)) {
                suites.addAll(TLS13_DEFAULTS);
            }
            builder.ciphers(suites, IdentityCipherSuiteFilter.INSTANCE);
        }
    }

    /**
     * Client certificates must chain to the listener's CA and, with a revocation list, not be in
     * it; revocation is read from those lists only, never fetched from the network.
     */
    private static TrustManagerFactory clientTrust(ListenerTlsConfig config) throws GeneralSecurityException {
        return trust(config.clientCaCertificates(), config.clientCrl() == null ? null : config.clientCrls());
    }

    /**
     * Trust in the certificates that chain to {@code cas} and, with revocation lists, are not in
     * them; revocation is read from those lists only, never fetched from the network.
     */
    static TrustManagerFactory trust(List<X509Certificate> cas, List<java.security.cert.X509CRL> crls)
            throws GeneralSecurityException {
        KeyStore anchors;
        try {
            anchors = KeyStore.getInstance("PKCS12");
            anchors.load(null, null);
        } catch (java.io.IOException e) {
            throw new GeneralSecurityException(e);
        }
        int i = 0;
        for (X509Certificate ca : cas) {
            anchors.setCertificateEntry("ca-" + i++, ca);
        }
        PKIXBuilderParameters parameters = new PKIXBuilderParameters(anchors, new X509CertSelector());
        if (crls == null) {
            parameters.setRevocationEnabled(false);
        } else {
            parameters.addCertStore(CertStore.getInstance("Collection", new CollectionCertStoreParameters(crls)));
            PKIXRevocationChecker checker = (PKIXRevocationChecker) CertPathValidator.getInstance("PKIX")
                    .getRevocationChecker();
            checker.setOptions(EnumSet.of(PKIXRevocationChecker.Option.PREFER_CRLS,
                    PKIXRevocationChecker.Option.NO_FALLBACK));
            parameters.setRevocationEnabled(true);
            parameters.addCertPathChecker(checker);
        }
        TrustManagerFactory factory = TrustManagerFactory.getInstance("PKIX");
        factory.init(new CertPathTrustManagerParameters(parameters));
        return factory;
    }

    /** The context for a handshake that names {@code serverName} (null: none named). */
    public SslContext contextFor(String serverName) {
        return byServerName.map(serverName);
    }

    /** Whether clients may choose HTTP/2 by ALPN. */
    public boolean offersHttp2() {
        return config.alpnProtocols().contains(ListenerTlsConfig.HTTP_2);
    }

    public ListenerTlsConfig config() {
        return config;
    }

    /** The Strict-Transport-Security value for responses, or null. */
    public String strictTransportSecurity() {
        return strictTransportSecurity;
    }
}
