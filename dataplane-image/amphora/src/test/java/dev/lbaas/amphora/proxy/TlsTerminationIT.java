package dev.lbaas.amphora.proxy;

import static dev.lbaas.amphora.testing.Configs.config;
import static dev.lbaas.amphora.testing.Configs.freePort;
import static dev.lbaas.amphora.testing.Configs.member;
import static dev.lbaas.amphora.testing.Configs.pool;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lbaas.amphora.config.HstsConfig;
import dev.lbaas.amphora.config.L7PolicyConfig;
import dev.lbaas.amphora.config.L7RuleConfig;
import dev.lbaas.amphora.config.ListenerConfig;
import dev.lbaas.amphora.config.ListenerProtocol;
import dev.lbaas.amphora.config.ListenerTlsConfig;
import dev.lbaas.amphora.config.ListenerTlsConfig.ClientAuthentication;
import dev.lbaas.amphora.config.PoolProtocol;
import dev.lbaas.amphora.config.TlsCertificateConfig;
import dev.lbaas.amphora.testing.NamedHttpBackend;
import dev.lbaas.amphora.testing.RawHttp;
import dev.lbaas.amphora.testing.RunningDataplane;
import dev.lbaas.amphora.testing.TlsIdentities;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;

/**
 * TERMINATED_HTTPS listeners with real TLS clients (the JDK's, and openssl s_client): the
 * certificate chosen by server name, versions, ciphers and ALPN as configured, a rotated
 * certificate served to new handshakes while open connections keep theirs, HSTS and
 * X-Forwarded-Proto, and client certificates checked against the listener's CA and revocation
 * list, told to members in X-SSL-* headers and to L7 rules.
 */
class TlsTerminationIT {

    private static final String VIP = "127.1.15.1";

    /** One HTTPS connection of a JDK client. */
    private static final class Client implements AutoCloseable {
        final SSLSocket socket;
        final InputStream in;

        Client(SSLContext context, int port, String serverName, String... protocols) throws IOException {
            socket = (SSLSocket) context.getSocketFactory().createSocket();
            socket.connect(new InetSocketAddress(VIP, port), 2000);
            socket.setSoTimeout(5000);
            SSLParameters parameters = socket.getSSLParameters();
            if (serverName != null) {
                parameters.setServerNames(List.of(new SNIHostName(serverName)));
            }
            if (protocols.length > 0) {
                parameters.setProtocols(protocols);
            }
            parameters.setApplicationProtocols(new String[] {"http/1.1"});
            socket.setSSLParameters(parameters);
            socket.startHandshake();
            in = socket.getInputStream();
        }

        X509Certificate serverCertificate() throws IOException {
            return (X509Certificate) socket.getSession().getPeerCertificates()[0];
        }

