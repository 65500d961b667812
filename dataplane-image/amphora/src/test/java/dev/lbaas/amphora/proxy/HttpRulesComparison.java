package dev.lbaas.amphora.proxy;

import static dev.lbaas.amphora.testing.Configs.config;
import static dev.lbaas.amphora.testing.Configs.freePort;
import static dev.lbaas.amphora.testing.Configs.listener;
import static dev.lbaas.amphora.testing.Configs.member;
import static dev.lbaas.amphora.testing.Configs.pool;

import dev.lbaas.amphora.config.ListenerProtocol;
import dev.lbaas.amphora.config.PoolProtocol;
import dev.lbaas.amphora.testing.Escapes;
import dev.lbaas.amphora.testing.RecordingHttpBackend;
import dev.lbaas.amphora.testing.RunningDataplane;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Sends the same bytes to the amphora and to HAProxy, each in front of a member that records
 * what reaches it, and prints a Markdown table of what the client got and what the member read:
 * the comparison in docs/http-request-rules.md. Run by
 * {@code dataplane-image/bench/http-rules-vs-haproxy.sh}, which installs haproxy when missing.
 */
public final class HttpRulesComparison {

    private static final String VIP = "127.1.18.9";
    private static final String SMUGGLED = "GET /smuggled HTTP/1.1\r\nX-Junk: ";
    private static final String POST = "POST /p HTTP/1.1\r\nHost: t.example\r\n";
    private static final String CHUNKED = POST + "Transfer-Encoding: chunked\r\n\r\n";

    private HttpRulesComparison() {
    }

