package dev.lbaas.amphora;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import dev.lbaas.amphora.config.AgentApi;
import dev.lbaas.amphora.config.AmphoraConfig;
import dev.lbaas.amphora.config.ListenerProtocol;
import dev.lbaas.amphora.config.PoolProtocol;
import dev.lbaas.amphora.testing.AmphoraJar;
import dev.lbaas.amphora.testing.Configs;
import dev.lbaas.amphora.testing.CountingHttpBackend;
import dev.lbaas.amphora.testing.RawHttp;
import dev.lbaas.amphora.testing.TestPki;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The packaged jar as the local driver runs it: a child process that dies with its parent. */
class AmphoraProcessIT {

    /** The most heap an amphora keeps committed once idle, with nothing but its start-up data live. */
    private static final int IDLE_HEAP_MIB = 16;

    @Test
    void childProcessPublishesItsPortAndExitsWhenStandardInputCloses(@TempDir Path dir) throws Exception {
        Path portFile = dir.resolve("agent.port");
        Process amphora = startJar(dir, "amp-process", "--exit-on-stdin-eof");
        try {
            await().atMost(Duration.ofSeconds(20)).until(() -> Files.exists(portFile));
            assertThat(Integer.parseInt(Files.readString(portFile))).isPositive();

            amphora.getOutputStream().close();

            assertThat(amphora.waitFor(10, TimeUnit.SECONDS)).isTrue();
            assertThat(amphora.exitValue()).isZero();
            assertThat(Files.readString(dir.resolve("amphora.log"))).contains("agent API listening", "amphora stopped");
        } finally {
            amphora.destroyForcibly();
        }
    }

    /**
     * The JVM options every amphora runs with (jvm.options) leave the JDK without a trust store;
     * the agent API trusts the operator's CA all the same.
     */
    @Test
    void servesTheOperatorOverMutualTlsWithTheProductionJvmOptions(@TempDir Path dir) throws Exception {
        Path portFile = dir.resolve("agent.port");
        TestPki pki = new TestPki(dir);
        Process amphora = startJar(dir, pki, "amp-agent", "--exit-on-stdin-eof");
        try {
            await().atMost(Duration.ofSeconds(20)).until(() -> Files.exists(portFile) && !Files.readString(portFile).isBlank());
            URI agent = URI.create("https://127.0.0.1:" + Files.readString(portFile).trim());
            HttpClient operator = HttpClient.newBuilder().sslContext(pki.trustedClient())
                    .connectTimeout(Duration.ofSeconds(5)).build();

            HttpResponse<String> status = operator.send(HttpRequest.newBuilder(agent.resolve(AgentApi.STATUS_PATH)).build(),
                    HttpResponse.BodyHandlers.ofString());

            assertThat(status.statusCode()).as(status.body()).isEqualTo(200);
        } finally {
            stop(amphora);
        }
    }

    /**
     * Started as the drivers start it, the amphora compiles its proxy on the first configuration's
     * own listeners on loopback before it binds them, and no configured member sees a byte of it.
     */
    @Test
    void warmsItsJitOnTheFirstConfigurationBeforeServingIt(@TempDir Path dir) throws Exception {
        Path portFile = dir.resolve("agent.port");
        TestPki pki = new TestPki(dir);
        try (CountingHttpBackend web = new CountingHttpBackend("web")) {
            Process amphora = startJar(dir, pki, "amp-warm", "--exit-on-stdin-eof");
            try {
                await().atMost(Duration.ofSeconds(20))
                        .until(() -> Files.exists(portFile) && !Files.readString(portFile).isBlank());
                int port = Configs.freePort("127.0.0.1");
                AmphoraConfig config = Configs.config(1, "127.0.0.1",
                        List.of(Configs.listener("http", ListenerProtocol.HTTP, port, "p")),
                        Configs.pool("p", PoolProtocol.HTTP, null, Configs.member("web-1", web.port(), 1)));

                long started = System.nanoTime();
                HttpResponse<String> put = putConfig(pki, portFile, config);
                long putMillis = (System.nanoTime() - started) / 1_000_000;

                assertThat(put.statusCode()).as(put.body()).isEqualTo(200);
                assertThat(putMillis).as("the first configuration waits for the warm-up, within its budget")
                        .isBetween(1_000L, 12_000L);
                assertThat(Files.readString(dir.resolve("amphora.log")))
                        .containsPattern("JIT warm-up of listener\\(s\\) \\[http\\] of generation 1: [1-9][0-9]* exchanges");
                assertThat(web.accepted.get()).isZero();
                try (RawHttp client = new RawHttp("127.0.0.1", port)) {
                    client.send("GET / HTTP/1.1\r\nHost: lb\r\n\r\n");
                    assertThat(client.readResponse()).isEqualTo("HTTP/1.1 200 OK\nweb");
                }
            } finally {
                stop(amphora);
            }
        }
    }

