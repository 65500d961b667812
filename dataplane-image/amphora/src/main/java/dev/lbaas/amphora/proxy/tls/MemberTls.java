package dev.lbaas.amphora.proxy.tls;

import dev.lbaas.amphora.config.ListenerTlsConfig;
import dev.lbaas.amphora.config.PoolTlsConfig;
import dev.lbaas.amphora.config.TlsCertificateConfig;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import java.net.InetSocketAddress;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.SSLException;

/**
 * TLS from the amphora to one pool's members, as one configuration generation has it (Octavia's
 * backend re-encryption): a client context built once, a handler per member connection. Without
 * a CA members are not verified, as Octavia's amphora does; with one their certificates must
 * chain to it, and with a server name also be for that name, which SNI sends too.
 */
public final class MemberTls {

    private final PoolTlsConfig config;
    private final boolean http2;
    private final SslContext context;

    private MemberTls(PoolTlsConfig config, boolean http2, SslContext context) {
        this.config = config;
        this.http2 = http2;
        this.context = context;
    }

    /**
     * Builds a pool's client context.
     *
     * @throws IllegalArgumentException naming the field when it cannot be built
     */
    public static MemberTls build(PoolTlsConfig config, boolean http2, String field) {
        try {
            SslContextBuilder builder = SslContextBuilder.forClient()
                    .sslProvider(TlsTermination.PROVIDER)
                    // the name is checked only against a CA, and only when the pool names one
                    .endpointIdentificationAlgorithm(config.ca() != null && config.serverName() != null ? "HTTPS"
                            : null);
            // a pool that speaks HTTP/2 to its members offers h2 alone: a member that cannot speak it fails the handshake
            TlsTermination.offer(builder, config.tlsVersions(), config.ciphers(),
                    http2 ? List.of(ListenerTlsConfig.HTTP_2) : config.alpnProtocols(), field);
            builder.trustManager(config.ca() == null ? InsecureTrustManagerFactory.INSTANCE
                    : TlsTermination.trust(config.caCertificates(), config.crl() == null ? null : config.crls()));
            TlsCertificateConfig client = config.clientCertificate();
            if (client != null) {
                List<X509Certificate> chain = client.chain();
                builder.keyManager(TlsCertificateConfig.parseKey(client.privateKey(), field + ".clientCertificate"),
                        chain.toArray(X509Certificate[]::new));
            }
            return new MemberTls(config, http2, builder.build());
        } catch (SSLException | GeneralSecurityException | RuntimeException e) {
            throw new IllegalArgumentException(field + ": the TLS context for members cannot be built: "
                    + e.getMessage(), e);
        }
    }

    /**
     * The TLS handler of a new connection to {@code member}: SNI with the pool's server name, none
     * for an address; the handshake must end within {@code handshakeMillis}.
     */
    public SslHandler newHandler(ByteBufAllocator allocator, InetSocketAddress member, long handshakeMillis) {
        String peer = config.serverName() != null ? config.serverName() : member.getAddress().getHostAddress();
        SslHandler handler = context.newHandler(allocator, peer, member.getPort());
        handler.setHandshakeTimeoutMillis(handshakeMillis);
        return handler;
    }

    public PoolTlsConfig config() {
        return config;
    }

    /** Whether it was built for a pool that speaks HTTP/2 to its members. */
    public boolean http2() {
        return http2;
    }
}
