package dev.lbaas.amphora.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A keep-alive HTTP member that counts the connections it accepts and answers every bodyless
 * request with its name. With {@link #dropReusedRequests} set, a request on a connection that
 * already served one is not answered: the connection is closed instead, as a member whose
 * keep-alive timeout fires just as a request arrives would.
 */
public final class CountingHttpBackend implements AutoCloseable {

    public final String name;
    public final AtomicInteger accepted = new AtomicInteger();
    public final AtomicInteger requests = new AtomicInteger();
    public final AtomicBoolean dropReusedRequests = new AtomicBoolean();
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final ServingThreads threads = new ServingThreads();
    private final ServerSocket server;

    public CountingHttpBackend(String name) throws IOException {
        this.name = name;
        server = new ServerSocket();
        server.bind(new InetSocketAddress("127.0.0.1", 0), 100);
        threads.accept(server, this::onAccept);
    }

    public int port() {
        return server.getLocalPort();
    }

    /** Connections accepted and not yet closed by either side. */
    public int openConnections() {
        return open.size();
    }

    /** Closes every connection, as a member ending its idle keep-alive connections. */
    public void closeConnections() throws IOException {
        for (Socket socket : open) {
            socket.close();
        }
    }

    private Runnable onAccept(Socket socket) {
        accepted.incrementAndGet();
        open.add(socket);
        return () -> serve(socket);
    }

    private void serve(Socket socket) {
        try (socket; InputStream in = socket.getInputStream(); OutputStream out = socket.getOutputStream()) {
            byte[] body = name.getBytes(StandardCharsets.UTF_8);
            for (int served = 0;; served++) {
                if (readHead(in) == null) {
                    return;
                }
                requests.incrementAndGet();
                if (served > 0 && dropReusedRequests.get()) {
                    return;
                }
                out.write(("HTTP/1.1 200 OK\r\nContent-Length: " + body.length + "\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                out.write(body);
                out.flush();
            }
        } catch (IOException e) {
            // the peer went away
        } finally {
            open.remove(socket);
        }
    }

    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        while (matched < 4) {
            int b = in.read();
            if (b < 0) {
                return null;
            }
            head.write(b);
            matched = (b == '\r' && (matched == 0 || matched == 2)) || (b == '\n' && (matched == 1 || matched == 3))
                    ? matched + 1 : (b == '\r' ? 1 : 0);
        }
        return head.toString(StandardCharsets.ISO_8859_1);
    }

    @Override
    public void close() throws IOException {
        threads.close();
        closeConnections();
    }
}
