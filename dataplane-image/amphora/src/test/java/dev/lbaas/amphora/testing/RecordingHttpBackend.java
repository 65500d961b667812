package dev.lbaas.amphora.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * An HTTP member that records every byte each of its connections receives, exactly as it came,
 * so that a test can say what reached the member rather than what a lenient server made of it.
 * It answers each request it reads (Content-Length or chunked bodies, nothing else) with
 * {@link #responder}, by default a 200 whose body names the connection, the request's place on it
 * and its request line: a client that gets another request's answer can tell.
 */
public final class RecordingHttpBackend implements AutoCloseable {

    /** A request as this member read it. */
    public record Request(int connection, int index, String head, String body) {
        public String requestLine() {
            return head.substring(0, head.indexOf("\r\n"));
        }
    }

    /** What one connection received, and whether it has ended. */
    public static final class Connection {
        public final int number;
        private final ByteArrayOutputStream received = new ByteArrayOutputStream();
        private final CountDownLatch closed = new CountDownLatch(1);

        Connection(int number) {
            this.number = number;
        }

        /** Every byte received so far, as ISO-8859-1 text. */
        public String received() {
            synchronized (received) {
                return received.toString(StandardCharsets.ISO_8859_1);
            }
        }

        public boolean isClosed() {
            return closed.getCount() == 0;
        }

        /** Waits until the amphora has closed this connection; false if it did not in time. */
        public boolean awaitClosed(Duration timeout) throws InterruptedException {
            return closed.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
        }

        void record(int b) {
            synchronized (received) {
                received.write(b);
            }
        }
    }

    /** The default answer: a 200 naming the request it answers. */
    public static final Function<Request, String> NAME_THE_REQUEST = request -> {
        String body = "connection " + request.connection() + " request " + request.index() + ": "
                + request.requestLine();
        return "HTTP/1.1 200 OK\r\nContent-Length: " + body.length() + "\r\n\r\n" + body;
    };

    public volatile Function<Request, String> responder = NAME_THE_REQUEST;
    private final List<Connection> connections = new CopyOnWriteArrayList<>();
    private final List<Request> requests = new CopyOnWriteArrayList<>();
    private final ServingThreads threads = new ServingThreads();
    private final ServerSocket server;

    public RecordingHttpBackend() throws IOException {
        server = new ServerSocket(0, 100, InetAddress.getLoopbackAddress());
        threads.accept(server, this::onAccept);
    }

    public int port() {
        return server.getLocalPort();
    }

    /** The connections accepted so far, in the order they came. */
    public List<Connection> connections() {
        return List.copyOf(connections);
    }

    /** The requests read so far, on all connections, in the order they were read. */
    public List<Request> requests() {
        return List.copyOf(requests);
    }

    /** Everything every connection received, one entry per connection. */
    public List<String> received() {
        List<String> all = new ArrayList<>();
        for (Connection connection : connections) {
            all.add(connection.received());
        }
        return all;
    }

    private Runnable onAccept(Socket socket) {
        Connection connection = new Connection(connections.size() + 1);
        connections.add(connection);
        return () -> serve(socket, connection);
    }

    private void serve(Socket socket, Connection connection) {
        try {
            InputStream in = new RecordingStream(socket.getInputStream(), connection);
            OutputStream out = socket.getOutputStream();
            for (int index = 1;; index++) {
                String head = readHead(in);
                if (head == null) {
                    return;
                }
                String body = readBody(in, head);
                Request request = new Request(connection.number, index, head, body);
                requests.add(request);
                out.write(responder.apply(request).getBytes(StandardCharsets.ISO_8859_1));
                out.flush();
            }
        } catch (IOException | RuntimeException e) {
            // The amphora closed the connection, or sent what this member cannot read: whatever
            // else comes is still recorded.
            drain(socket, connection);
        } finally {
            try {
                socket.close();
            } catch (IOException e) {
                // closed already
            }
            connection.closed.countDown();
        }
    }

    private static void drain(Socket socket, Connection connection) {
        try {
            InputStream in = socket.getInputStream();
            for (int b = in.read(); b >= 0; b = in.read()) {
                connection.record(b);
            }
        } catch (IOException e) {
            // ended
        }
    }

    /** Reads up to and including the empty line; null if the connection ends before anything. */
    private static String readHead(InputStream in) throws IOException {
        StringBuilder head = new StringBuilder();
        while (head.length() < 4 || !head.substring(head.length() - 4).equals("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                if (head.isEmpty()) {
                    return null;
                }
                throw new IOException("connection ended inside a head: " + head);
            }
            head.append((char) b);
        }
        return head.toString();
    }

    private static String readBody(InputStream in, String head) throws IOException {
        String lower = head.toLowerCase(Locale.ROOT);
        if (lower.contains("\r\ntransfer-encoding: chunked\r\n")) {
            StringBuilder body = new StringBuilder();
            while (true) {
                String sizeLine = readLine(in);
                int size = Integer.parseInt(sizeLine.split(";", 2)[0].trim(), 16);
                if (size == 0) {
                    // the trailer section, up to its empty line
                    while (!readLine(in).isEmpty()) {
                        // trailer fields are recorded with the rest of the bytes
                    }
                    return body.toString();
                }
                body.append(new String(in.readNBytes(size), StandardCharsets.ISO_8859_1));
                readLine(in);
            }
        }
        int at = lower.indexOf("\r\ncontent-length:");
        if (at < 0) {
            return "";
        }
        int end = lower.indexOf("\r\n", at + 2);
        int length = Integer.parseInt(head.substring(at + "\r\ncontent-length:".length(), end).trim());
        byte[] body = in.readNBytes(length);
        if (body.length < length) {
            throw new IOException("connection ended inside a body");
        }
        return new String(body, StandardCharsets.ISO_8859_1);
    }

    private static String readLine(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        while (true) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("connection ended inside a line: " + line);
            }
            if (b == '\n' && !line.isEmpty() && line.charAt(line.length() - 1) == '\r') {
                return line.substring(0, line.length() - 1);
            }
            line.append((char) b);
        }
    }

    /** Copies every byte read into the connection's record. */
    private static final class RecordingStream extends InputStream {
        private final InputStream in;
        private final Connection connection;

        RecordingStream(InputStream in, Connection connection) {
            this.in = in;
            this.connection = connection;
        }

        @Override
        public int read() throws IOException {
            int b = in.read();
            if (b >= 0) {
                connection.record(b);
            }
            return b;
        }
    }

    @Override
    public void close() {
        threads.close();
    }
}
