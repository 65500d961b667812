package dev.lbaas.e2e;

import static dev.lbaas.e2e.PairViews.amphora;
import static dev.lbaas.e2e.PairViews.healthyPair;
import static dev.lbaas.e2e.PairViews.pid;

import dev.lbaas.api.v1alpha1.AmphoraInfo;
import dev.lbaas.api.v1alpha1.LoadBalancer;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The failover measurement of an ACTIVE_STANDBY load balancer, with a steady stream of requests
 * through the VIP (half on a keep-alive connection, half on new connections): the master SIGKILLed
 * N times (each time: the longest time without an answer, the requests that failed after it,
 * whether 16 clients persisted by source address kept their members, the p99 latency before the
 * kill and over the first seconds of the new master), one SIGSTOP and SIGCONT of the master (who
 * listens on the VIP afterwards), and N planned failovers through the lbaas.dev/failover
 * annotation (failed requests, the p99 before and after).
 *
 * <p>On the local driver (examples/active-standby.yaml) by default; with {@code --driver
 * kubernetes} (root) on the real single-node cluster (examples/kubernetes/active-standby.yaml):
 * the master's container SIGKILLed through containerd, the VIP a ClusterIP through kube-proxy.
 * There the node's proxy rewrites every client's source address, so sessions are not compared; the
 * pause is of the master's whole container, long enough for its refresh of the VIP's EndpointSlice
 * to fall due while it is stopped.
 *
 * <p>{@code --master-endpoint Readiness} measures the alternative way for the VIP Service to reach
 * the master (only the master ready) against the default, WrittenByMaster.
 *
 * <pre>scripts/failover-benchmark.sh [--driver local|kubernetes] [--master-endpoint WrittenByMaster|Readiness]
 *     [--runs 10] [--rate 500]</pre>
 */
public final class FailoverBenchmark {

    private static final String NAMESPACE = "failover";
    private static final String LB = "lb-pair";
    private static final int PORT = 8090;
    private static final int CLIENTS = 16;
    /** How long before a failover and after it the tail latency is compared. */
    private static final Duration TAIL_WINDOW = Duration.ofSeconds(5);
    private static final String TAIL_HEADING = "p99 ms 5 s before / 5 s after";

    private final KubernetesClient client;
    private final String vip;
    private final int port;
    /** Each persisted client's member, or null where they are not compared. */
    private final Map<String, String> sessions;
    private final Consumer<AmphoraInfo> kill;
    /**
     * How long a killed amphora may take to be whole again: a process restarts at once; a pod's
     * container restarts with the kubelet's back-off, which doubles from 10 s with each crash.
     */
    private final int recoverySeconds;

    private FailoverBenchmark(KubernetesClient client, String vip, int port, Map<String, String> sessions,
            Consumer<AmphoraInfo> kill, int recoverySeconds) {
        this.recoverySeconds = recoverySeconds;
        this.client = client;
        this.vip = vip;
        this.port = port;
        this.sessions = sessions;
        this.kill = kill;
    }

    public static void main(String[] args) throws Exception {
        int runs = option(args, "--runs", 10);
        int rate = option(args, "--rate", 500);
        String driver = stringOption(args, "--driver", "local");
        if (driver.equals("kubernetes")) {
            onTheCluster(runs, rate, stringOption(args, "--master-endpoint", "WrittenByMaster"));
            return;
        }
        if (!driver.equals("local")) {
            throw new IllegalArgumentException("--driver is local or kubernetes, not " + driver);
        }
        try (LocalDemo demo = LocalDemo.start("failover", NAMESPACE)) {
            KubernetesClient client = demo.client();
            demo.system().apply(NAMESPACE, LocalSystem.loadManifests(client,
                    ProjectLayout.current().examples().resolve("active-standby.yaml"), List.of(demo.web1(),
                            demo.web2())));
            String vip = awaitHealthyPair(client, 120).getStatus().getVipAddress();
            FailoverBenchmark benchmark = new FailoverBenchmark(client, vip, PORT, RequestStream.sessions(vip, PORT,
                    CLIENTS), master -> ProcessHandle.of(pid(master)).orElseThrow().destroyForcibly(), 60);
            System.out.printf("%nACTIVE_STANDBY on the local driver, %d requests/s through %s:%d (half keep-alive, "
                    + "half new connections), %d clients persisted by source address; net.ipv4.tcp_migrate_req=%s%n",
                    rate, benchmark.vip, PORT, CLIENTS, migrateRequests());
            try (RequestStream stream = new RequestStream(benchmark.vip, PORT, rate)) {
                benchmark.kills(stream, runs);
                benchmark.pause(stream);
                benchmark.plannedFailovers(stream, runs);
            }
        }
    }

