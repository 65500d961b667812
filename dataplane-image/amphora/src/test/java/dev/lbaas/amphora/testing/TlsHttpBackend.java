package dev.lbaas.amphora.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsExchange;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.ExtendedSSLSession;
import javax.net.ssl.SNIServerName;

/**
 * An HTTPS member with a self-signed certificate: "/health" answers {@link #healthStatus}, any
 * other path 404. Remembers the Host header and the TLS server name (SNI) of each request.
 */
public final class TlsHttpBackend implements AutoCloseable {

    public final AtomicInteger healthStatus = new AtomicInteger(200);
    public final List<String> seenHosts = new CopyOnWriteArrayList<>();
    public final List<String> seenServerNames = new CopyOnWriteArrayList<>();
    private final ExecutorService executor = Executors.newCachedThreadPool();
    private final HttpsServer server;

    public TlsHttpBackend() throws Exception {
        server = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 50);
        server.setHttpsConfigurator(new HttpsConfigurator(TestPki.selfSignedServer("member")) {
            @Override
            public void configure(HttpsParameters params) {
                params.setSSLParameters(getSSLContext().getDefaultSSLParameters());
            }
        });
        server.setExecutor(executor);
        server.createContext("/", exchange -> answer(exchange, 404));
        server.createContext("/health", exchange -> answer(exchange, healthStatus.get()));
        server.start();
    }

    public int port() {
        return server.getAddress().getPort();
    }

    private void answer(HttpExchange exchange, int status) throws IOException {
        seenHosts.add(String.valueOf(exchange.getRequestHeaders().getFirst("Host")));
        if (((HttpsExchange) exchange).getSSLSession() instanceof ExtendedSSLSession session) {
            for (SNIServerName name : session.getRequestedServerNames()) {
                seenServerNames.add(new String(name.getEncoded(), StandardCharsets.US_ASCII));
            }
        }
        try (InputStream in = exchange.getRequestBody()) {
            in.transferTo(OutputStream.nullOutputStream());
        }
        exchange.sendResponseHeaders(status, -1);
        exchange.close();
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