    /** The cases, by what they are; each is sent on a connection of its own, then the sending side is shut. */
    static Map<String, String> cases() {
        Map<String, String> cases = new LinkedHashMap<>();
        cases.put("`Connection: Content-Length`", POST + "Content-Length: " + SMUGGLED.length()
                + "\r\nConnection: Content-Length\r\n\r\n" + SMUGGLED);
        cases.put("`Connection: close, content-length`", POST + "Content-Length: " + SMUGGLED.length()
                + "\r\nConnection: close, content-length\r\n\r\n" + SMUGGLED);
        cases.put("`Connection: Transfer-Encoding`", POST + "Transfer-Encoding: chunked\r\nConnection: Transfer-Encoding\r\n\r\n"
                + Integer.toHexString(SMUGGLED.length()) + "\r\n" + SMUGGLED + "\r\n0\r\n\r\n");
        cases.put("`Connection: Host`", "GET / HTTP/1.1\r\nHost: t.example\r\nConnection: Host\r\n\r\n");
        cases.put("Content-Length and Transfer-Encoding", POST + "Content-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n");
        cases.put("two different Content-Length", POST + "Content-Length: 4\r\nContent-Length: 5\r\n\r\nhello");
        cases.put("two equal Content-Length, HTTP/1.0", "POST / HTTP/1.0\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\nhello");
        cases.put("`Content-Length: +5`", POST + "Content-Length: +5\r\n\r\nhello");
        cases.put("a tab after Content-Length's digits", POST + "Content-Length: 5\t\r\n\r\nhello");
        cases.put("`Transfer-Encoding: xchunked`", POST + "Transfer-Encoding: xchunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n");
        cases.put("`Transfer-Encoding: chunked,`", POST + "Transfer-Encoding: chunked,\r\n\r\n5\r\nhello\r\n0\r\n\r\n");
        cases.put("`Transfer-Encoding: gzip, chunked`", POST + "Transfer-Encoding: gzip, chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n");
        cases.put("Transfer-Encoding in HTTP/1.0", "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n");
        cases.put("obsolete folding of Transfer-Encoding", POST + "Transfer-Encoding:\r\n chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n");
        cases.put("obsolete folding of another field", "GET / HTTP/1.1\r\nHost: t.example\r\nX-Note: a\r\n b\r\n\r\n");
        cases.put("chunk size `-5`", CHUNKED + "-5\r\nhello\r\n0\r\n\r\n");
        cases.put("chunk size `0x5`", CHUNKED + "0x5\r\nhello\r\n0\r\n\r\n");
        cases.put("chunk size of 18 hex digits", CHUNKED + "ffffffffffffffffff\r\nhello\r\n0\r\n\r\n");
        cases.put("chunk size over 2^64", CHUNKED + "10000000000000000\r\nhello\r\n0\r\n\r\n");
        cases.put("chunk extension without a name (`5;`)", CHUNKED + "5;\r\nhello\r\n0\r\n\r\n");
        cases.put("100 KB chunk extension", CHUNKED + "5;" + "x".repeat(100 * 1024) + "\r\nhello\r\n0\r\n\r\n");
        cases.put("5000 chunk extension parameters", CHUNKED + "5" + ";a".repeat(5000) + "\r\nhello\r\n0\r\n\r\n");
        cases.put("bad chunk terminator (`helloXX`)", CHUNKED + "5\r\nhelloXX0\r\n\r\n");
        cases.put("bare LF after chunk data", CHUNKED + "5\r\nhello\n0\r\n\r\n");
        cases.put("valid chunk extensions", CHUNKED + "5;a=b;c=\"d\"\r\nhello\r\n0\r\n\r\n");
        cases.put("body cut short (Content-Length 10, 5 sent)", POST + "Content-Length: 10\r\n\r\nhello");
        cases.put("chunked body cut short", CHUNKED + "5\r\nhello\r\n");
        cases.put("two Host", "GET / HTTP/1.1\r\nHost: t.example\r\nHost: other.example\r\n\r\n");
        cases.put("HTTP/1.1 without Host", "GET / HTTP/1.1\r\n\r\n");
        cases.put("absolute-form target, other Host", "GET http://internal.example/ HTTP/1.1\r\nHost: t.example\r\n\r\n");
        cases.put("absolute-form target, same Host", "GET http://t.example/ HTTP/1.1\r\nHost: t.example\r\n\r\n");
        cases.put("Host that is not host[:port]", "GET / HTTP/1.1\r\nHost: t.example/admin\r\n\r\n");
        cases.put("tab in the request line", "GET\t/ HTTP/1.1\r\nHost: t.example\r\n\r\n");
        cases.put("`http/1.1`", "GET / http/1.1\r\nHost: t.example\r\n\r\n");
        cases.put("`HTTP/1.2`", "GET / HTTP/1.2\r\nHost: t.example\r\n\r\n");
        cases.put("space in the target", "GET /a b HTTP/1.1\r\nHost: t.example\r\n\r\n");
        cases.put("control character in the target", "GET /a\u0001b HTTP/1.1\r\nHost: t.example\r\n\r\n");
        cases.put("bare LF line endings", "GET / HTTP/1.1\nHost: t.example\n\n");
        cases.put("bare CR in a field value", "GET / HTTP/1.1\r\nHost: t.example\r\nX-Note: a\rb\r\n\r\n");
        cases.put("space before the colon", "GET / HTTP/1.1\r\nHost : t.example\r\n\r\n");
        cases.put("CONNECT", "CONNECT t.example:443 HTTP/1.1\r\nHost: t.example:443\r\n\r\n");
        cases.put("an extension method (`PURGE`)", "PURGE / HTTP/1.1\r\nHost: t.example\r\n\r\n");
        cases.put("three pipelined requests", "GET /1 HTTP/1.1\r\nHost: t.example\r\n\r\nGET /2 HTTP/1.1\r\nHost: t.example\r\n\r\n"
                + "GET /3 HTTP/1.1\r\nHost: t.example\r\n\r\n");
        cases.put("hop-by-hop fields", "GET / HTTP/1.1\r\nHost: t.example\r\nConnection: X-Hop\r\nX-Hop: 1\r\nKeep-Alive: timeout=5\r\n"
                + "TE: trailers\r\nUpgrade: websocket\r\nProxy-Connection: keep-alive\r\n\r\n");
        cases.put("header section over 32 KiB", "GET / HTTP/1.1\r\nHost: t.example\r\nX-Big: " + "a".repeat(40 * 1024) + "\r\n\r\n");
        return cases;
    }

