package dev.lbaas.amphora.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
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

/**
 * An HTTP member for tests: "/" answers its name, "/echo" streams the request body back chunked,
 * "/health" answers {@link #healthStatus}, "/login" answers its name and starts a session with a
 * new JSESSIONID cookie. Remembers the request headers it saw.
 */
public final class NamedHttpBackend implements AutoCloseable {

    public final String name;
    public final AtomicInteger healthStatus = new AtomicInteger(200);
    public final List<com.sun.net.httpserver.Headers> seenHeaders = new CopyOnWriteArrayList<>();
    private final AtomicInteger sessions = new AtomicInteger();
    private final ExecutorService executor = Executors.newCachedThreadPool();
    private HttpServer server;
    private int port;

    public NamedHttpBackend(String name) throws IOException {
        this.name = name;
        start(0);
    }

    public int port() {
        return port;
    }

    /** Starts again on the same port after {@link #stop()}. */
    public void restart() throws IOException {
        start(port);
    }

    public void stop() {
        server.stop(0);
    }

    private void start(int onPort) throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", onPort), 50);
        server.setExecutor(executor);
        server.createContext("/", this::name);
        server.createContext("/echo", this::echo);
        server.createContext("/login", exchange -> {
            exchange.getResponseHeaders().add("Set-Cookie",
                    "JSESSIONID=" + name + "-" + sessions.incrementAndGet() + "; Path=/; HttpOnly");
            name(exchange);
        });
        server.createContext("/health", exchange -> {
            drain(exchange);
            exchange.sendResponseHeaders(healthStatus.get(), -1);
            exchange.close();
        });
        server.start();
        port = server.getAddress().getPort();
    }

    private void name(HttpExchange exchange) throws IOException {
        seenHeaders.add(exchange.getRequestHeaders());
        drain(exchange);
        byte[] body = name.getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(200, exchange.getRequestMethod().equals("HEAD") ? -1 : body.length);
        if (!exchange.getRequestMethod().equals("HEAD")) {
            exchange.getResponseBody().write(body);
        }
        exchange.close();
    }

    private void echo(HttpExchange exchange) throws IOException {
        exchange.sendResponseHeaders(200, 0);
        try (InputStream in = exchange.getRequestBody(); OutputStream out = exchange.getResponseBody()) {
            in.transferTo(out);
        }
    }

    private static void drain(HttpExchange exchange) throws IOException {
        try (InputStream in = exchange.getRequestBody()) {
            in.transferTo(OutputStream.nullOutputStream());
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
