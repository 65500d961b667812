package dev.lbaas.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.lbaas.api.v1alpha1.LbaasStatus;
import dev.lbaas.api.v1alpha1.Listener;
import dev.lbaas.api.v1alpha1.LoadBalancer;
import dev.lbaas.api.v1alpha1.ProvisioningStatus;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.math.BigInteger;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The seed scenario behind TLS termination, on a real API server with the operator and a local
 * amphora: web1 and web2 behind a TERMINATED_HTTPS listener whose certificate is a
 * kubernetes.io/tls Secret shaped as cert-manager writes it (issued here by openssl, its RSA key in
 * PKCS#1 form), asked by curl; a renewed Secret served to new handshakes; a broken one and a
 * missing one named on the listener while it keeps serving; SNI certificates; re-encryption to
 * members; HTTP/2 from clients (curl, by ALPN and in cleartext) and to a member (Node's http2 server).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TlsTerminationIT {

    private static final String NAMESPACE = "tls";
    private static Path dir;
    private static LocalSystem system;
    private static KubernetesClient client;
    private static DemoWebServer web1;
    private static DemoWebServer web2;
    private static String vip;
    private static BigInteger servedSerial;

    @BeforeAll
    static void start() throws Exception {
        dir = Files.createTempDirectory("lbaas-tls-");
        system = LocalSystem.start(ProjectLayout.current(), dir.resolve("system"),
                System.getProperty("lbaas.kube.version", "1.34.4"));
        client = system.client();
        web1 = new DemoWebServer("web1", "127.0.0.1", 0).start();
        web2 = new DemoWebServer("web2", "127.0.0.1", 0).start();
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(NAMESPACE).endMetadata()
                .build()).create();
        openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.crt", "-days", "2",
                "-subj", "/CN=lbaas e2e CA");
    }

    @AfterAll
    static void stop() {
        Statuses.closeAll(web1, web2, system);
    }

    @Test
    @Order(1)
    void theSeedScenarioIsServedOverTlsToCurl() throws Exception {
        system.apply(NAMESPACE, List.of(tlsSecret("www-tls", "www.example.com")));
        apply("""
                apiVersion: lbaas.dev/v1alpha1
                kind: LoadBalancer
                metadata: {name: lb-web}
                spec: {}
                ---
                apiVersion: lbaas.dev/v1alpha1
                kind: Pool
                metadata: {name: pool-web}
                spec: {loadBalancerRef: lb-web, protocol: HTTP}
                ---
                apiVersion: lbaas.dev/v1alpha1
                kind: Member
                metadata: {name: web1}
                spec: {poolRef: pool-web, address: 127.0.0.1, protocolPort: %d}
                ---
                apiVersion: lbaas.dev/v1alpha1
                kind: Member
                metadata: {name: web2}
                spec: {poolRef: pool-web, address: 127.0.0.1, protocolPort: %d}
                ---
                apiVersion: lbaas.dev/v1alpha1
                kind: Listener
                metadata: {name: listener-https}
                spec:
                  loadBalancerRef: lb-web
                  protocol: TERMINATED_HTTPS
                  protocolPort: 8443
                  defaultPoolRef: pool-web
                  insertHeaders: [X-Forwarded-Proto]
                  tls: {defaultSecretRef: www-tls, hsts: {maxAgeSeconds: 31536000}}
                """.formatted(web1.port(), web2.port()));
        LoadBalancer lb = await().atMost(Duration.ofSeconds(90)).until(
                () -> client.resources(LoadBalancer.class).inNamespace(NAMESPACE).withName("lb-web").get(),
                l -> l != null && l.getStatus() != null && "True".equals(condition(l.getStatus(), "Ready").getStatus()));
        vip = lb.getStatus().getVipAddress();
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(
                condition(status("listener-https"), "Ready").getStatus()).isEqualTo("True"));

        // curl asks for h2 by ALPN, which the listener offers by default: HTTP/2 to the client,
        // HTTP/1.1 to the members.
        Set<String> bodies = new HashSet<>();
        for (int i = 0; i < 4; i++) {
            String response = curl("www.example.com", "/");
            assertThat(response).startsWith("HTTP/2 200").contains("strict-transport-security: max-age=31536000");
            bodies.add(response.substring(response.indexOf("\r\n\r\n") + 4).strip());
        }
        assertThat(bodies).as("round robin over web1 and web2, through TLS").containsExactlyInAnyOrder(
                "This is web1", "This is web2");
        servedSerial = serial("www.example.com");
    }

    @Test
    @Order(2)
    void aRenewedSecretIsServedToNewHandshakes() throws Exception {
        system.apply(NAMESPACE, List.of(tlsSecret("www-tls", "www.example.com")));
        BigInteger before = servedSerial;
        await().atMost(Duration.ofSeconds(30)).until(() -> !serial("www.example.com").equals(before));
        servedSerial = serial("www.example.com");
        assertThat(curl("www.example.com", "/")).startsWith("HTTP/2 200");
    }

    @Test
    @Order(3)
    void aBrokenSecretIsNamedOnTheListenerWhichKeepsItsCertificate() throws Exception {
        Secret current = client.secrets().inNamespace(NAMESPACE).withName("www-tls").get();
        Secret other = tlsSecret("other", "other.example.com");
        system.apply(NAMESPACE, List.of(new SecretBuilder().withNewMetadata().withName("www-tls").endMetadata()
                .withType("kubernetes.io/tls").withData(Map.of("tls.crt", current.getData().get("tls.crt"),
                        "tls.key", other.getData().get("tls.key"))).build()));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            LbaasStatus status = status("listener-https");
            assertThat(status.getProvisioningStatus()).isEqualTo(ProvisioningStatus.ERROR);
            assertThat(condition(status, "Accepted").getReason()).isEqualTo("InvalidCertificate");
            assertThat(condition(status, "Accepted").getMessage()).isEqualTo("tls.defaultSecretRef: Secret www-tls: "
                    + "the private key is not the key of the certificate for CN=www.example.com; its previous spec "
                    + "keeps being served");
        });
        assertThat(serial("www.example.com")).isEqualTo(servedSerial);
        assertThat(curl("www.example.com", "/")).startsWith("HTTP/2 200");
    }

    @Test
    @Order(4)
    void sniCertificatesServeTheirNamesOnceTheirSecretExists() throws Exception {
        system.apply(NAMESPACE, List.of(tlsSecret("www-tls", "www.example.com")));
        Listener listener = client.resources(Listener.class).inNamespace(NAMESPACE).withName("listener-https").get();
        listener.getSpec().getTls().setSniSecretRefs(List.of("api-tls"));
        listener.getMetadata().setManagedFields(null);
        listener.getMetadata().setResourceVersion(null);
        listener.setStatus(null);
        system.apply(NAMESPACE, List.of(listener));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            Condition resolved = condition(status("listener-https"), "ResolvedRefs");
            assertThat(resolved.getReason()).isEqualTo("SecretNotFound");
            assertThat(resolved.getMessage()).isEqualTo("tls.sniSecretRefs[0]: Secret api-tls does not exist in "
                    + "namespace tls; its previous spec keeps being served");
        });
        assertThat(curl("www.example.com", "/")).startsWith("HTTP/2 200");

        system.apply(NAMESPACE, List.of(tlsSecret("api-tls", "api.example.com")));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(
                condition(status("listener-https"), "Ready").getStatus()).isEqualTo("True"));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(curl("api.example.com", "/"))
                .startsWith("HTTP/2 200"));
        assertThat(subject("api.example.com")).isEqualTo("CN=api.example.com");
        assertThat(subject("unknown.example.com")).as("the default certificate").isEqualTo("CN=www.example.com");
    }

    @Test
    @Order(5)
    void theExampleIsAdmitted() throws Exception {
        List<HasMetadata> items = client.load(Files.newInputStream(ProjectLayout.current().examples()
                .resolve("tls-termination.yaml"))).items();
        assertThat(items).extracting(HasMetadata::getKind).containsExactly("Listener");
        for (HasMetadata item : items) {
            item.getMetadata().setNamespace(NAMESPACE);
            item.getMetadata().setName("example-https");
            assertThat(client.resource(item).dryRun().create().getMetadata().getName()).isEqualTo("example-https");
        }
    }

    @Test
    @Order(6)
    void aPoolReencryptsToMembersItVerifies() throws Exception {
        // a member that terminates TLS itself: openssl s_server with a certificate of the test CA
        Secret memberSecret = tlsSecret("members", "members.example.com");
        int memberPort = freePort();
        Process member = new ProcessBuilder("openssl", "s_server", "-accept", "127.0.0.1:" + memberPort, "-cert",
                "members.crt", "-key", "members.key", "-www", "-quiet").directory(dir.toFile())
                .redirectErrorStream(true).redirectOutput(dir.resolve("s_server.log").toFile()).start();
        try {
            assertThat(memberSecret.getData()).containsKey("ca.crt");
            system.apply(NAMESPACE, List.of(new SecretBuilder().withNewMetadata().withName("members-ca").endMetadata()
                    .withType("Opaque").withData(Map.of("ca.crt", memberSecret.getData().get("ca.crt"))).build()));
            apply("""
                    apiVersion: lbaas.dev/v1alpha1
                    kind: Pool
                    metadata: {name: pool-reencrypt}
                    spec:
                      loadBalancerRef: lb-web
                      protocol: HTTP
                      tls: {caSecretRef: members-ca, serverName: members.example.com}
                    ---
                    apiVersion: lbaas.dev/v1alpha1
                    kind: Member
                    metadata: {name: tls-member}
                    spec: {poolRef: pool-reencrypt, address: 127.0.0.1, protocolPort: %d}
                    ---
                    apiVersion: lbaas.dev/v1alpha1
                    kind: Listener
                    metadata: {name: listener-reencrypt}
                    spec: {loadBalancerRef: lb-web, protocol: HTTP, protocolPort: 8081, defaultPoolRef: pool-reencrypt}
                    """.formatted(memberPort));
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(
                    condition(status("listener-reencrypt"), "Ready").getStatus()).isEqualTo("True"));
            // s_server's -www page tells the session it served: the request reached it over TLS
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                Curl.Response response = Curl.get(vip, 8081, "/");
                assertThat(response.status()).isEqualTo(200);
                assertThat(response.body()).contains("Protocol  : TLSv1.3");
            });

            // a name the member's certificate is not for: no handshake, and the client hears so
            apply("""
                    apiVersion: lbaas.dev/v1alpha1
                    kind: Pool
                    metadata: {name: pool-reencrypt}
                    spec:
                      loadBalancerRef: lb-web
                      protocol: HTTP
                      tls: {caSecretRef: members-ca, serverName: elsewhere.example.com}
                    """);
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(Curl.get(vip, 8081, "/").status())
                    .isGreaterThanOrEqualTo(500));
        } finally {
            member.destroy();
        }
    }

    @Test
    @Order(7)
    void aPoolSpeaksHttp2ToItsMembersAndAListenerTakesH2c() throws Exception {
        // a member that speaks HTTP/2 only, over TLS: Node's http2 server, with the members' certificate
        int memberPort = freePort();
        Files.writeString(dir.resolve("h2-member.js"), """
                const fs = require('fs');
                const http2 = require('http2');
                http2.createSecureServer({key: fs.readFileSync('members.key'), cert: fs.readFileSync('members.crt')},
                    (request, response) => response.end(
                        'HTTP/' + request.httpVersion + ' te=' + request.headers['te'] + '\\n'))
                  .listen(%d, '127.0.0.1');
                """.formatted(memberPort));
        Process node = new ProcessBuilder(nodeBinary(), "h2-member.js").directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("h2-member.log").toFile()).start();
        try {
            apply("""
                    apiVersion: lbaas.dev/v1alpha1
                    kind: Pool
                    metadata: {name: pool-h2}
                    spec:
                      loadBalancerRef: lb-web
                      protocol: HTTP
                      http2: true
                      tls: {caSecretRef: members-ca, serverName: members.example.com}
                    ---
                    apiVersion: lbaas.dev/v1alpha1
                    kind: Member
                    metadata: {name: h2-member}
                    spec: {poolRef: pool-h2, address: 127.0.0.1, protocolPort: %d}
                    ---
                    apiVersion: lbaas.dev/v1alpha1
                    kind: Listener
                    metadata: {name: listener-h2c}
                    spec: {loadBalancerRef: lb-web, protocol: HTTP, protocolPort: 8082, defaultPoolRef: pool-h2,
                           h2cPriorKnowledge: true}
                    """.formatted(memberPort));
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(
                    condition(status("listener-h2c"), "Ready").getStatus()).isEqualTo("True"));
            // HTTP/2 in cleartext from curl, HTTP/2 over TLS to the member
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(curlH2c(vip, 8082, "/"))
                    .isEqualTo("HTTP/2.0 te=trailers\n 2"));
            // and HTTP/1.1 clients on the same port
            Curl.Response http11 = Curl.get(vip, 8082, "/");
            assertThat(http11.status()).isEqualTo(200);
            assertThat(http11.body()).isEqualTo("HTTP/2.0 te=trailers\n");
        } finally {
            node.destroy();
        }
    }

    /** A port no one listens on now, for a member this test starts. */
    private static int freePort() throws java.io.IOException {
        try (java.net.ServerSocket free = new java.net.ServerSocket(0)) {
            return free.getLocalPort();
        }
    }

    /** curl's body and HTTP version for an h2c request with prior knowledge. */
    private static String curlH2c(String host, int port, String path) throws Exception {
        Process process = new ProcessBuilder("curl", "-sS", "--max-time", "5", "--http2-prior-knowledge", "-w",
                " %{http_version}", "http://" + host + ":" + port + path).redirectErrorStream(true).start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(10, TimeUnit.SECONDS)).isTrue();
        return out;
    }

    /** Node.js 18 or newer, found or installed by the project's script. */
    private static String nodeBinary() throws Exception {
        Process find = new ProcessBuilder("bash", ProjectLayout.current().script("node.sh").toString())
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String path = new String(find.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertThat(find.waitFor()).as("scripts/node.sh").isZero();
        return path;
    }

    /** A kubernetes.io/tls Secret as cert-manager writes it, issued by the test CA with openssl. */
    private static Secret tlsSecret(String name, String host) throws Exception {
        openssl("genrsa", "-traditional", "-out", name + ".key", "2048");
        openssl("req", "-new", "-key", name + ".key", "-subj", "/CN=" + host, "-out", name + ".csr");
        Files.writeString(dir.resolve(name + ".ext"), "subjectAltName=DNS:" + host + "\n");
        openssl("x509", "-req", "-in", name + ".csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial",
                "-days", "1", "-extfile", name + ".ext", "-out", name + ".crt");
        Base64.Encoder base64 = Base64.getEncoder();
        return new SecretBuilder().withNewMetadata().withName(name).endMetadata().withType("kubernetes.io/tls")
                .withData(Map.of("tls.crt", base64.encodeToString(Files.readAllBytes(dir.resolve(name + ".crt"))),
                        "tls.key", base64.encodeToString(Files.readAllBytes(dir.resolve(name + ".key"))),
                        "ca.crt", base64.encodeToString(Files.readAllBytes(dir.resolve("ca.crt")))))
                .build();
    }

    private static void openssl(String... arguments) throws Exception {
        List<String> command = new ArrayList<>(List.of("openssl"));
        command.addAll(List.of(arguments));
        Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(String.join(" ", command) + ": " + out).isZero();
    }

    /** curl's response (head and body) for https://host:8443/path, the host resolved to the VIP. */
    private static String curl(String host, String path) throws Exception {
        Process process = new ProcessBuilder("curl", "-sS", "--max-time", "5", "--cacert",
                dir.resolve("ca.crt").toString(), "--resolve", host + ":8443:" + vip, "-i",
                "https://" + host + ":8443" + path).redirectErrorStream(true).start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as("curl: " + out).isZero();
        return out;
    }

    /** The certificate a new handshake naming {@code host} gets, by a JDK client trusting the test CA. */
    private static X509Certificate served(String host) throws Exception {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("ca", CertificateFactory.getInstance("X.509")
                .generateCertificate(Files.newInputStream(dir.resolve("ca.crt"))));
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(trust);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, factory.getTrustManagers(), null);
        try (SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket()) {
            socket.connect(new InetSocketAddress(vip, 8443), 2000);
            SSLParameters parameters = socket.getSSLParameters();
            parameters.setServerNames(List.of(new SNIHostName(host)));
            socket.setSSLParameters(parameters);
            socket.startHandshake();
            return (X509Certificate) socket.getSession().getPeerCertificates()[0];
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static BigInteger serial(String host) throws Exception {
        return served(host).getSerialNumber();
    }

    private static String subject(String host) throws Exception {
        return served(host).getSubjectX500Principal().getName();
    }

    private static void apply(String yaml) {
        List<HasMetadata> items = client.load(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8))).items();
        system.apply(NAMESPACE, items);
    }

    private static LbaasStatus status(String listener) {
        return Statuses.status(client, NAMESPACE, Listener.class, listener);
    }

    private static Condition condition(LbaasStatus status, String type) {
        return Statuses.condition(status, type);
    }
}
