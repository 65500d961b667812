package dev.lbaas.amphora.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;

/**
 * A port in front of another one that a test switches: passing, each connection is relayed to the
 * target both ways; failing, each connection is accepted and closed at once, so that a check that
 * needs more than a TCP connection (a TLS handshake, an answer) fails.
 */
public final class SwitchableTcpFront implements AutoCloseable {

    private final ServerSocket server;
    private final int target;
    private final ServingThreads threads = new ServingThreads();
    private volatile boolean passing = true;

    public SwitchableTcpFront(int target) throws IOException {
        this.target = target;
        this.server = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"));
        threads.accept(server, this::onAccept);
    }

    public int port() {
        return server.getLocalPort();
    }

    public void passing(boolean value) {
        passing = value;
    }

    private Runnable onAccept(Socket client) {
        if (!passing) {
            ServingThreads.closeQuietly(client);
            return null;
        }
        return () -> {
            Socket member;
            try {
                member = new Socket("127.0.0.1", target);
            } catch (IOException refused) {
                // the client sees its connection end
                ServingThreads.closeQuietly(client);
                return;
            }
            threads.spawn(() -> relay(member, client), member, client);
            relay(client, member);
        };
    }

    private static void relay(Socket from, Socket to) {
        try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
            in.transferTo(out);
        } catch (IOException e) {
            // either side went away
        } finally {
            ServingThreads.closeQuietly(from);
            ServingThreads.closeQuietly(to);
        }
    }

    @Override
    public void close() {
        threads.close();
    }
}