    /** The same on the real single-node cluster: amphorae as pods, the VIP a Service. */
    private static void onTheCluster(int runs, int rate, String masterEndpoint) throws Exception {
        if (!SingleNodeCluster.canRunHere()) {
            throw new IllegalStateException("--driver kubernetes runs a kubelet, containerd and kube-proxy on this "
                    + "machine: run it as root");
        }
        ProjectLayout layout = ProjectLayout.current();
        try (ClusterDemo demo = ClusterDemo.start(layout, SingleNodeCluster.stateDirectory("failover"),
                System.getProperty("lbaas.kube.version"))) {
            KubernetesClient client = demo.client();
            demo.createNamespace(NAMESPACE);
            demo.apply(NAMESPACE, demo.seedScenario());
            // The class's way for the VIP Service to reach the master: the default, or Readiness.
            demo.apply(NAMESPACE, demo.activeStandbyScenario().replace("  topology: ACTIVE_STANDBY\n",
                    "  topology: ACTIVE_STANDBY\n  vipService: {masterEndpoint: " + masterEndpoint + "}\n"));
            InetSocketAddress vip = demo.cluster().reach(awaitHealthyPair(client, 180).getStatus(), 80);
            FailoverBenchmark benchmark = new FailoverBenchmark(client, vip.getHostString(), vip.getPort(), null,
                    master -> demo.cluster().kill(client, NAMESPACE, PairViews.pod(master)), 420);
            System.out.printf("%nACTIVE_STANDBY on the kubernetes driver (%s), the VIP Service reaching the master by "
                    + "%s, %d requests/s through %s:%d (half keep-alive, half new connections)%n",
                    demo.cluster().description(), masterEndpoint, rate, vip.getHostString(), vip.getPort());
            try (RequestStream stream = new RequestStream(vip.getHostString(), vip.getPort(), rate)) {
                benchmark.kills(stream, runs);
                benchmark.pauseOnTheCluster(stream, demo.cluster());
                benchmark.plannedFailovers(stream, runs);
            }
        }
    }

    /** The master SIGKILLed, {@code runs} times, each once the pair is whole again. */
    private void kills(RequestStream stream, int runs) throws Exception {
        System.out.printf("%nmaster SIGKILLed%n%4s  %14s  %16s  %15s  %13s  %s%n", "run", "longest gap ms",
                "failed in gap", "failed after", "sessions kept", TAIL_HEADING);
        for (int run = 1; run <= runs; run++) {
            AmphoraInfo master = amphora(awaitHealthyPair(client, recoverySeconds), AmphoraInfo.Role.MASTER);
            settle(stream);
            stream.resetGap();
            int failedBefore = stream.failures();
            int answered = stream.successes();
            long killed = System.nanoTime();
            kill.accept(master);
            require(stream.awaitSuccesses(answered + 50, 10_000), "the standby did not answer within 10 s");
            long gapOver = System.nanoTime();
            long gap = stream.longestGapMillis();
            int failedInGap = stream.failures() - failedBefore;
            String tail = tail(stream, killed, gapOver);
            awaitHealthyPair(client, recoverySeconds);
            settle(stream);
            int failedAfter = stream.failures() - failedBefore - failedInGap;
            System.out.printf("%4d  %14d  %16d  %15d  %13s  %s%n", run, gap, failedInGap, failedAfter, sessionsKept(),
                    tail);
            stream.failuresSince(gapOver).forEach(failure -> System.out.println("      failed after the gap: "
                    + failure.describe(killed, "kill")));
        }
    }

