package dev.lbaas.amphora.testing;

import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Tuple;

/**
 * Request streams built from the primitives of request smuggling, for the differential test of the
 * amphora against llhttp: framing headers in many spellings, values and positions, alone, twice
 * and together; Connection tokens naming framing, Host and hop-by-hop fields; chunk sizes,
 * extensions, terminators, last chunks and trailers; line endings, whitespace, obsolete folding,
 * odd bytes in names and values; Host fields and request targets; methods and versions; up to
 * three requests pipelined on a connection, two clients one after the other (so that the second
 * takes the member connection the first left in the pool), each connection's bytes sent in up to
 * four writes, and a few bytes replaced, inserted or deleted anywhere. Most of what is generated
 * is well-formed, so that what the amphora forwards gets compared too, not only what it refuses.
 */
public final class SmugglingStreams {

    /** One client connection's bytes (ISO-8859-1, a char a byte), in the writes they are sent in. */
    public record ClientStream(List<String> segments) {
        public String bytes() {
            return String.join("", segments);
        }
    }

    /** Client connections made one after the other through one amphora and one member. */
    public record Case(List<ClientStream> clients) {

        /** One line: clients separated by {@code " || "}, writes by {@code " | "}, bytes escaped. */
        @Override
        public String toString() {
            List<String> parts = new ArrayList<>();
            for (ClientStream client : clients) {
                parts.add(String.join(" | ", client.segments().stream().map(Escapes::escape).toList()));
            }
            return String.join(" || ", parts);
        }

        public static Case parse(String line) {
            List<ClientStream> clients = new ArrayList<>();
            for (String client : line.split(" \\|\\| ")) {
                List<String> segments = new ArrayList<>();
                for (String segment : client.split(" \\| ")) {
                    segments.add(Escapes.unescape(segment));
                }
                clients.add(new ClientStream(segments));
            }
            return new Case(clients);
        }
    }

    private SmugglingStreams() {
    }

    public static Arbitrary<Case> cases() {
        return Arbitraries.frequencyOf(Tuple.of(3, clientStream().list().ofSize(1)), Tuple.of(7, clientStream().list().ofSize(2)))
                .map(Case::new);
    }

    static Arbitrary<ClientStream> clientStream() {
        Arbitrary<List<ByteMutation>> mutations = Arbitraries.frequencyOf(
                Tuple.of(9, Arbitraries.just(List.<ByteMutation>of())),
                Tuple.of(1, byteMutation().list().ofMinSize(1).ofMaxSize(2)));
        Arbitrary<List<Double>> splits = Arbitraries.doubles().between(0, 1).list().ofMaxSize(3);
        return Combinators.combine(request().list().ofMinSize(1).ofMaxSize(3), mutations, splits)
                .as((requests, changes, at) -> split(mutate(String.join("", requests), changes), at));
    }

    private static ClientStream split(String bytes, List<Double> at) {
        List<Integer> cuts = new ArrayList<>();
        for (double fraction : at) {
            cuts.add((int) (fraction * bytes.length()));
        }
        cuts.sort(Integer::compare);
        List<String> segments = new ArrayList<>();
        int from = 0;
        for (int cut : cuts) {
            if (cut > from) {
                segments.add(bytes.substring(from, cut));
                from = cut;
            }
        }
        segments.add(bytes.substring(from));
        return new ClientStream(segments);
    }

    /** A byte replaced, inserted or deleted at a fraction of the stream. */
    record ByteMutation(double at, int operation, char value) {
    }

    private static Arbitrary<ByteMutation> byteMutation() {
        return Combinators.combine(Arbitraries.doubles().between(0, 1), Arbitraries.integers().between(0, 2),
                Arbitraries.of('\r', '\n', ' ', '\t', ':', ';', ',', '0', 'a', '\u0000', '\u000b', '\u007f', '\u00ff', '"'))
                .as(ByteMutation::new);
    }

