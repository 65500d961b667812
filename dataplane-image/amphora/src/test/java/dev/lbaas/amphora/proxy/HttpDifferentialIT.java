package dev.lbaas.amphora.proxy;

import static dev.lbaas.amphora.testing.Configs.config;
import static dev.lbaas.amphora.testing.Configs.freePort;
import static dev.lbaas.amphora.testing.Configs.listener;
import static dev.lbaas.amphora.testing.Configs.member;
import static dev.lbaas.amphora.testing.Configs.pool;

import dev.lbaas.amphora.config.ListenerConfig;
import dev.lbaas.amphora.config.ListenerProtocol;
import dev.lbaas.amphora.config.PoolConfig;
import dev.lbaas.amphora.config.PoolProtocol;
import dev.lbaas.amphora.testing.Escapes;
import dev.lbaas.amphora.testing.JqwikAmphoraChecks;
import dev.lbaas.amphora.testing.LlhttpMember;
import dev.lbaas.amphora.testing.LlhttpMember.Parsed;
import dev.lbaas.amphora.testing.RunningDataplane;
import dev.lbaas.amphora.testing.SmugglingStreams;
import dev.lbaas.amphora.testing.SmugglingStreams.Case;
import dev.lbaas.amphora.testing.SmugglingStreams.ClientStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.EdgeCasesMode;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;
import net.jqwik.api.lifecycle.AddLifecycleHook;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * The amphora against a parser that is not its own. Request streams built from the primitives of
 * request smuggling ({@link SmugglingStreams}) are sent by one or two clients, one after the
 * other, through the amphora to a member whose parser is Node's llhttp in its strict mode
 * ({@link LlhttpMember}); the same bytes are also sent straight to llhttp. The invariant: what
 * the member read is exactly the requests the amphora accepted, in order, with the same methods,
 * targets and bodies, and each of them as llhttp reads the client's own bytes: never an extra
 * request, never a request answered to another client, never one request's bytes inside another.
 *
 * <p>The amphora may refuse more than llhttp does (its own rules: Host, targets, versions). Where
 * it accepts what strict llhttp refuses, Node's lenient parser must read the same requests from
 * the client's bytes, and the reason is counted in the statistics. The property runs
 * {@code jqwik.tries.default} cases (junit-platform.properties; more with
 * {@code dataplane-image/bench/http-differential.sh}); a failing case is printed as one line of
 * escaped bytes, which goes into {@code http-differential/regressions.txt} to be run every time.
 */
@AddLifecycleHook(JqwikAmphoraChecks.class)
class HttpDifferentialIT {

    private static final String VIP = "127.1.18.4";
    /** Cases take turns on listeners of their own, so that a case meets no connection of the one before. */
    private static final int SLOTS = 4;
    private static final Duration WAIT = Duration.ofSeconds(15);
    private static final Pattern EMPTY_PATH =
            Pattern.compile("([A-Za-z][A-Za-z0-9+.-]*://[^/?#]*)([?#].*)?", Pattern.DOTALL);

    private static RunningDataplane amphora;
    private static LlhttpMember llhttp;
    private static final int[] listenerPorts = new int[SLOTS];
    private static final int[] memberPorts = new int[SLOTS];
    private static int strictPort;
    private static int lenientPort;
    private static int cases;

    @BeforeContainer
    static void start() throws Exception {
        // Node binds them all: no port twice.
        List<Integer> strict = new ArrayList<>();
        strictPort = freePort("127.0.0.1");
        strict.add(strictPort);
        for (int i = 0; i < SLOTS; i++) {
            memberPorts[i] = freePort("127.0.0.1", strict);
            listenerPorts[i] = freePort(VIP);
            strict.add(memberPorts[i]);
        }
        lenientPort = freePort("127.0.0.1", strict);
        llhttp = new LlhttpMember(strict, lenientPort);
        // One event loop: every client connection draws on the same pool of member connections.
        amphora = new RunningDataplane(1);
        List<ListenerConfig> listeners = new ArrayList<>();
        List<PoolConfig> pools = new ArrayList<>();
        for (int i = 0; i < SLOTS; i++) {
            listeners.add(listener("l" + i, ListenerProtocol.HTTP, listenerPorts[i], "p" + i));
            pools.add(pool("p" + i, PoolProtocol.HTTP, null, member("m" + i, memberPorts[i], 1)));
        }
        amphora.apply(config(1, VIP, listeners, pools.toArray(PoolConfig[]::new)));
    }

