package dev.lbaas.amphora;

import static dev.lbaas.amphora.testing.Configs.config;
import static dev.lbaas.amphora.testing.Configs.freePort;
import static dev.lbaas.amphora.testing.Configs.listener;
import static dev.lbaas.amphora.testing.Configs.member;
import static dev.lbaas.amphora.testing.Configs.pool;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.lbaas.amphora.config.AgentApi;
import dev.lbaas.amphora.config.AmphoraConfig;
import dev.lbaas.amphora.config.AmphoraStatus;
import dev.lbaas.amphora.config.AmphoraStatus.PairStatus;
import dev.lbaas.amphora.config.FailoverConfig;
import dev.lbaas.amphora.config.ListenerProtocol;
import dev.lbaas.amphora.config.PoolProtocol;
import dev.lbaas.amphora.testing.AmphoraJar;
import dev.lbaas.amphora.testing.NamedHttpBackend;
import dev.lbaas.amphora.testing.VipRequestStream;
import dev.lbaas.amphora.testing.TestPki;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two amphora processes as the local driver runs an ACTIVE_STANDBY pair: one VIP on loopback,
 * adverts between them on 127.0.0.1, a client opening a new connection every 5 ms through the VIP.
 * The master is SIGKILLed, or SIGSTOPped and resumed, as the failover issue's measurement does.
 */
class PairProcessesIT {

    private static final String VIP = "127.0.0.1";
    private static final String KEY = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=";

    @TempDir
    Path dir;
    private NamedHttpBackend web;
    private final Process[] processes = new Process[2];
    private final URI[] agents = new URI[2];
    private HttpClient operator;
    private int vipPort;

