package dev.lbaas.operator.model;

import static dev.lbaas.operator.model.Fixtures.listener;
import static dev.lbaas.operator.model.Fixtures.loadBalancer;
import static dev.lbaas.operator.model.Fixtures.pool;
import static org.assertj.core.api.Assertions.assertThat;

import dev.lbaas.amphora.config.AmphoraConfig;
import dev.lbaas.amphora.config.ListenerConfig;
import dev.lbaas.api.v1alpha1.Hsts;
import dev.lbaas.api.v1alpha1.Listener;
import dev.lbaas.api.v1alpha1.ListenerProtocol;
import dev.lbaas.api.v1alpha1.ListenerTls;
import dev.lbaas.api.v1alpha1.LoadBalancer;
import dev.lbaas.api.v1alpha1.Pool;
import dev.lbaas.api.v1alpha1.PoolProtocol;
import io.fabric8.kubernetes.api.model.Secret;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * TERMINATED_HTTPS listeners rendered with the Secrets they name: certificates given to the
 * amphora in the form it loads, and a missing or bad Secret kept with the listener, which serves
 * its previous certificate meanwhile.
 */
class TlsRenderingTest {

    private static final String VIP = "127.0.0.9";
    private static Secret www;
    private static Secret api;

    private final LoadBalancer lb = loadBalancer("lb");
    private final Pool web = pool("web", "lb", PoolProtocol.HTTP);

    @BeforeAll
    static void certificates() throws Exception {
        www = TestCertificates.tlsSecret("www-tls", "www.example.com");
        api = TestCertificates.tlsSecret("api-tls", "api.example.com");
    }

    private static Listener https(String defaultSecret, String... sniSecrets) {
        Listener listener = listener("https", "lb", ListenerProtocol.TERMINATED_HTTPS, 443, "web");
        ListenerTls tls = new ListenerTls();
        tls.setDefaultSecretRef(defaultSecret);
        tls.setSniSecretRefs(sniSecrets.length == 0 ? null : List.of(sniSecrets));
        Hsts hsts = new Hsts();
        hsts.setMaxAgeSeconds(600);
        tls.setHsts(hsts);
        listener.getSpec().setTls(tls);
        return listener;
    }

    private RenderedConfig render(Listener listener, AmphoraConfig previous, Instant now, Secret... secrets) {
        Map<String, Secret> byName = new HashMap<>();
        for (Secret secret : secrets) {
            byName.put(secret.getMetadata().getName(), secret);
        }
        LoadBalancerTree tree = LoadBalancerTree.select(lb, List.of(listener), List.of(web), List.of(), List.of())
                .withSecrets(new TlsSecrets(byName, now));
        return ConfigRenderer.render(tree, VIP, previous == null ? 1 : previous.generation() + 1, previous);
    }

    @Test
    void certificatesReachTheAmphoraAsItLoadsThem() {
        Listener listener = https("www-tls", "api-tls");
        RenderedConfig rendered = render(listener, null, Instant.now(), www, api);
        ListenerConfig config = rendered.config().listeners().get(0);
        assertThat(rendered.verdict(listener.getMetadata().getUid())).isEqualTo(Verdict.OK);
        assertThat(config.tls().defaultCertificate().serverNames()).containsExactly("www.example.com");
        assertThat(config.tls().defaultCertificate().privateKey()).as("cert-manager's PKCS#1 key, as PKCS#8")
                .startsWith("-----BEGIN PRIVATE KEY-----");
        assertThat(config.tls().sniCertificates()).singleElement()
                .satisfies(sni -> assertThat(sni.serverNames()).containsExactly("api.example.com"));
        assertThat(config.tls().hsts().maxAgeSeconds()).isEqualTo(600);
        assertThat(config.tls().tlsVersions()).containsExactly("TLSv1.2", "TLSv1.3");
    }

    @Test
    void aMissingSecretMakesTheListenerWaitAndABadOneKeepsItsPreviousCertificate() throws Exception {
        Listener listener = https("www-tls", "api-tls");
        RenderedConfig missing = render(listener, null, Instant.now(), www);
        assertThat(missing.config().listeners()).isEmpty();
        Verdict waiting = missing.verdict(listener.getMetadata().getUid());
        assertThat(waiting.accepted()).isTrue();
        assertThat(waiting.resolvedRefs()).isFalse();
        assertThat(waiting.isError()).isFalse();
        assertThat(waiting.reason()).isEqualTo("SecretNotFound");
        assertThat(waiting.message()).isEqualTo("tls.sniSecretRefs[0]: Secret api-tls does not exist in namespace default");

        AmphoraConfig served = render(listener, null, Instant.now(), www, api).config();
        Secret broken = TestCertificates.mismatched("www-tls", www, api);
        RenderedConfig rendered = render(listener, served, Instant.now(), broken, api);
        assertThat(rendered.config().listeners()).singleElement().satisfies(config -> assertThat(
                config.tls().defaultCertificate()).isEqualTo(served.listeners().get(0).tls().defaultCertificate()));
        Verdict kept = rendered.verdict(listener.getMetadata().getUid());
        assertThat(kept.serving()).isEqualTo(Verdict.Serving.PREVIOUS);
        assertThat(kept.reason()).isEqualTo("InvalidCertificate");
        assertThat(kept.message()).isEqualTo("tls.defaultSecretRef: Secret www-tls: the private key is not the key of "
                + "the certificate for CN=www.example.com; its previous spec keeps being served");
    }

