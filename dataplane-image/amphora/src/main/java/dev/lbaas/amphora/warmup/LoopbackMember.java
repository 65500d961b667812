package dev.lbaas.amphora.warmup;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The warm-up's member on loopback: an HTTP/1.1 server on plain blocking sockets, a thread per
 * connection, that answers every request with a small body, every eighth of them chunked. Plain
 * sockets rather than Netty, so that the event loops' code is profiled with the proxy's handlers
 * alone, as it will serve.
 */
final class LoopbackMember implements AutoCloseable {

    private static final String BODY = "warm-up answer from the amphora\n";
    private static final String HEAD = "HTTP/1.1 200 OK\r\nServer: amphora-warm-up\r\n"
            + "Date: Thu, 01 Jan 1970 00:00:00 GMT\r\nContent-Type: text/plain\r\nCache-Control: no-store\r\n";
    private static final byte[] ANSWER = (HEAD + "Content-Length: " + BODY.length() + "\r\n\r\n" + BODY)
            .getBytes(StandardCharsets.US_ASCII);
    private static final byte[] CHUNKED_ANSWER = LoopbackHttp.concat(
            (HEAD + "Transfer-Encoding: chunked\r\n\r\n").getBytes(StandardCharsets.US_ASCII),
            LoopbackHttp.chunked(BODY));

    private final ServerSocket server;
    private final Set<Socket> connections = ConcurrentHashMap.newKeySet();
    private final AtomicLong accepted = new AtomicLong();
    private volatile boolean closed;

    LoopbackMember(InetAddress loopback) throws IOException {
        server = new ServerSocket();
        // inherited by the connections it accepts, whose port must not block a later bind
        server.setReuseAddress(true);
        server.bind(new InetSocketAddress(loopback, 0));
        Thread acceptor = new Thread(this::accept, "warm-up-member");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** Connections accepted so far. */
    long acceptedConnections() {
        return accepted.get();
    }

    InetSocketAddress address() {
        return (InetSocketAddress) server.getLocalSocketAddress();
    }

    private void accept() {
        int count = 0;
        while (!closed) {
            try {
                Socket socket = server.accept();
                accepted.incrementAndGet();
                connections.add(socket);
                Thread connection = new Thread(() -> serve(socket), "warm-up-member-" + ++count);
                connection.setDaemon(true);
                connection.start();
            } catch (IOException e) {
                // closed, or a connection that failed before it was accepted
            }
        }
    }

    private void serve(Socket socket) {
        try (socket) {
            socket.setTcpNoDelay(true);
            LoopbackHttp in = new LoopbackHttp(socket.getInputStream());
            OutputStream out = socket.getOutputStream();
            long answered = 0;
            LoopbackHttp.Head request;
            while ((request = in.readHead()) != null) {
                in.skipBody(request);
                out.write(++answered % 8 == 0 ? CHUNKED_ANSWER : ANSWER);
                if (request.closes()) {
                    return;
                }
            }
        } catch (IOException | RuntimeException e) {
            // the proxy closed the connection, or the warm-up ended
        } finally {
            connections.remove(socket);
        }
    }

    @Override
    public void close() {
        closed = true;
        try {
            server.close();
        } catch (IOException e) {
            // nothing left to release
        }
        for (Socket socket : connections) {
            try {
                socket.close();
            } catch (IOException e) {
                // already gone
            }
        }
    }
}
