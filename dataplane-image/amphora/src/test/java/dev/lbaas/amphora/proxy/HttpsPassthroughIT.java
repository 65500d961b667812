package dev.lbaas.amphora.proxy;

import static dev.lbaas.amphora.testing.Configs.config;
import static dev.lbaas.amphora.testing.Configs.freePort;
import static dev.lbaas.amphora.testing.Configs.listener;
import static dev.lbaas.amphora.testing.Configs.member;
import static dev.lbaas.amphora.testing.Configs.pool;
import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsExchange;
import com.sun.net.httpserver.HttpsServer;
import dev.lbaas.amphora.config.ListenerProtocol;
import dev.lbaas.amphora.config.PoolProtocol;
import dev.lbaas.amphora.config.TrafficStats;
import dev.lbaas.amphora.testing.RunningDataplane;
import dev.lbaas.amphora.testing.TestPki;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An HTTPS listener passes TLS through as TCP: the client's handshake is with the member, whose
 * certificate it verifies for the VIP's address, and the amphora never sees plain text. The
 * amphora has no certificate at all here, so a successful handshake can only be the member's.
 */
class HttpsPassthroughIT {

    private static final String VIP = "127.1.10.1";

    @TempDir
    Path dir;

    @Test
    void theClientHandshakesWithTheMemberThroughTheListener() throws Exception {
        TestPki pki = new TestPki(dir);
        ExecutorService executor = Executors.newCachedThreadPool();
        HttpsServer member = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 10);
        // the certificate names the VIP: that is the address clients verify
        member.setHttpsConfigurator(new HttpsConfigurator(pki.serverContext(VIP)));
        member.setExecutor(executor);
        member.createContext("/", exchange -> {
            byte[] body = ("tls-member over " + ((HttpsExchange) exchange).getSSLSession().getProtocol())
                    .getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        member.start();
        try (RunningDataplane amphora = new RunningDataplane()) {
            int port = freePort(VIP);
            amphora.apply(config(1, VIP, List.of(listener("https", ListenerProtocol.HTTPS, port, "p")),
                    pool("p", PoolProtocol.HTTPS, null, member("m", member.getAddress().getPort(), 1))));
            HttpClient client = HttpClient.newBuilder().sslContext(pki.anonymousClient())
                    .version(HttpClient.Version.HTTP_1_1).build();

            HttpResponse<String> response = client.send(
                    HttpRequest.newBuilder(URI.create("https://" + VIP + ":" + port + "/")).build(),
                    HttpResponse.BodyHandlers.ofString());

            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.body()).startsWith("tls-member over TLSv1.");
            X509Certificate presented = (X509Certificate) response.sslSession().orElseThrow()
                    .getPeerCertificates()[0];
            assertThat(presented.getSubjectX500Principal().getName()).isEqualTo("CN=member");
            TrafficStats stats = amphora.dataplane.status().listeners().get(0).stats();
            // the handshake and the encrypted request went through the listener as opaque bytes
            assertThat(stats.totalConnections()).isEqualTo(1);
            assertThat(stats.bytesIn()).isGreaterThan(0);
            assertThat(stats.bytesOut()).isGreaterThan(0);
        } finally {
            member.stop(0);
            executor.shutdownNow();
        }
    }
}
