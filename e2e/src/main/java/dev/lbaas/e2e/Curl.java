package dev.lbaas.e2e;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * One HTTP/1.1 GET on a fresh connection that is closed afterwards, as {@code curl} does: round
 * robin is then visible request by request. (java.net.http pools connections and refuses to send
 * Connection: close.)
 */
public final class Curl {

    /**
     * The status code, body and header fields (names in lower case, the first value of each) of a
     * response.
     */
    public record Response(int status, String body, Map<String, String> headers) {

        /** The first value of the header field {@code name}, or null. */
        public String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }
    }

    private Curl() {
    }

    public static Response get(String host, int port, String path) throws IOException {
        return get(host, port, path, 5_000);
    }

    /** A GET that waits up to {@code timeoutMillis} for the response to start and between its bytes. */
    public static Response get(String host, int port, String path, int timeoutMillis) throws IOException {
        return get(host, port, path, host + ":" + port, timeoutMillis);
    }

    /** A GET naming {@code hostHeader} as the Host, as for a virtual host behind the address. */
    public static Response get(String host, int port, String path, String hostHeader, int timeoutMillis)
            throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(host, port), 2_000);
            socket.setSoTimeout(timeoutMillis);
            OutputStream out = socket.getOutputStream();
            out.write(("GET " + path + " HTTP/1.1\r\nHost: " + hostHeader + "\r\nUser-Agent: lbaas-e2e\r\n"
                    + "Connection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            ByteArrayOutputStream received = new ByteArrayOutputStream();
            InputStream in = socket.getInputStream();
            in.transferTo(received);
            String text = received.toString(StandardCharsets.UTF_8);
            int headerEnd = text.indexOf("\r\n\r\n");
            if (!text.startsWith("HTTP/1.") || headerEnd < 0) {
                throw new IOException("not an HTTP response: " + text);
            }
            int status = Integer.parseInt(text.substring(9, 12));
            Map<String, String> headers = new HashMap<>();
            for (String line : text.substring(0, headerEnd).split("\r\n")) {
                int colon = line.indexOf(':');
                if (colon > 0) {
                    headers.putIfAbsent(line.substring(0, colon).trim().toLowerCase(Locale.ROOT),
                            line.substring(colon + 1).trim());
                }
            }
            String body = text.substring(headerEnd + 4);
            if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
                body = dechunk(body);
            }
            return new Response(status, body, Map.copyOf(headers));
        }
    }

    private static String dechunk(String chunked) {
        StringBuilder body = new StringBuilder();
        int at = 0;
        while (true) {
            int lineEnd = chunked.indexOf("\r\n", at);
            int size = Integer.parseInt(chunked.substring(at, lineEnd).split(";")[0].trim(), 16);
            if (size == 0) {
                return body.toString();
            }
            body.append(chunked, lineEnd + 2, lineEnd + 2 + size);
            at = lineEnd + 2 + size + 2;
        }
    }
}
