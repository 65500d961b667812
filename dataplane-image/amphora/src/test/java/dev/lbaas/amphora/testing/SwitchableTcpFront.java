package dev.lbaas.amphora.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A port in front of another one that a test switches: passing, each connection is relayed to the
 * target both ways; failing, each connection is accepted and closed at once, so that a check that
 * needs more than a TCP connection (a TLS handshake, an answer) fails.
 */
public final class SwitchableTcpFront implements AutoCloseable {

    private final ServerSocket server;
    private final int target;
    private final ExecutorService threads = Executors.newCachedThreadPool();
    private volatile boolean passing = true;

    public SwitchableTcpFront(int target) throws IOException {
        this.target = target;
        this.server = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"));
        threads.execute(this::accept);
    }

    public int port() {
        return server.getLocalPort();
    }

    public void passing(boolean value) {
        passing = value;
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                if (!passing) {
                    client.close();
                    continue;
                }
                Socket member = new Socket("127.0.0.1", target);
                threads.execute(() -> relay(client, member));
                threads.execute(() -> relay(member, client));
            } catch (IOException e) {
                // closed, or the target refused: the client sees its connection end
            }
        }
    }

    private static void relay(Socket from, Socket to) {
        try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
            in.transferTo(out);
        } catch (IOException e) {
            // either side went away
        } finally {
            try {
                from.close();
                to.close();
            } catch (IOException e) {
                // already closed
            }
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        threads.shutdownNow();
    }
}
