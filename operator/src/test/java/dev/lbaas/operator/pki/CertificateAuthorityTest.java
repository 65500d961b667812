package dev.lbaas.operator.pki;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Two-way TLS with certificates of the operator's CA, over a real loopback socket. */
class CertificateAuthorityTest {

    private final CertificateAuthority authority = CertificateAuthority.create("test CA");

    @Test
    void peersWithCertificatesOfTheSameCaTalk() throws Exception {
        SSLContext server = authority.sslContext(authority.issue("amphora-1", List.of("127.0.0.1"), List.of("amphora-1")));
        SSLContext client = authority.sslContext(authority.issue("lbaas-operator", List.of(), List.of("lbaas-operator")));

        assertThat(exchange(server, client)).isEqualTo("hello");
    }

    @Test
    void derivedSecretsDifferByPurposeAndByCa() {
        byte[] secret = authority.derivedSecret("failover-key/lb-1");
        assertThat(secret).hasSize(32);
        assertThat(authority.derivedSecret("failover-key/lb-2")).isNotEqualTo(secret);
        assertThat(CertificateAuthority.create("test CA").derivedSecret("failover-key/lb-1")).isNotEqualTo(secret);
    }

    @Test
    void aClientOfAnotherCaIsRefused() {
        SSLContext server = authority.sslContext(authority.issue("amphora-1", List.of("127.0.0.1"), List.of()));
        CertificateAuthority stranger = CertificateAuthority.create("someone else");
        SSLContext client = stranger.sslContext(stranger.issue("intruder", List.of(), List.of()));

        assertThatThrownBy(() -> exchange(server, client)).isInstanceOf(Exception.class);
    }

    @Test
    void theCaSurvivesARestart(@TempDir Path directory) throws Exception {
        CertificateAuthority first = CertificateAuthority.loadOrCreate(directory);
        CertificateAuthority again = CertificateAuthority.loadOrCreate(directory);

        assertThat(again.certificatePem()).isEqualTo(first.certificatePem());
        assertThat(Files.getPosixFilePermissions(directory.resolve("ca.key")))
                .containsExactlyInAnyOrder(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
        SSLContext server = first.sslContext(first.issue("amphora", List.of("127.0.0.1"), List.of()));
        SSLContext client = again.sslContext(again.issue("lbaas-operator", List.of(), List.of()));
        assertThat(exchange(server, client)).isEqualTo("hello");
        assertThat(again.derivedSecret("failover-key/lb-1")).as("a restarted operator gives a pair the key it has")
                .isEqualTo(first.derivedSecret("failover-key/lb-1"));
    }

    /** Sends "hello" from a client to a server that requires client certificates; returns what arrived. */
    private static String exchange(SSLContext serverContext, SSLContext clientContext) throws Exception {
        try (SSLServerSocket server = (SSLServerSocket) serverContext.getServerSocketFactory()
                .createServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            server.setNeedClientAuth(true);
            CompletableFuture<String> received = CompletableFuture.supplyAsync(() -> {
                try (SSLSocket socket = (SSLSocket) server.accept(); InputStream in = socket.getInputStream()) {
                    return new String(in.readAllBytes());
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            try (SSLSocket socket = (SSLSocket) clientContext.getSocketFactory()
                    .createSocket(InetAddress.getLoopbackAddress(), server.getLocalPort());
                    OutputStream out = socket.getOutputStream()) {
                socket.startHandshake();
                out.write("hello".getBytes());
            }
            try {
                return received.get();
            } catch (java.util.concurrent.ExecutionException e) {
                throw e.getCause() instanceof Exception cause ? cause : new SSLException(e.getCause());
            }
        }
    }
}