    /** How a container runtime or Kubernetes stops it: SIGTERM, then the process must be gone. */
    @Test
    void stopsOnSigterm(@TempDir Path dir) throws Exception {
        Path portFile = dir.resolve("agent.port");
        Path log = dir.resolve("amphora.log");
        Process amphora = startJar(dir, "amp-sigterm", "--workers", "2");
        try {
            await().atMost(Duration.ofSeconds(20)).until(() -> Files.exists(portFile));

            amphora.destroy();

            assertThat(amphora.waitFor(15, TimeUnit.SECONDS)).as("exited after SIGTERM").isTrue();
            assertThat(Files.readString(log)).contains("amphora stopped").doesNotContain("did not stop");
        } finally {
            amphora.destroyForcibly();
        }
    }

    /**
     * The shaded jar carries JNA's Linux library, and the kernel confirms the pinning: not at the
     * start, but once traffic flows and the JIT compilers have settled on it (CpuAffinity.Plan).
     */
    @Test
    void packagedJarPinsItsEventLoopsOnceItsTrafficHasWarmedIt(@TempDir Path dir) throws Exception {
        assumeFalse(CpuAffinity.allowedCpus().isEmpty(), "the allowed CPUs are read from Linux's /proc");
        Path portFile = dir.resolve("agent.port");
        Path log = dir.resolve("amphora.log");
        TestPki pki = new TestPki(dir);
        try (CountingHttpBackend web = new CountingHttpBackend("web")) {
            Process amphora = startJar(dir, pki, "amp-pinned", "--exit-on-stdin-eof", "--workers", "2",
                    "--cpu-affinity", "on", "--jit-warm-up-seconds", "0");
            try {
                await().atMost(Duration.ofSeconds(20))
                        .until(() -> Files.exists(portFile) && !Files.readString(portFile).isBlank());
                int port = Configs.freePort("127.0.0.1");
                HttpResponse<String> put = putConfig(pki, portFile, Configs.config(1, "127.0.0.1",
                        List.of(Configs.listener("http", ListenerProtocol.HTTP, port, "p")),
                        Configs.pool("p", PoolProtocol.HTTP, null, Configs.member("web-1", web.port(), 1))));
                assertThat(put.statusCode()).as(put.body()).isEqualTo(200);
                Thread.sleep(2_000);
                assertThat(cpusOfThreads(amphora.pid(), "amphora-loop-")).as("no traffic yet")
                        .allSatisfy(cpus -> assertThat(cpus).doesNotMatch("\\d+"));

                try (RawHttp client = new RawHttp("127.0.0.1", port)) {
                    await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                        for (int i = 0; i < 200; i++) {
                            client.send("GET / HTTP/1.1\r\nHost: lb\r\n\r\n");
                            assertThat(client.readResponse()).isEqualTo("HTTP/1.1 200 OK\nweb");
                        }
                        assertThat(cpusOfThreads(amphora.pid(), "amphora-loop-")).hasSize(2)
                                .allSatisfy(cpus -> assertThat(cpus).matches("\\d+"));
                    });
                }
                assertThat(Files.readString(log)).contains("event loops to be pinned one to a CPU")
                        .contains("pinned to CPU").doesNotContain("WARN");
            } finally {
                stop(amphora);
            }
        }
    }

    private static HttpResponse<String> putConfig(TestPki pki, Path portFile, AmphoraConfig config) throws Exception {
        URI agent = URI.create("https://127.0.0.1:" + Files.readString(portFile).trim());
        HttpClient operator = HttpClient.newBuilder().sslContext(pki.trustedClient())
                .connectTimeout(Duration.ofSeconds(5)).build();
        return operator.send(HttpRequest.newBuilder(agent.resolve(AgentApi.CONFIG_PATH))
                .PUT(HttpRequest.BodyPublishers.ofString(AgentApi.json().writeValueAsString(config))).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void anIdleAmphoraGivesItsHeapBackOnceInsteadOfCollectingPeriodically(@TempDir Path dir) throws Exception {
        Path gcLog = dir.resolve("gc.log");
        Process amphora = startJar(dir, new TestPki(dir), List.of("-Xlog:gc:file=" + gcLog), "amp-idle",
                "--exit-on-stdin-eof");
        try {
            // The start-up heap goes back at the first check without traffic (5 s), in one concurrent cycle.
            await().atMost(Duration.ofSeconds(20)).until(() -> Files.exists(gcLog)
                    && Files.readString(gcLog).contains("(System.gc())"));
            Thread.sleep(2 * IdleHeapReturn.CHECK_SECONDS * 1000 + 1000);
            String log = Files.readString(gcLog);
            List<String> idleCycles = log.lines().filter(line -> line.contains("(System.gc())")).toList();
            assertThat(idleCycles).as("one collection in %s s of idle:%n%s", 2 * IdleHeapReturn.CHECK_SECONDS, log)
                    .hasSize(1);
            assertThat(idleCycles.get(0)).contains("Concurrent Start");
            assertThat(log).doesNotContain("Periodic");
            // The cycle's remark gives the free heap back, down to the live data's regions plus at
            // most MaxHeapFreeRatio=20 (jvm.options): about 10 MiB after start-up, where the JDK's
            // default ratio (70) would keep up to 3 times the live data. How much there was to give
            // back depends on how far start-up grew the heap, so the size before the cycle is only an
            // upper bound: it can already be that small.
            String after = log.substring(log.indexOf("(System.gc())"));
            assertThat(committedMiB(after, "Pause Remark")).as(log)
                    .isLessThanOrEqualTo(committedMiB(after, "(System.gc())"))
                    .isLessThanOrEqualTo(IDLE_HEAP_MIB);
        } finally {
            stop(amphora);
        }
    }

    /**
     * The build's archive (target/amphora.jsa, made by the training run) fits the packaged jar and
     * this JVM: the amphora maps its classes from it, as the local driver and the benchmark start it.
     */
    @Test
    void mapsItsClassesFromTheArchiveTheBuildMade(@TempDir Path dir) throws Exception {
        Path archive = Path.of("target", "amphora.jsa").toAbsolutePath();
        assertThat(archive).as("made by the build's class-data-archive step").isRegularFile();
        Process amphora = startJar(dir, new TestPki(dir), List.of("-XX:SharedArchiveFile=" + archive), "amp-cds",
                "--exit-on-stdin-eof");
        try {
            await().atMost(Duration.ofSeconds(20)).until(() -> Files.exists(dir.resolve("agent.port")));
            assertThat(Files.readAllLines(Path.of("/proc", Long.toString(amphora.pid()), "maps")))
                    .anyMatch(line -> line.endsWith(" " + archive));
            assertThat(Files.readString(dir.resolve("amphora.log"))).contains("classes shared from " + archive);
        } finally {
            stop(amphora);
        }
    }

    /**
     * Amphorae on one node share the archive's read-only pages: it is mapped where it was dumped
     * (jvm.options), not relocated into private copies. The pages both processes map are their
     * Shared_Clean, or Shared_Dirty while the file just written is not yet on disk; a relocated
     * archive leaves none.
     */
    @Test
    void amphoraeOfANodeShareTheArchivesReadOnlyPages(@TempDir Path dir) throws Exception {
        Path archive = Path.of("target", "amphora.jsa").toAbsolutePath();
        List<String> withArchive = List.of("-XX:SharedArchiveFile=" + archive);
        Path first = Files.createDirectories(dir.resolve("first"));
        Path second = Files.createDirectories(dir.resolve("second"));
        Process one = AmphoraJar.start(first, new TestPki(first), withArchive, "amp-a", "--exit-on-stdin-eof");
        Process other = AmphoraJar.start(second, new TestPki(second), withArchive, "amp-b", "--exit-on-stdin-eof");
        try {
            await().atMost(Duration.ofSeconds(20)).until(() -> Files.exists(first.resolve("agent.port"))
                    && Files.exists(second.resolve("agent.port")));
            for (Process amphora : List.of(one, other)) {
                assertThat(sharedKiB(amphora.pid(), archive, "r--p"))
                        .as("read-only archive pages that pid %d shares", amphora.pid())
                        .isGreaterThan(8 * 1024);
            }
        } finally {
            stop(one);
            stop(other);
        }
    }

    /** The pages, in KiB, that the process shares with others in its mappings of file with permissions perms. */
    private static long sharedKiB(long pid, Path file, String perms) throws IOException {
        long kib = 0;
        boolean inMapping = false;
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "smaps"))) {
            if (line.matches("^[0-9a-f]+-[0-9a-f]+ .*")) {
                String[] fields = line.split("\\s+");
                inMapping = fields[1].equals(perms) && line.endsWith(" " + file);
            } else if (inMapping && (line.startsWith("Shared_Clean:") || line.startsWith("Shared_Dirty:"))) {
                kib += Long.parseLong(line.replaceAll("\\D", ""));
            }
        }
        return kib;
    }

    /**
     * The archive holds what an amphora process loads, its warm-up included, and not what the
     * training's own clients load: they run in another process than the amphora.
     */
    @Test
    void theArchivesClassesAreTheAmphorasOwn() throws IOException {
        List<String> classes = Files.readAllLines(Path.of("target", "amphora.classlist")).stream()
                .filter(line -> !line.startsWith("#") && !line.startsWith("@"))
                .map(line -> line.split(" ", 2)[0])
                .toList();

        assertThat(classes).contains("dev/lbaas/amphora/proxy/http/HttpProxyHandler",
                "dev/lbaas/amphora/agent/AgentHandler", "dev/lbaas/amphora/warmup/JitWarmUp",
                "dev/lbaas/amphora/warmup/LoopbackClients", "io/netty/handler/ssl/SslHandler");
        assertThat(classes).as("the training's own classes").noneMatch(name -> name.startsWith(
                "dev/lbaas/amphora/ClassDataTraining"));
        assertThat(classes).as("the JDK's HTTP client, which only the training's operator uses")
                .doesNotContain("sun/net/www/protocol/https/HttpsURLConnectionImpl");
    }

    /** The JVM drops an archive that does not fit without a word; the amphora says so. */
    @Test
    void saysSoWhenItsArchiveDoesNotFit(@TempDir Path dir) throws Exception {
        Path archive = Files.write(dir.resolve("other.jsa"), new byte[64 * 1024]);
        Process amphora = startJar(dir, new TestPki(dir), List.of("-XX:SharedArchiveFile=" + archive), "amp-no-cds",
                "--exit-on-stdin-eof");
        try {
            await().atMost(Duration.ofSeconds(20)).until(() -> Files.exists(dir.resolve("agent.port")));
            assertThat(Files.readString(dir.resolve("amphora.log")))
                    .contains("class-data archive " + archive + " not in use").doesNotContain("classes shared from");
        } finally {
            stop(amphora);
        }
    }

    private static void stop(Process amphora) throws Exception {
        AmphoraJar.stop(amphora);
    }

    /** The committed heap after a collection, as a unified GC log line prints it: {@code before->used(committed)}. */
    private static int committedMiB(String gcLog, String marker) {
        String line = gcLog.lines().filter(l -> l.contains(marker)).findFirst().orElseThrow();
        Matcher committed = Pattern.compile("->\\d+M\\((\\d+)M\\)").matcher(line);
        assertThat(committed.find()).as(line).isTrue();
        return Integer.parseInt(committed.group(1));
    }

    private static Process startJar(Path dir, String id, String... options) throws Exception {
        return AmphoraJar.start(dir, new TestPki(dir), List.of(), id, options);
    }

    private static Process startJar(Path dir, TestPki pki, String id, String... options) throws Exception {
        return AmphoraJar.start(dir, pki, List.of(), id, options);
    }

    private static Process startJar(Path dir, TestPki pki, List<String> jvmOptions, String id, String... options)
            throws Exception {
        return AmphoraJar.start(dir, pki, jvmOptions, id, options);
    }

    /**
     * The kernel's Cpus_allowed_list of each of the process's threads whose name starts with
     * prefix (the kernel keeps 15 characters of a name: "amphora-loop-1-" for every loop).
     */
    private static List<String> cpusOfThreads(long pid, String prefix) throws IOException {
        List<String> cpus = new ArrayList<>();
        try (Stream<Path> tasks = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
            for (Path task : tasks.toList()) {
                String name = Files.readString(task.resolve("comm")).trim();
                if (name.startsWith(prefix)) {
                    Files.readAllLines(task.resolve("status")).stream()
                            .filter(line -> line.startsWith("Cpus_allowed_list:"))
                            .forEach(line -> cpus.add(line.substring(line.indexOf(':') + 1).trim()));
                }
            }
        }
        return cpus;
    }
}