    private static String mutate(String bytes, List<ByteMutation> changes) {
        StringBuilder out = new StringBuilder(bytes);
        for (ByteMutation change : changes) {
            int at = Math.min((int) (change.at() * out.length()), Math.max(0, out.length() - 1));
            switch (change.operation()) {
                case 0 -> {
                    if (out.length() > 0) {
                        out.setCharAt(at, change.value());
                    }
                }
                case 1 -> out.insert(at, change.value());
                default -> {
                    if (out.length() > 0) {
                        out.deleteCharAt(at);
                    }
                }
            }
        }
        return out.toString();
    }

    /**
     * One request's bytes: mostly well-formed, so that pipelines and shared member connections
     * get far enough to be compared; a third of them hostile in any of their parts.
     */
    static Arbitrary<String> request() {
        return Arbitraries.frequencyOf(Tuple.of(2, request(false)), Tuple.of(1, request(true)));
    }

    /** {@code clean}, or in a hostile request now and then {@code odd}. */
    private static <T> Arbitrary<T> sometimes(boolean hostile, int cleanWeight, Arbitrary<T> clean, int oddWeight,
            Arbitrary<T> odd) {
        return hostile ? Arbitraries.frequencyOf(Tuple.of(cleanWeight, clean), Tuple.of(oddWeight, odd)) : clean;
    }

    private static Arbitrary<String> request(boolean hostile) {
        Arbitrary<String> requestLine = Combinators.combine(method(hostile), target(hostile), version(hostile))
                .as((method, target, version) -> method + " " + target + " " + version);
        Arbitrary<List<String>> fields = Combinators.combine(host(hostile), connection(hostile), extras(hostile))
                .as((host, connection, extras) -> {
                    List<String> all = new ArrayList<>(host);
                    all.addAll(connection);
                    all.addAll(extras);
                    return all;
                });
        return Combinators.combine(requestLine, fields, framed(hostile), Arbitraries.integers().between(0, 5),
                        hostile ? lineTweak() : Arbitraries.just(LineTweak.NONE))
                .as((line, others, framing, position, tweak) -> {
                    List<String> lines = new ArrayList<>(others);
                    // the framing fields go anywhere among the others
                    int at = Math.min(position, lines.size());
                    lines.addAll(at, framing.fields());
                    return tweak.apply(line, lines) + framing.body();
                });
    }

    private static Arbitrary<String> method(boolean hostile) {
        return sometimes(hostile,
                20, Arbitraries.of("GET", "POST", "PUT", "HEAD", "DELETE", "OPTIONS", "PATCH"),
                2, Arbitraries.of("get", "G ET", "GET\t", "FOO", "PRI", "CONNECT", "GET\u0000"));
    }

    private static Arbitrary<String> target(boolean hostile) {
        return sometimes(hostile,
                20, Arbitraries.of("/", "/p?q=1", "/a/b.html", "/smuggled", "http://t.example/p", "/a%00b", "/a#f"),
                3, Arbitraries.of("http://other.example/p", "*", "//x", "t.example:443", "HTTP://t.example/",
                        "http://t.example", "/a b", "/a\tb", "/a\u007fb", "/\u00ff", "", "/a\rb"));
    }

    private static Arbitrary<String> version(boolean hostile) {
        return sometimes(hostile,
                20, Arbitraries.frequencyOf(Tuple.of(9, Arbitraries.just("HTTP/1.1")), Tuple.of(1, Arbitraries.just("HTTP/1.0"))),
                2, Arbitraries.of("HTTP/1.2", "HTTP/2.0", "http/1.1", "HTTP/1.1 ", "HTTP/01.1", "HTTP/1.10", "HTTP/0.9"));
    }

    private static Arbitrary<List<String>> host(boolean hostile) {
        return sometimes(hostile,
                20, Arbitraries.of(List.of("Host: t.example"), List.of("host: t.example:80")),
                3, Arbitraries.of(List.of(), List.of("Host: t.example", "Host: t.example"),
                        List.of("Host: t.example", "Host: other.example"), List.of("Host: t.example:80"), List.of("Host: "),
                        List.of("Host: a b"), List.of("host:t.example"), List.of("Host: t.example, other.example"),
                        List.of("Host: t.example/x"), List.of("Host : t.example")));
    }