    @AfterContainer
    static void stop() {
        if (amphora != null) {
            amphora.close();
        }
        if (llhttp != null) {
            llhttp.close();
        }
    }

    @Provide
    Arbitrary<Case> cases() {
        return SmugglingStreams.cases();
    }

    @Property(edgeCases = EdgeCasesMode.NONE)
    void theMemberReadsExactlyTheRequestsTheAmphoraAccepted(@ForAll("cases") Case sample) throws Exception {
        check(sample);
    }

    @Example
    void regressionCasesStayFixed() throws Exception {
        try (InputStream in = HttpDifferentialIT.class.getResourceAsStream("/http-differential/regressions.txt")) {
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                if (!line.isBlank() && !line.startsWith("#")) {
                    check(Case.parse(line));
                }
            }
        }
    }

    /** What llhttp read from a client's bytes: its requests, and what ended them. */
    private record Reference(List<Parsed> requests, String error) {
    }

    /**
     * What a client got from the amphora: the members' answers (by request number), whether the
     * last of them said the connection ends, then maybe the amphora's own answer.
     */
    private record Outcome(List<Integer> answered, boolean closeAnnounced, String amphoraAnswer) {
    }

    private static void check(Case sample) throws Exception {
        int slot = cases++ % SLOTS;
        List<Reference> strict = new ArrayList<>();
        for (ClientStream client : sample.clients()) {
            strict.add(reference(strictPort, client.segments()));
        }
        List<Outcome> outcomes = new ArrayList<>();
        for (ClientStream client : sample.clients()) {
            outcomes.add(throughAmphora(listenerPorts[slot], client));
        }
        List<LlhttpMember.Connection> memberSide = llhttp.closeAll(memberPorts[slot], WAIT);
        new Verdict(sample, strict, outcomes, memberSide).verify();
    }

    /** Sends a client's bytes straight to llhttp and reads back what it parsed. */
    private static Reference reference(int port, List<String> segments) throws Exception {
        int clientPort;
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 2_000);
            socket.setSoTimeout((int) WAIT.toMillis());
            clientPort = socket.getLocalPort();
            send(socket, segments);
            drain(socket.getInputStream());
        }
        LlhttpMember.Connection parsed = llhttp.awaitConnectionFrom(port, clientPort, WAIT);
        List<Parsed> requests = new ArrayList<>(parsed.requests());
        LlhttpMember.Upgrade upgrade = parsed.upgrade();
        if (upgrade == null || upgrade.rest().isEmpty()) {
            return new Reference(requests, parsed.error());
        }
        // llhttp reads no HTTP after an upgrade's head; the amphora, which upgrades nothing, reads
        // the request's body and goes on with HTTP. So what followed the head is read again behind
        // a head with the same framing, whose body is then the upgrade request's.
        String framing = upgrade.transferEncoding() != null ? "Transfer-Encoding: " + upgrade.transferEncoding()
                : upgrade.contentLength() != null ? "Content-Length: " + upgrade.contentLength() : null;
        if (framing == null) {
            Reference rest = reference(port, List.of(upgrade.rest()));
            requests.addAll(rest.requests());
            return new Reference(requests, rest.error());
        }
        Reference rest = reference(port, List.of("POST /body HTTP/1.1\r\nHost: x\r\n" + framing + "\r\n\r\n" + upgrade.rest()));
        if (rest.requests().isEmpty() || !rest.requests().get(0).complete()) {
            return new Reference(requests, rest.error());
        }
        Parsed head = requests.remove(requests.size() - 1);
        Parsed body = rest.requests().get(0);
        requests.add(new Parsed(head.number(), head.method(), head.target(), head.version(), body.bodyDigest(),
                body.bodyLength(), false));
        requests.addAll(rest.requests().subList(1, rest.requests().size()));
        return new Reference(requests, rest.error());
    }

    private static void send(Socket socket, List<String> segments) throws IOException {
        OutputStream out = socket.getOutputStream();
        try {
            for (String segment : segments) {
                out.write(segment.getBytes(StandardCharsets.ISO_8859_1));
                out.flush();
            }
            socket.shutdownOutput();
        } catch (IOException e) {
            // the other side closed before it had everything: what it read is what counts
        }
    }

    private static void drain(InputStream in) throws IOException {
        try {
            in.readAllBytes();
        } catch (IOException e) {
            // reset: the connection is over either way
        }
    }

    private static Outcome throughAmphora(int port, ClientStream client) throws Exception {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(VIP, port), 2_000);
            socket.setSoTimeout((int) WAIT.toMillis());
            send(socket, client.segments());
            InputStream in = socket.getInputStream();
            List<Integer> answered = new ArrayList<>();
            boolean closeAnnounced = false;
            while (true) {
                String head;
                try {
                    head = readHead(in);
                } catch (SocketTimeoutException e) {
                    throw new AssertionError("the amphora neither answered nor closed within " + WAIT
                            + " after answering " + answered + "\ncase: " + new Case(List.of(client)));
                }
                if (head == null) {
                    return new Outcome(answered, closeAnnounced, null);
                }
                String status = head.substring(0, head.indexOf("\r\n"));
                if (status.startsWith("HTTP/1.1 1")) {
                    continue;
                }
                Integer seq = header(head, "x-seq") == null ? null : Integer.valueOf(header(head, "x-seq"));
                if (seq == null) {
                    drain(in);
                    return new Outcome(answered, closeAnnounced, status);
                }
                answered.add(seq);
                closeAnnounced = "close".equalsIgnoreCase(header(head, "connection"));
            }
        }
    }

    /** A response head; null when the connection ends before one starts. */
    private static String readHead(InputStream in) throws IOException {
        StringBuilder head = new StringBuilder();
        while (head.length() < 4 || !head.substring(head.length() - 4).equals("\r\n\r\n")) {
            int b;
            try {
                b = in.read();
            } catch (SocketTimeoutException e) {
                throw e;
            } catch (IOException e) {
                b = -1;
            }
            if (b < 0) {
                if (head.isEmpty()) {
                    return null;
                }
                throw new AssertionError("the connection ended inside a response head: " + Escapes.escape(head.toString()));
            }
            head.append((char) b);
        }
        return head.toString();
    }

    private static String header(String head, String name) {
        for (String line : head.split("\r\n")) {
            int colon = line.indexOf(':');
            if (colon > 0 && line.substring(0, colon).equalsIgnoreCase(name)) {
                return line.substring(colon + 1).trim();
            }
        }
        return null;
    }

    /** Judges one case from what llhttp read of each client's bytes, what each client got, and what the member read. */
    private static final class Verdict {
        private final Case sample;
        private final List<Reference> strict;
        private final List<Outcome> outcomes;
        private final List<LlhttpMember.Connection> memberSide;
        private final Map<Integer, Parsed> memberRequests = new HashMap<>();
        private final Map<Integer, Integer> memberConnectionOf = new HashMap<>();
        /** Node's lenient reading of a client's bytes, for the clients whose bytes strict llhttp refuses sooner. */
        private final Map<Integer, Reference> lenient = new HashMap<>();

        Verdict(Case sample, List<Reference> strict, List<Outcome> outcomes, List<LlhttpMember.Connection> memberSide) {
            this.sample = sample;
            this.strict = strict;
            this.outcomes = outcomes;
            this.memberSide = memberSide;
            for (LlhttpMember.Connection connection : memberSide) {
                for (Parsed request : connection.requests()) {
                    memberRequests.put(request.number(), request);
                    memberConnectionOf.put(request.number(), connection.id());
                }
            }
        }

        void verify() throws Exception {
            Set<Integer> answered = new HashSet<>();
            Set<Integer> clientsOnSharedConnection = new HashSet<>();
            for (int i = 0; i < outcomes.size(); i++) {
                Outcome outcome = outcomes.get(i);
                List<Parsed> forwarded = new ArrayList<>();
                for (int seq : outcome.answered()) {
                    Parsed request = memberRequests.get(seq);
                    if (request == null || !request.complete()) {
                        fail("client " + (i + 1) + " got the answer to request #" + seq + ", which the member never read whole");
                    }
                    if (!answered.add(seq)) {
                        fail("two answers to request #" + seq);
                    }
                    forwarded.add(request);
                    clientsOnSharedConnection.add(memberConnectionOf.get(seq) * 10 + i);
                }
                compare(i, forwarded, outcome);
            }
            for (LlhttpMember.Connection connection : memberSide) {
                if (connection.error() != null && !extensionMethodRefused(connection.error())
                        && !cutInsideARequest(connection)) {
                    fail("llhttp refused what the amphora sent it on member connection " + connection.id() + ": "
                            + connection.error());
                }
                List<Parsed> requests = connection.requests();
                for (int i = 0; i < requests.size() - 1; i++) {
                    if (!requests.get(i).complete()) {
                        fail("member connection " + connection.id() + " went on after an unfinished request");
                    }
                }
            }
            for (Parsed request : memberRequests.values()) {
                if (request.complete() && !answered.contains(request.number())) {
                    fail("the member read request " + request + ", whose answer reached no client");
                }
            }
            Statistics.label("clients").collect(sample.clients().size());
            Statistics.label("member connections").collect(memberSide.size());
            Statistics.label("a member connection served both clients").collect(
                    sharedConnection(clientsOnSharedConnection));
        }

        /**
         * The amphora closed the member connection inside a request whose body never came whole
         * (the client's body was malformed, cut short or late): llhttp sees the connection end
         * inside the body, and no answer to that request reaches anyone.
         */
        private static boolean cutInsideARequest(LlhttpMember.Connection connection) {
            List<Parsed> requests = connection.requests();
            // llhttp sees the end, or a reset when what it sent (a 100 Continue) was still unread
            boolean cut = (connection.error().startsWith("HPE_INVALID_EOF_STATE")
                    || connection.error().startsWith("ECONNRESET")) && !requests.isEmpty()
                    && !requests.get(requests.size() - 1).complete();
            if (cut) {
                Statistics.label("member connection closed inside a request's body").collect(true);
            }
            return cut;
        }

        /**
         * Methods are tokens, and the amphora forwards any token (as HAProxy does), where llhttp
         * knows a fixed list. A member that refuses a method it does not know is answered as any
         * member that fails: the client that sent it gets a 502 (or, on a member connection that
         * served before, a close, as when a member closes an idle connection just as a request
         * comes, so that the client may retry; or the amphora's own refusal of the request's body),
         * having got the answers to every request before it and none to that one.
         */
        private boolean extensionMethodRefused(String memberError) {
            if (!memberError.startsWith("HPE_INVALID_METHOD")) {
                return false;
            }
            for (int i = 0; i < outcomes.size(); i++) {
                Reference reference = lenient.getOrDefault(i, strict.get(i));
                if (reference.error() != null && reference.error().startsWith("HPE_INVALID_METHOD")
                        && outcomes.get(i).answered().size()
                                == reference.requests().stream().filter(Parsed::complete).count()) {
                    Statistics.label("extension method forwarded, refused by llhttp").collect(true);
                    return true;
                }
            }
            return false;
        }

        private static boolean sharedConnection(Set<Integer> connectionAndClient) {
            Set<Integer> connections = new HashSet<>();
            for (int key : connectionAndClient) {
                if (!connections.add(key / 10)) {
                    return true;
                }
            }
            return false;
        }

        private void compare(int client, List<Parsed> forwarded, Outcome outcome) throws Exception {
            Reference reference = strict.get(client);
            List<Parsed> read = reference.requests().stream().filter(Parsed::complete).toList();
            int agreed = Math.min(forwarded.size(), read.size());
            for (int j = 0; j < agreed; j++) {
                if (!same(forwarded.get(j), read.get(j))) {
                    fail("client " + (client + 1) + ", request " + (j + 1) + ": the member read " + forwarded.get(j)
                            + " where llhttp reads " + read.get(j) + " from the client's bytes");
                }
            }
            if (forwarded.size() > read.size()) {
                acceptedBeyondStrict(client, forwarded, read.size());
            } else if (forwarded.size() < read.size() && outcome.amphoraAnswer() == null && !outcome.closeAnnounced()) {
                fail("client " + (client + 1) + ": the amphora closed without a word after " + forwarded.size()
                        + " requests, where llhttp reads " + read.size());
            }
            String ending = outcome.amphoraAnswer() != null ? "amphora answered " + outcome.amphoraAnswer().substring(9)
                    : forwarded.size() == read.size() ? "all forwarded" : "closed, as its last answer said";
            Statistics.label("client outcome").collect(ending);
            Statistics.label("llhttp on the client's bytes").collect(
                    reference.error() == null ? "read them all" : reference.error().split(" ")[0]);
            Statistics.label("requests forwarded per client").collect(forwarded.size());
        }

        /** The amphora forwarded requests strict llhttp refuses: Node's lenient parser must read them alike. */
        private void acceptedBeyondStrict(int client, List<Parsed> forwarded, int strictCount) throws Exception {
            Reference lenientReading = reference(lenientPort, sample.clients().get(client).segments());
            lenient.put(client, lenientReading);
            List<Parsed> read = lenientReading.requests().stream().filter(Parsed::complete).toList();
            for (int j = strictCount; j < forwarded.size(); j++) {
                if (j >= read.size() || !same(forwarded.get(j), read.get(j))) {
                    fail("client " + (client + 1) + ", request " + (j + 1) + ": the amphora forwarded "
                            + forwarded.get(j) + ", which strict llhttp refuses (" + strict.get(client).error()
                            + ") and lenient llhttp reads as " + (j < read.size() ? read.get(j) : "nothing"));
                }
            }
            Statistics.label("amphora accepted what strict llhttp refuses").collect(strict.get(client).error());
        }

        private static boolean same(Parsed forwarded, Parsed read) {
            return forwarded.method().equals(read.method()) && forwarded.target().equals(withPath(read.target()))
                    && (read.upgrade() || forwarded.bodyDigest().equals(read.bodyDigest()));
        }

        /**
         * An absolute-form target with an empty path is sent on with the path "/" (Netty's request
         * encoder does so): the same resource (RFC 9110, 4.2.3).
         */
        private static String withPath(String target) {
            Matcher absolute = EMPTY_PATH.matcher(target);
            return absolute.matches() ? absolute.group(1) + "/" + Objects.toString(absolute.group(2), "") : target;
        }

        private void fail(String what) {
            StringBuilder report = new StringBuilder(what).append("\ncase (a line for regressions.txt):\n")
                    .append(sample).append('\n');
            for (int i = 0; i < sample.clients().size(); i++) {
                report.append("client ").append(i + 1).append(": llhttp reads ").append(strict.get(i).requests())
                        .append(strict.get(i).error() == null ? "" : ", then " + strict.get(i).error())
                        .append("; the client got answers to ").append(outcomes.get(i).answered())
                        .append(outcomes.get(i).amphoraAnswer() == null ? "" : ", then " + outcomes.get(i).amphoraAnswer())
                        .append('\n');
            }
            for (LlhttpMember.Connection connection : memberSide) {
                report.append("member connection ").append(connection.id()).append(": ").append(connection.requests())
                        .append(connection.error() == null ? "" : ", then " + connection.error()).append('\n');
            }
            throw new AssertionError(report.toString());
        }
    }
}
