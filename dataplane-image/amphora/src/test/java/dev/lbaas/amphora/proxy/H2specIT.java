package dev.lbaas.amphora.proxy;

import static dev.lbaas.amphora.testing.Configs.config;
import static dev.lbaas.amphora.testing.Configs.freePort;
import static dev.lbaas.amphora.testing.Configs.member;
import static dev.lbaas.amphora.testing.Configs.pool;
import static org.assertj.core.api.Assertions.assertThat;

import dev.lbaas.amphora.config.ListenerConfig;
import dev.lbaas.amphora.config.ListenerProtocol;
import dev.lbaas.amphora.config.ListenerTlsConfig;
import dev.lbaas.amphora.config.PoolProtocol;
import dev.lbaas.amphora.testing.NamedHttpBackend;
import dev.lbaas.amphora.testing.ProjectScripts;
import dev.lbaas.amphora.testing.RunningDataplane;
import dev.lbaas.amphora.testing.TlsIdentities;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * h2spec, the HTTP/2 conformance suite (framing, streams and their states, flow control, HPACK,
 * the rules for fields and pseudo-header fields), run whole against an HTTP/2 listener over TLS
 * and one over cleartext: every case must pass but the few listed in {@link #ANSWERED_OTHERWISE},
 * where the amphora refuses what the case sends, as h2spec asks, with another answer than the
 * one h2spec expects.
 */
class H2specIT {

    private static final String VIP = "127.0.0.1";

    /** The cases whose refusal differs from h2spec's expectation, and why the difference is safe. */
    private static final Map<String, String> ANSWERED_OTHERWISE = Map.of(
            "http2/5.1.1 Sends stream identifier that is numerically smaller than previous",
            "Netty's codec keeps no record of closed streams, so it cannot tell an identifier that was skipped "
                    + "from a stream that closed, and resets the stream (STREAM_CLOSED) instead of ending the "
                    + "connection: the request is refused either way",
            "http2/5.1 closed: Sends a HEADERS frame",
            "as above: a stream that closed is reset, not the connection ended",
            "http2/5.1 half closed (remote): Sends a HEADERS frame",
            "a second HEADERS frame on a stream whose request ended is reset (PROTOCOL_ERROR or STREAM_CLOSED, "
                    + "whichever Netty's codec finds first) rather than ending the connection");

    /**
     * Only on cleartext: the port serves HTTP/1.1 as well, so a connection that does not begin
     * with HTTP/2's preface is read as HTTP/1.1 and answered so, not with a GOAWAY.
     */
    private static final String NOT_A_PREFACE = "http2/3.5 Sends invalid connection preface";

    @TempDir
    Path temp;

    @Test
    void anAlpnNegotiatedListenerPassesEveryCase() throws Exception {
        TlsIdentities pki = new TlsIdentities("h2spec");
        ListenerTlsConfig tls = new ListenerTlsConfig(pki.server("localhost", "localhost"), null, null, null, null,
                null, null, null, null);
        try (RunningDataplane amphora = new RunningDataplane(); NamedHttpBackend web = new NamedHttpBackend("web")) {
            int port = freePort(VIP);
            amphora.apply(config(1, VIP, List.of(new ListenerConfig("l", null, ListenerProtocol.TERMINATED_HTTPS,
                    port, -1, true, "web", null, null, null, null, tls)),
                    pool("web", PoolProtocol.HTTP, null, member("w", web.port(), 1))));
            Map<String, String> failed = failures(port, "--tls", "--insecure");
            assertThat(failed.keySet()).as("h2spec cases failed over TLS: %s", failed)
                    .isSubsetOf(ANSWERED_OTHERWISE.keySet());
        }
    }

    @Test
    void aCleartextListenerWithPriorKnowledgePassesEveryCase() throws Exception {
        try (RunningDataplane amphora = new RunningDataplane(); NamedHttpBackend web = new NamedHttpBackend("web")) {
            int port = freePort(VIP);
            amphora.apply(config(1, VIP, List.of(new ListenerConfig("l", null, ListenerProtocol.HTTP, port, -1, true,
                    "web", null, null, null, null, null, true)),
                    pool("web", PoolProtocol.HTTP, null, member("w", web.port(), 1))));
            Map<String, String> failed = failures(port);
            failed.remove(NOT_A_PREFACE);
            assertThat(failed.keySet()).as("h2spec cases failed over cleartext: %s", failed)
                    .isSubsetOf(ANSWERED_OTHERWISE.keySet());
        }
    }

    /** Runs every h2spec case against the port; the failed ones (section and name), each with h2spec's reason. */
    private Map<String, String> failures(int port, String... options) throws Exception {
        Path report = temp.resolve("h2spec-" + port + ".xml");
        List<String> command = new ArrayList<>(List.of(ProjectScripts.toolPath("h2spec.sh", "h2spec"),
                "--host", VIP, "--port", String.valueOf(port), "--timeout", "3", "--junit-report", report.toString()));
        command.addAll(List.of(options));
        Process h2spec = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(h2spec.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(h2spec.waitFor(5, TimeUnit.MINUTES)).as("h2spec finished").isTrue();

        Map<String, String> failed = new LinkedHashMap<>();
        NodeList cases = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(report.toFile())
                .getElementsByTagName("testcase");
        assertThat(cases.getLength()).as("h2spec ran its cases: %s", output).isGreaterThan(90);
        for (int i = 0; i < cases.getLength(); i++) {
            Element testCase = (Element) cases.item(i);
            NodeList failure = testCase.getElementsByTagName("failure");
            NodeList error = testCase.getElementsByTagName("error");
            if (failure.getLength() > 0 || error.getLength() > 0) {
                Element why = (Element) (failure.getLength() > 0 ? failure : error).item(0);
                failed.put(testCase.getAttribute("package") + " " + testCase.getAttribute("classname"),
                        why.getTextContent().strip());
            }
        }
        System.out.printf("h2spec %s: %d cases, %d passed, answered otherwise: %s%n",
                options.length == 0 ? "over cleartext" : "over TLS", cases.getLength(),
                cases.getLength() - failed.size(), failed.keySet());
        return failed;
    }
}