        String get(String path) throws IOException {
            socket.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: www.example.com\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            String head = RawHttp.readHead(in);
            int length = 0;
            for (String line : head.split("\r\n")) {
                if (line.toLowerCase().startsWith("content-length:")) {
                    length = Integer.parseInt(line.substring(15).trim());
                }
            }
            return head + new String(in.readNBytes(length), StandardCharsets.US_ASCII);
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    private static ListenerConfig https(int port, ListenerTlsConfig tls, List<String> insertHeaders,
            List<L7PolicyConfig> policies) {
        return new ListenerConfig("l", null, ListenerProtocol.TERMINATED_HTTPS, port, -1, true, "web", null, null,
                insertHeaders, policies, tls);
    }

    private static ListenerTlsConfig tls(TlsCertificateConfig defaultCertificate, List<TlsCertificateConfig> sni) {
        return new ListenerTlsConfig(defaultCertificate, sni, null, null, null, null, null, null,
                new HstsConfig(31_536_000, true, false));
    }

    private static String commonName(X509Certificate certificate) {
        return TlsCertificateConfig.commonName(certificate);
    }

    @Test
    void theCertificateFollowsTheServerNameAndARotatedOneServesNewHandshakes() throws Exception {
        TlsIdentities pki = new TlsIdentities("sni");
        TlsCertificateConfig fallback = pki.server("default", "default.example.com");
        TlsCertificateConfig www = pki.server("www", "www.example.com");
        TlsCertificateConfig api = pki.server("api", "*.api.example.com");
        SSLContext client = pki.clientContext(null);
        try (RunningDataplane amphora = new RunningDataplane(); NamedHttpBackend web = new NamedHttpBackend("web")) {
            int port = freePort(VIP);
            var webPool = pool("web", PoolProtocol.HTTP, null, member("w", web.port(), 1));
            amphora.apply(config(1, VIP, List.of(https(port, tls(fallback, List.of(www, api)),
                    List.of("X-Forwarded-Proto"), null)), webPool));

            try (Client a = new Client(client, port, "www.example.com")) {
                assertThat(commonName(a.serverCertificate())).isEqualTo("www.example.com");
                assertThat(a.socket.getApplicationProtocol()).isEqualTo("http/1.1");
                String response = a.get("/");
                assertThat(response).startsWith("HTTP/1.1 200").endsWith("web")
                        .contains("strict-transport-security: max-age=31536000; includeSubDomains\r\n");
                assertThat(web.seenHeaders.get(web.seenHeaders.size() - 1).getFirst("X-Forwarded-Proto"))
                        .isEqualTo("https");
            }
            // each its own client, whose session cache offers no earlier session to resume
            try (Client b = new Client(pki.clientContext(null), port, "orders.API.example.com")) {
                assertThat(commonName(b.serverCertificate())).as("the wildcard").isEqualTo("*.api.example.com");
            }
            try (Client c = new Client(pki.clientContext(null), port, "deep.orders.api.example.com")) {
                assertThat(commonName(c.serverCertificate())).as("a wildcard matches one label")
                        .isEqualTo("default.example.com");
            }
            try (Client d = new Client(pki.clientContext(null), port, null)) {
                assertThat(commonName(d.serverCertificate())).as("no server name").isEqualTo("default.example.com");
            }

            // rotation: the open connection keeps its session and is served on; new handshakes get the new one
            try (Client open = new Client(client, port, "www.example.com")) {
                X509Certificate before = open.serverCertificate();
                TlsCertificateConfig renewed = pki.server("www", "www.example.com");
                amphora.apply(config(2, VIP, List.of(https(port, tls(fallback, List.of(renewed, api)),
                        List.of("X-Forwarded-Proto"), null)), webPool));
                try (Client fresh = new Client(client, port, "www.example.com")) {
                    assertThat(fresh.serverCertificate().getSerialNumber()).isNotEqualTo(before.getSerialNumber())
                            .isEqualTo(renewed.leaf().getSerialNumber());
                    assertThat(fresh.get("/")).endsWith("web");
                }
                assertThat(open.get("/")).startsWith("HTTP/1.1 200").endsWith("web");
                assertThat(open.serverCertificate().getSerialNumber()).isEqualTo(before.getSerialNumber());
            }

            // and openssl sees the same
            Process openssl = new ProcessBuilder("openssl", "s_client", "-connect", VIP + ":" + port, "-servername",
                    "www.example.com", "-alpn", "http/1.1").redirectErrorStream(true).start();
            openssl.getOutputStream().close();
            String out = new String(openssl.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(openssl.waitFor(10, TimeUnit.SECONDS)).isTrue();
            assertThat(out).contains("ALPN protocol: http/1.1").containsPattern("subject=\\s*CN\\s*=\\s*www.example.com");
        }
    }

    @Test
    void versionsAndCiphersAreTheListeners() throws Exception {
        TlsIdentities pki = new TlsIdentities("versions");
        TlsCertificateConfig certificate = pki.server("c", "www.example.com");
        SSLContext client = pki.clientContext(null);
        try (RunningDataplane amphora = new RunningDataplane(); NamedHttpBackend web = new NamedHttpBackend("web")) {
            int port = freePort(VIP);
            var webPool = pool("web", PoolProtocol.HTTP, null, member("w", web.port(), 1));
            amphora.apply(config(1, VIP, List.of(https(port, new ListenerTlsConfig(certificate, null,
                    List.of("TLSv1.3"), null, null, null, null, null, null), List.of(), null)), webPool));
            assertThatThrownBy(() -> new Client(client, port, "www.example.com", "TLSv1.2").close())
                    .isInstanceOf(SSLException.class);
            try (Client modern = new Client(client, port, "www.example.com")) {
                assertThat(modern.socket.getSession().getProtocol()).isEqualTo("TLSv1.3");
            }

            amphora.apply(config(2, VIP, List.of(https(port, new ListenerTlsConfig(certificate, null,
                    List.of("TLSv1.2"), "ECDHE-ECDSA-AES128-GCM-SHA256", null, null, null, null, null), List.of(),
                    null)), webPool));
            try (Client tls12 = new Client(client, port, "www.example.com")) {
                assertThat(tls12.socket.getSession().getProtocol()).isEqualTo("TLSv1.2");
                assertThat(tls12.socket.getSession().getCipherSuite())
                        .isEqualTo("TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256");
                assertThat(tls12.get("/")).endsWith("web");
            }
        }
    }

    @Test
    void clientCertificatesAreCheckedAndToldToMembersAndRules() throws Exception {
        TlsIdentities pki = new TlsIdentities("clients");
        TlsCertificateConfig certificate = pki.server("c", "www.example.com");
        TlsIdentities.Identity alice = pki.client("CN=alice,OU=ops,O=Example");
        TlsIdentities.Identity mallory = pki.client("CN=mallory,OU=ops,O=Example");
        TlsIdentities stranger = new TlsIdentities("stranger");
        List<String> headers = List.of("X-SSL-Client-Verify", "X-SSL-Client-Has-Cert", "X-SSL-Client-DN",
                "X-SSL-Client-CN", "X-SSL-Issuer", "X-SSL-Client-SHA1", "X-SSL-Client-Not-Before",
                "X-SSL-Client-Not-After");
        try (RunningDataplane amphora = new RunningDataplane(); NamedHttpBackend web = new NamedHttpBackend("web")) {
            int port = freePort(VIP);
            var webPool = pool("web", PoolProtocol.HTTP, null, member("w", web.port(), 1));
            amphora.apply(config(1, VIP, List.of(https(port, new ListenerTlsConfig(certificate, null, null, null,
                    null, ClientAuthentication.MANDATORY, pki.caPem(), pki.crlRevoking(mallory.certificate()), null),
                    headers, null)), webPool));
            try (Client client = new Client(pki.clientContext(alice), port, "www.example.com")) {
                assertThat(client.get("/")).startsWith("HTTP/1.1 200").endsWith("web");
            }
            var seen = web.seenHeaders.get(web.seenHeaders.size() - 1);
            assertThat(seen.getFirst("X-SSL-Client-Verify")).isEqualTo("0");
            assertThat(seen.getFirst("X-SSL-Client-Has-Cert")).isEqualTo("1");
            assertThat(seen.getFirst("X-SSL-Client-CN")).isEqualTo("alice");
            // OpenSSL's one-line form, as HAProxy's ssl_c_s_dn and ssl_c_i_dn give them
            assertThat(seen.getFirst("X-SSL-Client-DN")).isEqualTo("/CN=alice/OU=ops/O=Example");
            assertThat(seen.getFirst("X-SSL-Issuer")).isEqualTo("/CN=clients CA");
            assertThat(seen.getFirst("X-SSL-Client-SHA1")).hasSize(40).matches("[0-9A-F]+");
            assertThat(seen.getFirst("X-SSL-Client-Not-After")).matches("[0-9]{12}Z");
            // no certificate, a revoked one, one from another CA: no handshake, no request
            int before = web.seenHeaders.size();
            for (SSLContext refused : List.of(pki.clientContext(null), pki.clientContext(mallory),
                    stranger.clientContext(stranger.client("CN=alice,OU=ops,O=Example")))) {
                assertThatThrownBy(() -> {
                    try (Client client = new Client(refused, port, "www.example.com")) {
                        client.get("/");
                    }
                }).isInstanceOf(IOException.class);
            }
            assertThat(web.seenHeaders).hasSize(before);

            // OPTIONAL: a client without a certificate gets in, and an L7 rule can still turn it away
            L7PolicyConfig certificateOnlyForAdmin = new L7PolicyConfig("admin", null, 1, L7PolicyConfig.Action.REJECT,
                    null, null, null, 0, List.of(
                            new L7RuleConfig("admin", L7RuleConfig.Type.PATH, L7RuleConfig.CompareType.STARTS_WITH,
                                    null, "/admin", false),
                            new L7RuleConfig("no-ops", L7RuleConfig.Type.SSL_DN_FIELD, L7RuleConfig.CompareType.EQUAL_TO,
                                    "OU", "ops", true)));
            amphora.apply(config(2, VIP, List.of(https(port, new ListenerTlsConfig(certificate, null, null, null,
                    null, ClientAuthentication.OPTIONAL, pki.caPem(), null, null), headers,
                    List.of(certificateOnlyForAdmin))), webPool));
            try (Client anonymous = new Client(pki.clientContext(null), port, "www.example.com")) {
                assertThat(anonymous.get("/")).startsWith("HTTP/1.1 200");
                seen = web.seenHeaders.get(web.seenHeaders.size() - 1);
                assertThat(seen.getFirst("X-SSL-Client-Has-Cert")).isEqualTo("0");
                assertThat(seen.getFirst("X-SSL-Client-CN")).isNull();
            }
            try (Client anonymous = new Client(pki.clientContext(null), port, "www.example.com")) {
                assertThat(anonymous.get("/admin")).startsWith("HTTP/1.1 403");
            }
            try (Client ops = new Client(pki.clientContext(alice), port, "www.example.com")) {
                assertThat(ops.get("/admin")).startsWith("HTTP/1.1 200");
            }
        }
    }
}
