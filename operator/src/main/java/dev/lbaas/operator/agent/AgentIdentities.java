package dev.lbaas.operator.agent;

import java.net.Socket;
import java.net.URI;
import java.security.cert.CertificateException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Which amphora the operator expects at each agent address, and the TLS check that holds it to
 * that: the agent's certificate must come from the operator's CA and name the expected amphora id
 * (as Octavia checks its amphora certificates against the amphora id, not the address). Addresses
 * are not names here: a pod's address is known only after its certificate is issued, and an
 * address may pass from a deleted amphora to its replacement.
 */
public final class AgentIdentities {

    private static final int DNS_NAME = 2;

    private final Map<String, String> expected = new ConcurrentHashMap<>();

    /** From now on, the agent at {@code agent} must present the certificate of amphora {@code amphoraId}. */
    public void expect(URI agent, String amphoraId) {
        expected.put(key(agent.getHost(), agent.getPort()), amphoraId);
    }

    /** Forgets the expectation, unless another amphora took the address meanwhile. */
    public void forget(URI agent, String amphoraId) {
        expected.remove(key(agent.getHost(), agent.getPort()), amphoraId);
    }

    /** A trust manager that checks what {@code caTrust} checks (the chain), then the amphora id. */
    public X509ExtendedTrustManager check(X509ExtendedTrustManager caTrust) {
        return new X509ExtendedTrustManager() {
            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
                    throws CertificateException {
                caTrust.checkServerTrusted(chain, authType);
                checkIdentity(chain[0], engine.getPeerHost(), engine.getPeerPort());
            }

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
                    throws CertificateException {
                caTrust.checkServerTrusted(chain, authType);
                checkIdentity(chain[0], socket.getInetAddress().getHostAddress(), socket.getPort());
            }

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
                throw new CertificateException("an agent certificate is checked against the address it was reached at");
            }

            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
                    throws CertificateException {
                throw new CertificateException("the operator is never a TLS server for amphorae");
            }

            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
                    throws CertificateException {
                throw new CertificateException("the operator is never a TLS server for amphorae");
            }

            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
                throw new CertificateException("the operator is never a TLS server for amphorae");
            }

            @Override
            public X509Certificate[] getAcceptedIssuers() {
                return caTrust.getAcceptedIssuers();
            }
        };
    }

    void checkIdentity(X509Certificate certificate, String host, int port) throws CertificateException {
        String amphoraId = expected.get(key(host, port));
        if (amphoraId == null) {
            throw new CertificateException("no amphora is expected at " + host + ":" + port);
        }
        List<String> names = dnsNames(certificate);
        if (!names.contains(amphoraId)) {
            throw new CertificateException("the agent at " + host + ":" + port + " presented a certificate for "
                    + names + ", not for amphora " + amphoraId);
        }
    }

    private static List<String> dnsNames(X509Certificate certificate) throws CertificateParsingException {
        Collection<List<?>> names = certificate.getSubjectAlternativeNames();
        if (names == null) {
            return List.of();
        }
        return names.stream().filter(name -> ((Integer) name.get(0)) == DNS_NAME).map(name -> (String) name.get(1))
                .toList();
    }

    private static String key(String host, int port) {
        // URIs write IPv6 addresses in brackets; engines and sockets do not.
        return host.replace("[", "").replace("]", "") + ":" + port;
    }
}
