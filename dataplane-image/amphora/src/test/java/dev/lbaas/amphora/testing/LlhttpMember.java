package dev.lbaas.amphora.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * An HTTP member whose parser is not the amphora's: Node's http server, that is llhttp, started
 * from {@code http-differential/llhttp-member.js}. It answers every request with an empty 200
 * carrying the request's number in {@code X-Seq}, and reports what it parsed from each connection,
 * so that a test can compare what the amphora forwarded with what a strict parser read from the
 * same bytes, and with what that parser reads from the client's own bytes.
 */
public final class LlhttpMember implements AutoCloseable {

    /** One request as llhttp read it; {@code bodyDigest} is null while its body has not ended. */
    public record Parsed(int number, String method, String target, String version, String bodyDigest, int bodyLength,
            boolean upgrade) {

        public boolean complete() {
            return bodyDigest != null || upgrade;
        }

        @Override
        public String toString() {
            return "#" + number + " " + method + " " + Escapes.escape(target) + " HTTP/" + version
                    + (upgrade ? " (upgrade: llhttp reads no more HTTP after it)"
                    : bodyDigest == null ? " (body unfinished)" : " body " + bodyLength + " bytes " + bodyDigest);
        }
    }

    /** What llhttp made of one connection, once it has closed. */
    public record Connection(int id, int localPort, int remotePort, List<Parsed> requests, String error,
            Upgrade upgrade) {
    }

    /** What followed an upgrade's head, not read by llhttp, and the framing its head gave a body. */
    public record Upgrade(String rest, String contentLength, String transferEncoding) {
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Process node;
    private final OutputStream commands;
    private final Map<Integer, ConnectionState> connections = new HashMap<>();
    private final Map<Integer, Boolean> closedPorts = new HashMap<>();
    private final List<String> unexpected = new ArrayList<>();

    private static final class ConnectionState {
        final int id;
        final int localPort;
        final int remotePort;
        final Map<Integer, Parsed> requests = new LinkedHashMap<>();
        String error;
        Upgrade upgrade;
        boolean closed;

        ConnectionState(int id, int localPort, int remotePort) {
            this.id = id;
            this.localPort = localPort;
            this.remotePort = remotePort;
        }

        Connection snapshot() {
            return new Connection(id, localPort, remotePort, List.copyOf(requests.values()), error, upgrade);
        }
    }