    private static Arbitrary<List<String>> connection(boolean hostile) {
        Arbitrary<String> token = sometimes(hostile,
                6, Arbitraries.of("close", "keep-alive", "Upgrade", "X-Hop", "TE", "Keep-Alive"),
                4, Arbitraries.of("Content-Length", "Transfer-Encoding", "Host", "content-length", ""));
        Arbitrary<List<String>> named = Combinators.combine(token.list().ofMinSize(1).ofMaxSize(3), Arbitraries.of(", ", ","))
                .as((tokens, comma) -> {
                    List<String> lines = new ArrayList<>();
                    lines.add("Connection: " + String.join(comma, tokens));
                    if (tokens.contains("X-Hop")) {
                        lines.add("X-Hop: 1");
                    }
                    return lines;
                });
        return Arbitraries.frequencyOf(Tuple.of(3, Arbitraries.just(List.of())), Tuple.of(1, named));
    }

    private static Arbitrary<List<String>> extras(boolean hostile) {
        Arbitrary<String> field = sometimes(hostile,
                10, Arbitraries.of("Keep-Alive: timeout=5", "TE: trailers", "Upgrade: websocket",
                        "Proxy-Connection: keep-alive", "Expect: 100-continue", "X-A: b", "Cookie: s=1", "Trailer: X-T",
                        "X-Empty:", "X-Tab: a\tb", "X-Colon: a:b", "X-Long: " + "y".repeat(200)),
                2, Arbitraries.of("X-Weird: a\u0000b", "X-Weird: a\u000bb", "X-Weird: a\u007fb", "X-Weird: \u00ff",
                        ": novalue", "X Space: a", "X-Bad\u0000: a", "X-Trailing: a  ", "X-CR: a\rb"));
        return field.list().ofMaxSize(2);
    }

    /** Framing header fields and the body they frame. */
    record Framing(List<String> fields, String body) {
    }

    private static final Arbitrary<String> PAYLOADS = Arbitraries.of("", "hello", "GET /smuggled HTTP/1.1\r\nX-Junk: ",
            "0\r\n\r\n", "x".repeat(100), "a\r\n\r\nb",
            "POST /inner HTTP/1.1\r\nHost: t.example\r\nContent-Length: 3\r\n\r\nabc");

    private static Arbitrary<Framing> framed(boolean hostile) {
        if (!hostile) {
            return Arbitraries.frequencyOf(
                    Tuple.of(4, Arbitraries.just(new Framing(List.of(), ""))),
                    Tuple.of(3, PAYLOADS.map(payload -> new Framing(List.of("Content-Length: " + payload.length()), payload))),
                    Tuple.of(3, PAYLOADS.map(payload -> new Framing(List.of("Transfer-Encoding: chunked"),
                            ChunkStyle.CLEAN.encode(payload)))));
        }
        return Arbitraries.frequencyOf(
                Tuple.of(25, PAYLOADS.map(payload -> new Framing(List.of(), payload.startsWith("GET") ? payload : ""))),
                Tuple.of(30, Combinators.combine(PAYLOADS, contentLength()).as((payload, length) ->
                        new Framing(List.of(length.apply(payload.length())), payload))),
                Tuple.of(30, Combinators.combine(PAYLOADS, transferEncoding(), chunkStyle()).as((payload, te, style) ->
                        new Framing(List.of(te), style.encode(payload)))),
                Tuple.of(8, Combinators.combine(PAYLOADS, contentLength(), transferEncoding(), chunkStyle(), Arbitraries.of(true, false))
                        .as((payload, length, te, style, lengthFirst) -> {
                            String body = style.encode(payload);
                            String cl = length.apply(body.length());
                            return new Framing(lengthFirst ? List.of(cl, te) : List.of(te, cl), body);
                        })),
                Tuple.of(3, Combinators.combine(PAYLOADS, transferEncoding(), transferEncoding(), chunkStyle())
                        .as((payload, first, second, style) -> new Framing(List.of(first, second), style.encode(payload)))),
                Tuple.of(4, Combinators.combine(PAYLOADS, contentLength(), contentLength())
                        .as((payload, first, second) -> new Framing(
                                List.of(first.apply(payload.length()), second.apply(payload.length())), payload))));
    }

