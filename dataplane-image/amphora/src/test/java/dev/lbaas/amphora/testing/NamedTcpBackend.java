package dev.lbaas.amphora.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/** A TCP member for tests: greets each connection with its name and a newline, then echoes. */
public final class NamedTcpBackend implements AutoCloseable {

    private final String name;
    private final ServerSocket server;
    private final ServingThreads threads = new ServingThreads();

    public NamedTcpBackend(String name) throws IOException {
        this(name, 0);
    }

    /** A backend on a given port (0: any), for one that comes back where it was. */
    public NamedTcpBackend(String name, int port) throws IOException {
        this.name = name;
        this.server = new ServerSocket();
        server.setReuseAddress(true);
        server.bind(new InetSocketAddress("127.0.0.1", port));
        threads.accept(server, socket -> () -> serve(socket));
    }

    public int port() {
        return server.getLocalPort();
    }

    private void serve(Socket socket) {
        try (socket; InputStream in = socket.getInputStream(); OutputStream out = socket.getOutputStream()) {
            out.write((name + "\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
            in.transferTo(out);
        } catch (IOException e) {
            // the client went away
        }
    }

    @Override
    public void close() {
        threads.close();
    }
}