    public static void main(String[] args) throws Exception {
        String haproxyBinary = args.length > 0 ? args[0] : "haproxy";
        Path work = Files.createTempDirectory("http-rules");
        try (RecordingHttpBackend amphoraMember = new RecordingHttpBackend();
                RecordingHttpBackend haproxyMember = new RecordingHttpBackend();
                RunningDataplane amphora = new RunningDataplane()) {
            int amphoraPort = freePort(VIP);
            amphora.apply(config(1, VIP, List.of(listener("l", ListenerProtocol.HTTP, amphoraPort, "p")),
                    pool("p", PoolProtocol.HTTP, null, member("m", amphoraMember.port(), 1))));
            int haproxyPort = freePort("127.0.0.1");
            Process haproxy = startHaproxy(haproxyBinary, work, haproxyPort, haproxyMember.port());
            try {
                System.out.println("| request | amphora: answer | amphora: reached the member | HAProxy: answer | HAProxy: reached the member |");
                System.out.println("|---|---|---|---|---|");
                for (Map.Entry<String, String> entry : cases().entrySet()) {
                    String amphoraSide = row(VIP, amphoraPort, amphoraMember, entry.getValue());
                    String haproxySide = row("127.0.0.1", haproxyPort, haproxyMember, entry.getValue());
                    System.out.println("| " + entry.getKey() + " | " + amphoraSide + " | " + haproxySide + " |");
                }
            } finally {
                haproxy.destroy();
                haproxy.waitFor(5, TimeUnit.SECONDS);
            }
        }
    }

    private static Process startHaproxy(String binary, Path work, int port, int memberPort) throws Exception {
        // Octavia's HTTP listener and pool, as its amphora template renders them, with HAProxy's
        // usual deadline for a request's headers.
        Path config = work.resolve("haproxy.cfg");
        Files.writeString(config, String.join("\n",
                "global", "  maxconn 1000",
                "defaults", "  mode http", "  timeout connect 5s", "  timeout client 50s", "  timeout server 50s",
                "  timeout http-request 10s", "  option http-keep-alive",
                "frontend listener", "  bind 127.0.0.1:" + port, "  default_backend pool",
                "backend pool", "  http-reuse safe", "  server member 127.0.0.1:" + memberPort, ""));
        Process haproxy = new ProcessBuilder(binary, "-db", "-f", config.toString())
                .redirectErrorStream(true).redirectOutput(work.resolve("haproxy.log").toFile()).start();
        for (int i = 0; i < 100; i++) {
            try (Socket probe = new Socket()) {
                probe.connect(new InetSocketAddress("127.0.0.1", port), 100);
                return haproxy;
            } catch (IOException e) {
                Thread.sleep(50);
            }
        }
        throw new IllegalStateException("haproxy did not start: " + Files.readString(work.resolve("haproxy.log")));
    }

    private static final Pattern STATUS = Pattern.compile("HTTP/1\\.[01] (\\d{3})[^\\r\\n]*");

    /** "answers | what the member read", for one case through one proxy. */
    private static String row(String host, int port, RecordingHttpBackend member, String request) throws Exception {
        int connectionsBefore = member.connections().size();
        int requestsBefore = member.requests().size();
        String received;
        try (Socket client = new Socket()) {
            client.connect(new InetSocketAddress(host, port), 2_000);
            client.setSoTimeout(12_000);
            try {
                client.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
                client.shutdownOutput();
            } catch (IOException e) {
                // refused before it had everything
            }
            received = readAll(client.getInputStream());
        }
        Thread.sleep(100);
        List<String> answers = new ArrayList<>();
        Matcher status = STATUS.matcher(received);
        while (status.find()) {
            answers.add(status.group(1));
        }
        String answer = answers.isEmpty() ? "none (closed)" : String.join(", ", answers);
        List<RecordingHttpBackend.Request> read = member.requests().subList(requestsBefore, member.requests().size());
        StringBuilder reached = new StringBuilder();
        for (RecordingHttpBackend.Request r : read) {
            reached.append(reached.isEmpty() ? "" : "; ").append('`').append(Escapes.escape(r.requestLine())).append('`');
            if (!r.body().isEmpty()) {
                reached.append(" + ").append(r.body().length()).append(" B body");
            }
        }
        List<RecordingHttpBackend.Connection> connections = member.connections()
                .subList(connectionsBefore, member.connections().size());
        int partial = 0;
        for (RecordingHttpBackend.Connection connection : connections) {
            if (!connection.received().isEmpty()) {
                partial++;
            }
        }
        if (read.isEmpty()) {
            reached.append(partial == 0 ? "nothing" : "part of a request, then a close");
        }
        return answer + " | " + reached;
    }

    private static String readAll(InputStream in) {
        StringBuilder all = new StringBuilder();
        byte[] buffer = new byte[8192];
        try {
            for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                all.append(new String(buffer, 0, n, StandardCharsets.ISO_8859_1));
            }
        } catch (IOException e) {
            all.append("<").append(e.getMessage()).append(">");
        }
        return all.toString();
    }
}