    /** A Content-Length field for a body of the given length. */
    interface LengthField {
        String apply(int length);
    }

    private static Arbitrary<LengthField> contentLength() {
        Arbitrary<String> name = Arbitraries.frequencyOf(
                Tuple.of(20, Arbitraries.just("Content-Length: ")),
                Tuple.of(1, Arbitraries.of("content-length: ", "CONTENT-LENGTH: ", "Content-Length : ", "Content_Length: ",
                        " Content-Length: ", "Content-Length:", "Content-Length:\t", "Content-Length:  ")));
        Arbitrary<Integer> value = Arbitraries.frequencyOf(
                Tuple.of(20, Arbitraries.just(0)),
                Tuple.of(1, Arbitraries.integers().between(1, 13)));
        return Combinators.combine(name, value).as((prefix, variant) -> length -> prefix + switch (variant) {
            case 0 -> Integer.toString(length);
            case 1 -> Integer.toString(length - 1);
            case 2 -> Integer.toString(length + 1);
            case 3 -> "0" + length;
            case 4 -> "+" + length;
            case 5 -> length + ", " + length;
            case 6 -> " " + length + " ";
            case 7 -> length + " " + length;
            case 8 -> "0x" + Integer.toHexString(length);
            case 9 -> "-" + length;
            case 10 -> "99999999999999999999";
            case 11 -> "";
            case 12 -> length + "\u000b";
            default -> length + ",";
        });
    }

    private static Arbitrary<String> transferEncoding() {
        Arbitrary<String> name = Arbitraries.frequencyOf(
                Tuple.of(20, Arbitraries.just("Transfer-Encoding: ")),
                Tuple.of(1, Arbitraries.of("transfer-encoding: ", "Transfer-Encoding : ", "Transfer_Encoding: ",
                        " Transfer-Encoding: ", "Transfer-Encoding:", "Transfer-Encoding:\t")));
        Arbitrary<String> value = Arbitraries.frequencyOf(
                Tuple.of(20, Arbitraries.just("chunked")),
                Tuple.of(1, Arbitraries.of("Chunked", "CHUNKED", " chunked", "chunked ", "\tchunked", "chunked, chunked",
                        "gzip, chunked", "chunked, gzip", "identity", "xchunked", "chunked;q=1", "chunk", "chunked\u000b",
                        "identity, chunked", ", chunked", "chunked,", "chunked\u0000", "\"chunked\"")));
        return Combinators.combine(name, value).as(String::concat);
    }

    /** How a payload is cut into chunks and how each part of the chunked syntax is spelled. */
    record ChunkStyle(int pieces, int sizeStyle, String extension, String lineEnd, String dataEnd, String last,
            String trailer, String end) {

        static final ChunkStyle CLEAN = new ChunkStyle(1, 0, "", "\r\n", "\r\n", "0", "", "\r\n");

        String encode(String payload) {
            StringBuilder out = new StringBuilder();
            int piece = Math.max(1, (payload.length() + pieces - 1) / Math.max(1, pieces));
            for (int from = 0; from < payload.length(); from += piece) {
                String data = payload.substring(from, Math.min(payload.length(), from + piece));
                out.append(size(data.length())).append(extension).append(lineEnd).append(data).append(dataEnd);
            }
            return out.append(last).append(lineEnd).append(trailer).append(end).toString();
        }

        private String size(int length) {
            String hex = Integer.toHexString(length);
            return switch (sizeStyle) {
                case 0 -> hex;
                case 1 -> hex.toUpperCase();
                case 2 -> "000" + hex;
                case 3 -> "0x" + hex;
                case 4 -> "-" + hex;
                case 5 -> hex + " ";
                case 6 -> "+" + hex;
                default -> " " + hex;
            };
        }
    }