    /**
     * The master SIGSTOPped until its standby has taken over, then resumed: the time until only one
     * amphora listens on the VIP again, and the requests that failed meanwhile (the paused master's
     * listening socket still takes its share of new connections, see docs/failover.md).
     */
    private void pause(RequestStream stream) throws Exception {
        LoadBalancer lb = awaitHealthyPair(client, 60);
        AmphoraInfo master = amphora(lb, AmphoraInfo.Role.MASTER);
        AmphoraInfo standby = amphora(lb, AmphoraInfo.Role.BACKUP);
        settle(stream);
        stream.resetGap();
        int failedBefore = stream.failures();
        int answeredBefore = stream.successes();
        signal(pid(master), "STOP");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!listeners().contains(pid(standby)) && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        Thread.sleep(1_000);
        Set<Long> whilePaused = listeners();
        long resumed = System.nanoTime();
        signal(pid(master), "CONT");
        Set<Long> after = listeners();
        while (after.size() != 1 && System.nanoTime() - resumed < TimeUnit.SECONDS.toNanos(10)) {
            Thread.sleep(5);
            after = listeners();
        }
        long oneListenerMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - resumed);
        Thread.sleep(1_000);
        Set<Long> settled = listeners();
        settle(stream);
        LoadBalancer now = awaitHealthyPair(client, 30);
        System.out.printf("%nmaster SIGSTOPped, standby took over, master SIGCONTed%n"
                        + "  listening on the VIP while paused: %s (master %d, standby %d)%n"
                        + "  one listener again %d ms after SIGCONT: %s; 1 s later: %s%n"
                        + "  MASTER afterwards: %s (the standby: %s); requests failed %d of %d, longest gap %d ms%n",
                whilePaused, pid(master), pid(standby), oneListenerMillis, after, settled,
                amphora(now, AmphoraInfo.Role.MASTER).getId(),
                amphora(now, AmphoraInfo.Role.MASTER).getId().equals(standby.getId()) ? "yes" : "NO",
                stream.failures() - failedBefore, stream.successes() - answeredBefore + stream.failures() - failedBefore,
                stream.longestGapMillis());
    }

    /**
     * On the cluster: the master's container SIGSTOPped until its standby is alone in the VIP's
     * EndpointSlice and 10.5 s more (the paused master's refresh of the slice falls due, to be sent
     * as it resumes), then SIGCONTed: whether the slice kept the successor, which amphora is MASTER
     * afterwards, and the requests that failed.
     */
    private void pauseOnTheCluster(RequestStream stream, KubernetesCluster cluster) throws Exception {
        LoadBalancer lb = awaitHealthyPair(client, recoverySeconds);
        String masterPod = PairViews.pod(amphora(lb, AmphoraInfo.Role.MASTER));
        AmphoraInfo standby = amphora(lb, AmphoraInfo.Role.BACKUP);
        String standbyIp = client.pods().inNamespace(NAMESPACE).withName(PairViews.pod(standby)).get().getStatus()
                .getPodIP();
        settle(stream);
        stream.resetGap();
        int failedBefore = stream.failures();
        int answeredBefore = stream.successes();
        long stopped = System.nanoTime();
        long tookOver;
        cluster.signal(client, NAMESPACE, masterPod, "SIGSTOP");
        try {
            while (!PairViews.vipEndpoints(client, NAMESPACE, LB).equals(List.of(standbyIp))) {
                require(System.nanoTime() - stopped < TimeUnit.SECONDS.toNanos(10),
                        "the standby was not alone in the VIP's EndpointSlice within 10 s of the pause");
                Thread.sleep(10);
            }
            tookOver = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - stopped);
            Thread.sleep(10_500);
        } finally {
            cluster.signal(client, NAMESPACE, masterPod, "SIGCONT");
        }
        long resumed = System.nanoTime();
        boolean sliceKept = true;
        while (System.nanoTime() - resumed < TimeUnit.SECONDS.toNanos(4)) {
            sliceKept &= PairViews.vipEndpoints(client, NAMESPACE, LB).equals(List.of(standbyIp));
            Thread.sleep(20);
        }
        LoadBalancer now = awaitHealthyPair(client, 30);
        settle(stream);
        int failed = stream.failures() - failedBefore;
        System.out.printf("%nmaster's container SIGSTOPped, SIGCONTed 10.5 s after its standby took over%n"
                        + "  the standby alone in the VIP's EndpointSlice %d ms after SIGSTOP; kept there after SIGCONT: "
                        + "%s%n  MASTER afterwards: the successor %s; requests failed %d of %d, longest gap %d ms%n",
                tookOver, sliceKept ? "yes" : "NO", amphora(now, AmphoraInfo.Role.MASTER).getId().equals(standby.getId())
                        ? "yes" : "NO", failed, stream.successes() - answeredBefore + failed, stream.longestGapMillis());
        stream.failuresSince(resumed).forEach(failure -> System.out.println("      failed after SIGCONT: "
                + failure.describe(resumed, "SIGCONT")));
    }

    /** {@code runs} failovers asked for through the annotation, as Octavia's failover API. */
    private void plannedFailovers(RequestStream stream, int runs) throws Exception {
        System.out.printf("%nplanned failover (lbaas.dev/failover)%n%4s  %11s  %14s  %15s  %13s  %s%n", "run",
                "moved in ms", "longest gap ms", "failed requests", "sessions kept", TAIL_HEADING);
        for (int run = 1; run <= runs; run++) {
            LoadBalancer lb = awaitHealthyPair(client, recoverySeconds);
            String standby = amphora(lb, AmphoraInfo.Role.BACKUP).getId();
            settle(stream);
            stream.resetGap();
            int failedBefore = stream.failures();
            String request = "benchmark-" + run + "-" + System.nanoTime();
            long asked = System.nanoTime();
            PairViews.requestFailover(client, NAMESPACE, LB, request);
            long deadline = asked + TimeUnit.SECONDS.toNanos(30);
            LoadBalancer moved = loadBalancer(client);
            while (!(request.equals(moved.getStatus().getFailoverRequest())
                    && standby.equals(amphora(moved, AmphoraInfo.Role.MASTER).getId()))) {
                require(System.nanoTime() < deadline, "the failover request was not acted on within 30 s");
                Thread.sleep(20);
                moved = loadBalancer(client);
            }
            long movedNanos = System.nanoTime();
            long movedMillis = TimeUnit.NANOSECONDS.toMillis(movedNanos - asked);
            String tail = tail(stream, asked, movedNanos);
            settle(stream);
            System.out.printf("%4d  %11d  %14d  %15d  %13s  %s%n", run, movedMillis, stream.longestGapMillis(),
                    stream.failures() - failedBefore, sessionsKept(), tail);
            stream.failuresSince(asked).forEach(failure -> System.out.println("      failed: "
                    + failure.describe(asked, "request")));
        }
    }

    /** Whether the persisted clients still reach the members they were bound to: yes, NO, or n/a. */
    private String sessionsKept() throws IOException {
        if (sessions == null) {
            return "n/a";
        }
        return RequestStream.sessions(vip, port, CLIENTS).equals(sessions) ? "yes" : "NO";
    }

    /**
     * The p99 latency of the requests sent in the {@link #TAIL_WINDOW} before {@code before} (the
     * pair steady) and of those sent in the {@link #TAIL_WINDOW} from {@code after} (the new master
     * answering), in milliseconds: what a promoted standby's clients see until its JIT has warmed.
     * Waits until the second window's requests have been answered or timed out.
     */
    private static String tail(RequestStream stream, long before, long after) throws InterruptedException {
        long window = TAIL_WINDOW.toNanos();
        long answered = after + window + TimeUnit.SECONDS.toNanos(2) - System.nanoTime();
        if (answered > 0) {
            TimeUnit.NANOSECONDS.sleep(answered);
        }
        return String.format("%17.2f / %9.2f", stream.latencyMillis(0.99, before - window, before),
                stream.latencyMillis(0.99, after, after + window));
    }

    /** Lets 250 more requests be answered, so that what a step left behind is counted in it. */
    private static void settle(RequestStream stream) throws InterruptedException {
        require(stream.awaitSuccesses(stream.successes() + 250, 30_000), "the VIP stopped answering");
    }

    /** The processes listening on the VIP's port, by ss. */
    private Set<Long> listeners() throws IOException, InterruptedException {
        Process ss = new ProcessBuilder("ss", "-Hltnp", "sport = :" + PORT).redirectErrorStream(true).start();
        String out = new String(ss.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        ss.waitFor();
        Set<Long> pids = new TreeSet<>();
        Matcher pid = Pattern.compile("pid=(\\d+)").matcher("");
        // IPv4 sockets of a dual-stack JVM show as [::ffff:a.b.c.d]:port
        for (String line : out.lines().filter(l -> l.contains(vip + ":" + PORT) || l.contains(vip + "]:" + PORT))
                .toList()) {
            pid.reset(line);
            while (pid.find()) {
                pids.add(Long.parseLong(pid.group(1)));
            }
        }
        return pids;
    }

    /** Whether the kernel hands connections queued on a closing listener to the rest of its group. */
    private static String migrateRequests() {
        try {
            return Files.readString(Path.of("/proc/sys/net/ipv4/tcp_migrate_req")).trim();
        } catch (IOException e) {
            return "(absent)";
        }
    }

    private static LoadBalancer awaitHealthyPair(KubernetesClient client, int seconds) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        LoadBalancer lb = loadBalancer(client);
        while (!healthyPair(lb)) {
            require(System.nanoTime() < deadline, "no healthy pair within " + seconds + " s: "
                    + (lb == null || lb.getStatus() == null ? "no status" : lb.getStatus().getAmphorae()));
            Thread.sleep(50);
            lb = loadBalancer(client);
        }
        return lb;
    }

    private static LoadBalancer loadBalancer(KubernetesClient client) {
        return client.resources(LoadBalancer.class).inNamespace(NAMESPACE).withName(LB).get();
    }

    private static void signal(long pid, String signal) throws IOException, InterruptedException {
        new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).inheritIO().start().waitFor();
    }

    private static void require(boolean holds, String otherwise) {
        if (!holds) {
            throw new IllegalStateException(otherwise);
        }
    }

    private static String stringOption(String[] args, String name, String otherwise) {
        List<String> list = new ArrayList<>(List.of(args));
        int at = list.indexOf(name);
        return at >= 0 && at + 1 < list.size() ? list.get(at + 1) : otherwise;
    }

    private static int option(String[] args, String name, int otherwise) {
        return Integer.parseInt(stringOption(args, name, Integer.toString(otherwise)));
    }
}