    /**
     * Starts Node's server on the given ports: strict llhttp on {@code strictPorts}, and Node's
     * lenient parser ({@code insecureHTTPParser}) on {@code lenientPort}.
     */
    public LlhttpMember(List<Integer> strictPorts, int lenientPort) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(nodeBinary(), script().toString()));
        strictPorts.forEach(port -> command.add(Integer.toString(port)));
        command.add("lenient=" + lenientPort);
        node = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        commands = node.getOutputStream();
        Thread reader = new Thread(() -> read(node.getInputStream()), "llhttp-member-reader");
        reader.setDaemon(true);
        reader.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        synchronized (this) {
            while (listening < strictPorts.size() + 1) {
                long left = deadline - System.nanoTime();
                if (left <= 0 || !node.isAlive()) {
                    throw new IllegalStateException("Node's HTTP server did not start on " + command);
                }
                TimeUnit.NANOSECONDS.timedWait(this, left);
            }
        }
    }

    private int listening;

    /** Node 18 or newer, found or installed by the project's script. */
    private static String nodeBinary() throws IOException, InterruptedException {
        return ProjectScripts.toolPath("node.sh", "Node.js 18 or newer");
    }

    /** The script, copied from the test classpath to a file Node can run. */
    private static Path script() throws IOException {
        Path file = Files.createTempFile("llhttp-member", ".js");
        file.toFile().deleteOnExit();
        try (InputStream in = LlhttpMember.class.getResourceAsStream("/http-differential/llhttp-member.js")) {
            Files.write(file, in.readAllBytes());
        }
        return file;
    }

    private void read(InputStream out) {
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(out, StandardCharsets.UTF_8))) {
            for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                handle(JSON.readTree(line));
            }
        } catch (IOException e) {
            // Node ended
        }
        synchronized (this) {
            notifyAll();
        }
    }

    private synchronized void handle(JsonNode event) {
        switch (event.get("e").asText()) {
            case "listening" -> listening++;
            case "conn" -> {
                int id = event.get("c").asInt();
                connections.put(id, new ConnectionState(id, event.get("lp").asInt(), event.get("rp").asInt()));
            }
            case "head" -> state(event).requests.put(event.get("n").asInt(), new Parsed(event.get("n").asInt(),
                    event.get("m").asText(), event.get("u").asText(), event.get("v").asText(), null, 0, false));
            case "body" -> state(event).requests.computeIfPresent(event.get("n").asInt(), (n, head) -> new Parsed(n,
                    head.method(), head.target(), head.version(), event.get("b").asText(), event.get("bl").asInt(), false));
            case "upgrade" -> {
                ConnectionState state = state(event);
                state.requests.put(event.get("n").asInt(), new Parsed(event.get("n").asInt(), event.get("m").asText(),
                        event.get("u").asText(), event.get("v").asText(), null, 0, true));
                state.upgrade = new Upgrade(event.get("rest").asText(), text(event, "cl"), text(event, "te"));
            }
            case "err" -> state(event).error = event.get("code").asText() + " " + event.get("reason").asText();
            case "close" -> state(event).closed = true;
            case "closed" -> closedPorts.put(event.get("p").asInt(), true);
            default -> unexpected.add(event.toString());
        }
        notifyAll();
    }

    private static String text(JsonNode event, String field) {
        return event.hasNonNull(field) ? event.get(field).asText() : null;
    }

    private ConnectionState state(JsonNode event) {
        return connections.get(event.get("c").asInt());
    }

    /** What llhttp read from the connection a client opened from {@code clientPort}, once it closed. */
    public Connection awaitConnectionFrom(int serverPort, int clientPort, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (this) {
            while (true) {
                for (ConnectionState state : connections.values()) {
                    if (state.localPort == serverPort && state.remotePort == clientPort && state.closed) {
                        connections.remove(state.id);
                        return state.snapshot();
                    }
                }
                waitUntil(deadline, "a closed connection from port " + clientPort);
            }
        }
    }

    /**
     * Closes every connection of {@code serverPort} once llhttp has read what they received, and
     * gives what it read from each, in the order they were accepted.
     */
    public List<Connection> closeAll(int serverPort, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (this) {
            closedPorts.remove(serverPort);
            try {
                commands.write(("close " + serverPort + "\n").getBytes(StandardCharsets.US_ASCII));
                commands.flush();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            while (!closedPorts.containsKey(serverPort)) {
                waitUntil(deadline, "the connections of port " + serverPort + " to close");
            }
            List<Connection> closed = new ArrayList<>();
            connections.values().removeIf(state -> {
                if (state.localPort == serverPort) {
                    closed.add(state.snapshot());
                    return true;
                }
                return false;
            });
            closed.sort((a, b) -> Integer.compare(a.id(), b.id()));
            return closed;
        }
    }

    private void waitUntil(long deadline, String what) throws InterruptedException {
        long left = deadline - System.nanoTime();
        if (left <= 0 || !node.isAlive()) {
            throw new AssertionError("llhttp member: no " + what + (node.isAlive() ? " in time" : ": Node ended")
                    + (unexpected.isEmpty() ? "" : "; unexpected output " + unexpected));
        }
        TimeUnit.NANOSECONDS.timedWait(this, left);
    }

    @Override
    public void close() {
        node.destroy();
        try {
            if (!node.waitFor(5, TimeUnit.SECONDS)) {
                node.destroyForcibly();
            }
        } catch (InterruptedException e) {
            node.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