    private static Arbitrary<ChunkStyle> chunkStyle() {
        Arbitrary<ChunkStyle> varied = Combinators.combine(
                Arbitraries.integers().between(1, 3),
                Arbitraries.frequencyOf(Tuple.of(10, Arbitraries.just(0)), Tuple.of(1, Arbitraries.integers().between(1, 7))),
                Arbitraries.frequencyOf(Tuple.of(10, Arbitraries.just("")), Tuple.of(1, Arbitraries.of(";a", ";a=b",
                        ";a=\"q\"", " ;a", ";", ";a=b c", ";" + "x".repeat(100), ";a=\"\\\"\"", "\t;a"))),
                Arbitraries.frequencyOf(Tuple.of(10, Arbitraries.just("\r\n")), Tuple.of(1, Arbitraries.of("\n", "\r", "\r\r\n"))),
                Arbitraries.frequencyOf(Tuple.of(10, Arbitraries.just("\r\n")), Tuple.of(1, Arbitraries.of("\n", "", "XX", "\r"))),
                Arbitraries.frequencyOf(Tuple.of(10, Arbitraries.just("0")), Tuple.of(1, Arbitraries.of("00", "000", "0;a=b", " 0", ""))),
                Arbitraries.frequencyOf(Tuple.of(10, Arbitraries.just("")), Tuple.of(1, Arbitraries.of("X-T: 1\r\n",
                        "Content-Length: 3\r\n", "Transfer-Encoding: chunked\r\n", "X-T: 1\n", "Host: other.example\r\n"))),
                Arbitraries.frequencyOf(Tuple.of(10, Arbitraries.just("\r\n")), Tuple.of(1, Arbitraries.of("\n", ""))))
                .as(ChunkStyle::new);
        return Arbitraries.frequencyOf(Tuple.of(6, Arbitraries.just(ChunkStyle.CLEAN)), Tuple.of(4, varied));
    }

    /** A change to one line of the head: its ending, its separator, or a fold in it. */
    record LineTweak(int kind, int line, String text) {

        static final LineTweak NONE = new LineTweak(0, 0, "");

        /** The head from its request line and field lines, with this tweak. */
        String apply(String requestLine, List<String> fields) {
            List<String> lines = new ArrayList<>();
            lines.add(requestLine);
            lines.addAll(fields);
            List<String> ends = new ArrayList<>();
            for (int i = 0; i <= lines.size(); i++) {
                ends.add("\r\n");
            }
            int at = line % (lines.size() + 1);
            switch (kind) {
                case 1 -> ends.set(at, text);
                case 2 -> {
                    if (at > 0 && at < lines.size()) {
                        // a fold inside the field's value
                        String field = lines.get(at);
                        int split = Math.min(field.length(), field.indexOf(':') + 2);
                        lines.set(at, field.substring(0, split) + text + field.substring(split));
                    }
                }
                default -> {
                }
            }
            StringBuilder head = new StringBuilder();
            for (int i = 0; i < lines.size(); i++) {
                head.append(lines.get(i)).append(ends.get(i));
            }
            return head.append(ends.get(lines.size())).toString();
        }
    }

    private static Arbitrary<LineTweak> lineTweak() {
        Arbitrary<LineTweak> ending = Combinators.combine(Arbitraries.integers().between(0, 8),
                Arbitraries.of("\n", "\r", "\r\r\n", " \r\n", "\t\r\n", "\n\r"))
                .as((line, text) -> new LineTweak(1, line, text));
        Arbitrary<LineTweak> fold = Combinators.combine(Arbitraries.integers().between(1, 8), Arbitraries.of("\r\n ", "\r\n\t", "\n "))
                .as((line, text) -> new LineTweak(2, line, text));
        return Arbitraries.frequencyOf(Tuple.of(16, Arbitraries.just(LineTweak.NONE)), Tuple.of(2, ending), Tuple.of(1, fold));
    }
}
