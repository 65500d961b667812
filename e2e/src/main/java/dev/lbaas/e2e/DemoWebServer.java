package dev.lbaas.e2e;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/**
 * A web server that answers every request with "This is NAME", as the instances web1 and web2 of
 * the seed walkthrough do with {@code python -m SimpleHTTPServer} and their index.html.
 */
public final class DemoWebServer implements AutoCloseable {

    static {
        // The JDK's server writes an answer's head and its body apart. Without TCP_NODELAY the body
        // waits for the head's delayed acknowledgement (up to 40 ms on Linux), which then shows in
        // every latency measured through a demo member. Read once, when its first server is made.
        if (System.getProperty("sun.net.httpserver.nodelay") == null) {
            System.setProperty("sun.net.httpserver.nodelay", "true");
        }
    }

    private final String name;
    private final String address;
    /** The port asked for; once started on port 0, the port it got, so that a restart reuses it. */
    private int port;
    private HttpServer server;

    public DemoWebServer(String name, String address, int port) {
        this.name = name;
        this.address = address;
        this.port = port;
    }

    public synchronized DemoWebServer start() {
        try {
            server = HttpServer.create(new InetSocketAddress(address, port), 64);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot listen on " + address + ":" + port + " for " + name, e);
        }
        byte[] body = ("This is " + name + "\n").getBytes(StandardCharsets.UTF_8);
        server.createContext("/", exchange -> {
            exchange.getRequestBody().readAllBytes();
            exchange.getResponseHeaders().add("Content-Type", "text/plain");
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.start();
        port = server.getAddress().getPort();
        return this;
    }

    public synchronized int port() {
        return port;
    }

    /** Whether it listens now (between {@link #start()} and {@link #close()}). */
    public synchronized boolean isRunning() {
        return server != null;
    }

    public String name() {
        return name;
    }

    /** Stops listening at once: new connections are refused, as when the web service is stopped. */
    @Override
    public synchronized void close() {
        if (server != null) {
            server.stop(0);
            server = null;
        }
    }

    public static void main(String[] args) {
        new DemoWebServer(args[0], "127.0.0.1", Integer.parseInt(args[1])).start();
    }
}
