package dev.lbaas.amphora.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/** A raw HTTP/1.1 client connection, for what java.net.http hides: keep-alive, smuggling, framing. */
public final class RawHttp implements AutoCloseable {

    private final Socket socket = new Socket();
    private final InputStream in;

    public RawHttp(String host, int port) throws IOException {
        socket.connect(new InetSocketAddress(host, port), 2000);
        socket.setSoTimeout(5000);
        in = socket.getInputStream();
    }

    /** The client's end of the connection, as the amphora sees it. */
    public InetSocketAddress localAddress() {
        return (InetSocketAddress) socket.getLocalSocketAddress();
    }

    public void send(String request) throws IOException {
        socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
        socket.getOutputStream().flush();
    }

    /** Reads one response with a Content-Length body; returns status line + "\n" + body. */
    public String readResponse() throws IOException {
        String message = readMessage();
        int headEnd = message.indexOf("\r\n\r\n");
        return message.substring(0, message.indexOf("\r\n")) + "\n" + message.substring(headEnd + 4);
    }

    /** Reads one response with a Content-Length body (or none), head and body exactly as they came. */
    public String readMessage() throws IOException {
        String head = readHead();
        int length = 0;
        for (String line : head.split("\r\n")) {
            if (line.toLowerCase().startsWith("content-length:")) {
                length = Integer.parseInt(line.substring(15).trim());
            }
        }
        byte[] body = in.readNBytes(length);
        return head + new String(body, StandardCharsets.ISO_8859_1);
    }

    /** Ends the client's sending side, as a client that has sent all it will. */
    public void shutdownOutput() throws IOException {
        socket.shutdownOutput();
    }

    /** Everything the server sends until it closes the connection. */
    public String readUntilClosed() throws IOException {
        return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
    }

    public String readHead() throws IOException {
        return readHead(in);
    }

    /** Reads a message head (start line and headers, up to the empty line) from any stream. */
    public static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("connection closed after " + head);
            }
            head.write(b);
        }
        return head.toString(StandardCharsets.ISO_8859_1);
    }

    /** True when the server has closed the connection. */
    public boolean closedByServer() throws IOException {
        return in.read() < 0;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