    @BeforeEach
    void startPair() throws Exception {
        web = new NamedHttpBackend("web");
        vipPort = freePort(VIP);
        int[] advertPorts = {freeUdpPort(), freeUdpPort()};
        TestPki pki = new TestPki(Files.createDirectories(dir.resolve("pki")));
        operator = HttpClient.newBuilder().sslContext(pki.trustedClient()).version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(2)).build();
        for (int i = 0; i < 2; i++) {
            Path amphoraDir = Files.createDirectories(dir.resolve("amphora-" + i));
            processes[i] = AmphoraJar.start(amphoraDir, pki, List.of(), "amphora-" + i, "--exit-on-stdin-eof");
        }
        for (int i = 0; i < 2; i++) {
            Path portFile = dir.resolve("amphora-" + i).resolve("agent.port");
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> Files.exists(portFile) && !Files.readString(portFile).isBlank());
            agents[i] = URI.create("https://127.0.0.1:" + Files.readString(portFile).trim());
        }
        for (int i = 0; i < 2; i++) {
            AmphoraConfig config = config(1, VIP, List.of(listener("l", ListenerProtocol.HTTP, vipPort, "p")),
                    pool("p", PoolProtocol.HTTP, null, member("web", web.port(), 1)))
                    .withFailover(new FailoverConfig("127.0.0.1", advertPorts[1 - i], advertPorts[i], 100, 100, false,
                            KEY));
            HttpResponse<String> put = operator.send(HttpRequest.newBuilder(agents[i].resolve(AgentApi.CONFIG_PATH))
                    .PUT(HttpRequest.BodyPublishers.ofString(AgentApi.json().writeValueAsString(config))).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(put.statusCode()).as(put.body()).isEqualTo(200);
        }
    }

    @AfterEach
    void stopPair() throws Exception {
        for (Process process : processes) {
            if (process != null) {
                signal(process, "CONT");
                AmphoraJar.stop(process);
            }
        }
        web.stop();
    }

    @Test
    void aKilledMasterIsSucceededWithinTheMasterDownIntervalAndNothingFailsAfterTheGap() throws Exception {
        int master = awaitOneMaster();
        int backup = 1 - master;
        // The operator long-polls each amphora's status: a new role must end the poll, as a
        // member's health does, or the operator would learn of the failover only at its timeout.
        AmphoraStatus before = status(backup);
        var poll = operator.sendAsync(HttpRequest.newBuilder(agents[backup].resolve(AgentApi.STATUS_PATH + "?after="
                + before.healthVersion() + "&waitSeconds=20")).build(), HttpResponse.BodyHandlers.ofString());
        try (VipRequestStream stream = new VipRequestStream(VIP, vipPort)) {
            stream.awaitSuccesses(20);
            long killed = System.nanoTime();
            processes[master].destroyForcibly(); // SIGKILL
            AmphoraStatus polled = AgentApi.json().readValue(poll.get(5, TimeUnit.SECONDS).body(), AmphoraStatus.class);
            assertThat(polled.pair().role()).as("the held status request answered with the new role")
                    .isEqualTo("MASTER");
            assertThat(polled.healthVersion()).as("a new role moves the version long polls follow")
                    .isGreaterThan(before.healthVersion());
            await().atMost(Duration.ofSeconds(5)).until(() -> pair(backup).holdsVip());
            long tookOver = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killed);
            int failedBefore = stream.failures();
            stream.awaitSuccesses(40);
            System.out.printf("pair of processes, master SIGKILLed: VIP held by the backup after %d ms; longest "
                    + "silence %d ms; %d requests failed during the gap, %d after%n", tookOver,
                    stream.longestGapMillis(), failedBefore, stream.failures() - failedBefore);
            assertThat(stream.longestGapMillis()).as("longest time without an answer").isLessThan(1_000);
            assertThat(stream.failures() - failedBefore).as("failed requests once the gap is over").isZero();
        }
    }

    @Test
    void aPausedMasterIsSucceededAndStepsDownWhenItResumes() throws Exception {
        int master = awaitOneMaster();
        int backup = 1 - master;
        long termBefore = pair(master).term();
        signal(processes[master], "STOP");
        await().atMost(Duration.ofSeconds(5)).until(() -> pair(backup).holdsVip());
        PairStatus successor = pair(backup);
        assertThat(successor.role()).isEqualTo("MASTER");
        assertThat(successor.term()).isGreaterThan(termBefore);
        Thread.sleep(1_000);

        long resumed = System.nanoTime();
        signal(processes[master], "CONT");
        // The resumed amphora hears the newer term within one advert interval (100 ms) and steps
        // down; the status request itself waits for its event loops to run again.
        await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(10))
                .until(() -> pair(master).role().equals("BACKUP") && !pair(master).holdsVip());
        long steppedDown = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - resumed);
        System.out.printf("pair of processes, master SIGSTOPped then resumed: BACKUP again %d ms after SIGCONT%n",
                steppedDown);
        assertThat(roleOf(pair(backup))).as("the successor keeps the VIP").isEqualTo(new PairStatus("MASTER",
                successor.term(), true));
        assertThat(get()).isEqualTo("web");
    }

    @Test
    void aFailoverRequestMovesTheVipWithoutAFailedRequestAndABackupRefusesIt() throws Exception {
        int master = awaitOneMaster();
        int backup = 1 - master;
        HttpResponse<String> refused = failover(backup);
        assertThat(refused.statusCode()).as(refused.body()).isEqualTo(409);
        assertThat(AgentApi.json().readValue(refused.body(), AmphoraStatus.class).pair().role()).isEqualTo("BACKUP");
        assertThat(pair(master).holdsVip()).as("a backup's refusal changes nothing").isTrue();

        try (VipRequestStream stream = new VipRequestStream(VIP, vipPort)) {
            stream.awaitSuccesses(20);
            long asked = System.nanoTime();
            HttpResponse<String> handedOver = failover(master);
            long answered = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - asked);
            assertThat(handedOver.statusCode()).as(handedOver.body()).isEqualTo(200);
            AmphoraStatus former = AgentApi.json().readValue(handedOver.body(), AmphoraStatus.class);
            assertThat(former.pair().role()).isEqualTo("BACKUP");
            assertThat(pair(backup).role()).isEqualTo("MASTER");
            await().atMost(Duration.ofSeconds(2)).until(() -> pair(backup).holdsVip() && !pair(master).holdsVip());
            stream.awaitSuccesses(stream.successes() + 40);
            System.out.printf("pair of processes, failover through the agent API: answered after %d ms; longest "
                    + "silence %d ms; %d requests failed%n", answered, stream.longestGapMillis(), stream.failures());
            assertThat(stream.failures()).as("failed requests in a planned failover").isZero();
        }
    }

    private HttpResponse<String> failover(int amphora) throws Exception {
        return operator.send(HttpRequest.newBuilder(agents[amphora].resolve(AgentApi.FAILOVER_PATH))
                .timeout(Duration.ofSeconds(10)).POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private int awaitOneMaster() throws Exception {
        await().atMost(Duration.ofSeconds(10)).until(() -> pair(0).holdsVip() != pair(1).holdsVip());
        return pair(0).holdsVip() ? 0 : 1;
    }

    private PairStatus pair(int amphora) throws Exception {
        AmphoraStatus status = status(amphora);
        return status.pair() == null ? new PairStatus("NONE", 0, false) : status.pair();
    }

    private AmphoraStatus status(int amphora) throws Exception {
        HttpResponse<String> response = operator.send(HttpRequest.newBuilder(agents[amphora].resolve(
                AgentApi.STATUS_PATH)).timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
        return AgentApi.json().readValue(response.body(), AmphoraStatus.class);
    }

    private static void signal(Process process, String signal) throws Exception {
        if (process.isAlive()) {
            new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid())).start().waitFor(5, TimeUnit.SECONDS);
        }
    }

    private String get() throws IOException {
        return VipRequestStream.get(VIP, vipPort);
    }

    private static int freeUdpPort() throws IOException {
        try (DatagramSocket socket = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    /** Its role, term and whether it holds the VIP: what these tests compare. */
    private static PairStatus roleOf(PairStatus status) {
        return new PairStatus(status.role(), status.term(), status.holdsVip());
    }

}