    @Test
    void expiredAndFutureCertificatesAreNamedWithTheirDates() throws Exception {
        Instant now = Instant.parse("2026-12-05T12:00:00Z");
        Secret expired = TestCertificates.tlsSecret("www-tls", "www.example.com", now.minusSeconds(86_400),
                now.minusSeconds(60));
        RenderedConfig rendered = render(https("www-tls"), null, now, expired);
        assertThat(rendered.verdict("https").reason()).isEqualTo("CertificateExpired");
        assertThat(rendered.verdict("https").message()).isEqualTo("tls.defaultSecretRef: Secret www-tls: its "
                + "certificate for CN=www.example.com expired at 2026-12-05T11:59:00Z; renew it");
        Secret future = TestCertificates.tlsSecret("www-tls", "www.example.com", now.plusSeconds(60),
                now.plusSeconds(86_400));
        assertThat(render(https("www-tls"), null, now, future).verdict("https").reason())
                .isEqualTo("CertificateNotYetValid");
        Secret noKey = TestCertificates.secret("www-tls", "Opaque", Map.of("tls.crt", "x"));
        assertThat(render(https("www-tls"), null, now, noKey).verdict("https").message())
                .isEqualTo("tls.defaultSecretRef: Secret www-tls has no tls.key");
    }

    @Test
    void settingsNoHandshakeCouldSucceedWithAreNamedOnTheListener() {
        Listener listener = https("www-tls");
        listener.getSpec().getTls().setVersions(List.of(ListenerTls.Version.TLS_1_2));
        listener.getSpec().getTls().setCiphers("ECDHE-ECDSA-AES128-GCM-SHA256");
        RenderedConfig rendered = render(listener, null, Instant.now(), www);
        assertThat(rendered.config().listeners()).isEmpty();
        assertThat(rendered.verdict("https").reason()).isEqualTo("IncompatibleTlsSettings");
        assertThat(rendered.verdict("https").message()).isEqualTo("tls.ciphers: with TLSv1.2 alone, no suite suits the "
                + "RSA key of certificate www-tls (ECDHE-RSA or DHE-RSA suites do), so no handshake could succeed");
    }

    @Test
    void aPoolReencryptsWithItsSecretsOrWaitsForThem() throws Exception {
        Pool reencrypting = pool("web", "lb", PoolProtocol.HTTP);
        dev.lbaas.api.v1alpha1.PoolTls tls = new dev.lbaas.api.v1alpha1.PoolTls();
        tls.setCaSecretRef("members-ca");
        tls.setClientCertificateSecretRef("www-tls");
        tls.setServerName("members.example.com");
        reencrypting.getSpec().setTls(tls);
        Listener plain = listener("http", "lb", ListenerProtocol.HTTP, 80, "web");
        Secret ca = TestCertificates.secret("members-ca", "Opaque", Map.of("ca.crt",
                new String(java.util.Base64.getDecoder().decode(api.getData().get("tls.crt")))));

        LoadBalancerTree tree = LoadBalancerTree.select(lb, List.of(plain), List.of(reencrypting), List.of(), List.of())
                .withSecrets(new TlsSecrets(Map.of("members-ca", ca, "www-tls", www), Instant.now()));
        RenderedConfig rendered = ConfigRenderer.render(tree, VIP, 1, null);
        assertThat(rendered.verdict("web")).isEqualTo(Verdict.OK);
        assertThat(rendered.config().pools()).singleElement().satisfies(pool -> {
            assertThat(pool.tls().serverName()).isEqualTo("members.example.com");
            assertThat(pool.tls().caCertificates()).hasSize(1);
            assertThat(pool.tls().clientCertificate().serverNames()).containsExactly("www.example.com");
        });

        LoadBalancerTree missing = tree.withSecrets(new TlsSecrets(Map.of("www-tls", www), Instant.now()));
        RenderedConfig waiting = ConfigRenderer.render(missing, VIP, 1, null);
        assertThat(waiting.config().pools()).isEmpty();
        assertThat(waiting.verdict("web").reason()).isEqualTo("SecretNotFound");
        assertThat(waiting.verdict("web").message()).isEqualTo("tls.caSecretRef: Secret members-ca does not exist in "
                + "namespace default");
    }
}
