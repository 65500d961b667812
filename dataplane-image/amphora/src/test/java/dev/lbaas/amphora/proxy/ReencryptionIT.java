package dev.lbaas.amphora.proxy;

import static dev.lbaas.amphora.testing.Configs.config;
import static dev.lbaas.amphora.testing.Configs.freePort;
import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpsServer;
import dev.lbaas.amphora.config.LbAlgorithm;
import dev.lbaas.amphora.config.ListenerProtocol;
import dev.lbaas.amphora.config.MemberConfig;
import dev.lbaas.amphora.config.PoolConfig;
import dev.lbaas.amphora.config.PoolProtocol;
import dev.lbaas.amphora.config.PoolTlsConfig;
import dev.lbaas.amphora.testing.Configs;
import dev.lbaas.amphora.testing.RawHttp;
import dev.lbaas.amphora.testing.RunningDataplane;
import dev.lbaas.amphora.testing.TlsIdentities;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * An HTTP pool that re-encrypts to its members (Octavia's backend re-encryption), with real TLS
 * members: unverified without a CA, verified against a CA and a server name (sent in SNI) when
 * given, and a client certificate presented to members that require one.
 */
class ReencryptionIT {

    private static final String VIP = "127.1.16.1";

    private static PoolConfig pool(int memberPort, PoolTlsConfig tls) {
        return new PoolConfig("p", null, PoolProtocol.HTTP, LbAlgorithm.ROUND_ROBIN, true,
                List.of(new MemberConfig("m", "m", "127.0.0.1", memberPort, 1, false, true, null, null)), null, null,
                tls);
    }

    private static String get(int port) throws Exception {
        try (RawHttp client = new RawHttp(VIP, port)) {
            client.send("GET / HTTP/1.1\r\nHost: www.example.com\r\n\r\n");
            return client.readResponse();
        }
    }

    @Test
    void membersAreReachedOverTlsVerifiedAsThePoolSays() throws Exception {
        TlsIdentities pki = new TlsIdentities("members");
        TlsIdentities other = new TlsIdentities("other");
        HttpsServer member = pki.member(pki.serverIdentity("member.example.com"), null);
        try (RunningDataplane amphora = new RunningDataplane()) {
            int port = freePort(VIP);
            int memberPort = member.getAddress().getPort();
            var listener = List.of(Configs.listener("l", ListenerProtocol.HTTP, port, "p"));

            // no CA: the member's certificate is not checked, and no server name is sent for an address
            amphora.apply(config(1, VIP, listener, pool(memberPort, new PoolTlsConfig(null, null, null, null, null,
                    null, null))));
            assertThat(get(port)).isEqualTo("HTTP/1.1 200 OK\ntls-member\nno client certificate\n");

            // a CA and the name the certificate is for: verified, and the name goes in SNI
            amphora.apply(config(2, VIP, listener, pool(memberPort, new PoolTlsConfig("member.example.com",
                    pki.caPem(), null, null, null, null, null))));
            assertThat(get(port)).isEqualTo("HTTP/1.1 200 OK\ntls-member\nno client certificate\nmember.example.com");

            // a name the certificate is not for, or another CA: no handshake, and the client hears so
            amphora.apply(config(3, VIP, listener, pool(memberPort, new PoolTlsConfig("elsewhere.example.com",
                    pki.caPem(), null, null, null, null, null))));
            assertThat(get(port)).startsWith("HTTP/1.1 50");
            amphora.apply(config(4, VIP, listener, pool(memberPort, new PoolTlsConfig(null, other.caPem(), null, null,
                    null, null, null))));
            assertThat(get(port)).startsWith("HTTP/1.1 50");
        } finally {
            member.stop(0);
        }
    }

    @Test
    void aMemberThatRequiresAClientCertificateGetsThePools() throws Exception {
        TlsIdentities pki = new TlsIdentities("mutual");
        HttpsServer member = pki.member(pki.serverIdentity("member.example.com"), pki);
        try (RunningDataplane amphora = new RunningDataplane()) {
            int port = freePort(VIP);
            int memberPort = member.getAddress().getPort();
            var listener = List.of(Configs.listener("l", ListenerProtocol.HTTP, port, "p"));
            amphora.apply(config(1, VIP, listener, pool(memberPort, new PoolTlsConfig(null, pki.caPem(), null,
                    pki.clientCertificate("lb", pki.client("CN=lb-web,O=Example")), List.of("TLSv1.3"), null,
                    null))));
            assertThat(get(port)).isEqualTo("HTTP/1.1 200 OK\ntls-member\nO=Example,CN=lb-web\n");

            amphora.apply(config(2, VIP, listener, pool(memberPort, new PoolTlsConfig(null, pki.caPem(), null, null,
                    null, null, null))));
            assertThat(get(port)).as("without the certificate the member refuses the handshake")
                    .startsWith("HTTP/1.1 50");
        } finally {
            member.stop(0);
        }
    }
}
