package dev.lbaas.amphora.agent;

import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import java.io.File;
import javax.net.ssl.SSLException;

/** Two-way TLS for the agent API: only clients with a certificate from the operator's CA get in. */
public final class AgentTls {

    private AgentTls() {
    }

    /**
     * @param certificateChain PEM, the amphora's certificate first
     * @param privateKey PEM, PKCS#8
     * @param clientCa PEM, the CA that signs the operator's client certificates
     */
    public static SslContext serverContext(File certificateChain, File privateKey, File clientCa) throws SSLException {
        return SslContextBuilder.forServer(certificateChain, privateKey)
                .trustManager(clientCa)
                .clientAuth(ClientAuth.REQUIRE)
                .sslProvider(SslProvider.JDK)
                .protocols("TLSv1.3", "TLSv1.2")
                .build();
    }
}
