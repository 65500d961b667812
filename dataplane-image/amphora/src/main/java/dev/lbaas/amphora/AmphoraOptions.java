package dev.lbaas.amphora;

import java.nio.file.Path;

/**
 * How an amphora process is started.
 *
 * @param amphoraId reported in every status
 * @param agentAddress where the agent API listens
 * @param agentPort the agent API's port, 0 for any free one
 * @param agentPortFile where the bound agent port is written once listening, or null
 * @param tlsCert PEM certificate chain of the agent API
 * @param tlsKey PEM PKCS#8 private key of that certificate
 * @param tlsCa PEM CA whose certificates the agent API accepts from clients
 * @param exitOnStdinEof exit when standard input closes, so that a child process dies with its parent
 * @param workers event loop threads; 0 for one per available processor
 * @param cpuAffinity whether each event loop gets a CPU of its own (see {@link CpuAffinity})
 * @param probePort where the kubelet's plain-HTTP probes are answered (on the agent address), or 0 for
 *     none (see {@link dev.lbaas.amphora.agent.ProbeServer})
 * @param shutdownDelaySeconds how long the amphora keeps serving after SIGTERM before it closes: a
 *     pod being replaced keeps the VIP answering (Kubernetes still routes to a terminating endpoint
 *     that serves while no other is ready) until its replacement is ready
 * @param vipEndpoint the EndpointSlice this amphora writes its address into while it holds its
 *     pair's VIP, or null where the socket is the VIP (see {@link dev.lbaas.amphora.vip.VipPublisher})
 * @param vipFollowsReadiness a Service selects both amphorae of the pair and the readiness probe
 *     says which is master ({@link dev.lbaas.amphora.vip.VipPublisher#READINESS})
 * @param jitWarmUpSeconds the longest the first configuration is served on loopback, for the JIT to
 *     compile the proxy, before its listeners bind the VIP ({@link dev.lbaas.amphora.warmup.JitWarmUp});
 *     0 for none
 */
public record AmphoraOptions(String amphoraId, String agentAddress, int agentPort, Path agentPortFile, Path tlsCert,
        Path tlsKey, Path tlsCa, boolean exitOnStdinEof, int workers, CpuAffinity.Mode cpuAffinity, int probePort,
        int shutdownDelaySeconds, VipEndpoint vipEndpoint, boolean vipFollowsReadiness, int jitWarmUpSeconds) {

    /** What an amphora started from the command line warms for unless told otherwise. */
    static final int DEFAULT_JIT_WARM_UP_SECONDS = 3;

    /**
     * @param slice the VIP Service's EndpointSlice, as namespace/name
     * @param podName this amphora's pod, named in the slice's endpoint
     * @param podIp this amphora's pod address, the endpoint itself
     */
    public record VipEndpoint(String slice, String podName, String podIp) {
    }

    /** Without probes or a warm-up (a test). */
    public AmphoraOptions(String amphoraId, String agentAddress, int agentPort, Path agentPortFile, Path tlsCert,
            Path tlsKey, Path tlsCa, boolean exitOnStdinEof, int workers, CpuAffinity.Mode cpuAffinity) {
        this(amphoraId, agentAddress, agentPort, agentPortFile, tlsCert, tlsKey, tlsCa, exitOnStdinEof, workers,
                cpuAffinity, 0, 0, null, false, 0);
    }

    static final String USAGE = """
            usage: amphora --id <amphoraId> --agent-address <ip> --agent-port <port, 0 = any>
                           [--agent-port-file <path>] --tls-cert <pem> --tls-key <pem> --tls-ca <pem>
                           [--exit-on-stdin-eof] [--workers <event loop threads, 0 = one per processor>]
                           [--cpu-affinity auto|on|off (auto: one CPU per event loop when the
                                                        process may use as many CPUs as it has loops)]
                           [--probe-port <port for the kubelet's /healthz and /readyz, plain HTTP>]
                           [--shutdown-delay-seconds <keep serving this long after SIGTERM, 0-600>]
                           [--vip-endpoint-slice <namespace>/<name> --pod-name <name> --pod-ip <ip>
                                  (an amphora of a pair behind a Kubernetes Service writes its
                                   address there while it holds the VIP)]
                           [--vip-follows-readiness (a pair's Service selects both amphorae and
                                  /readyz/master says which is master)]
                           [--jit-warm-up-seconds <0-10: serve the first configuration on loopback
                                  for at most this long, for the JIT to compile the proxy before
                                  the VIP is served; default 3, 0 for none>]
                   amphora --class-data-training [--amphora-jvm-option <option>]...
                                  (a short run of an amphora, as a child process with these JVM
                                   options, on loopback: -XX:DumpLoadedClassList=<file> lists the
                                   classes for the build's class-data archive)""";

    /** Parses the command line; throws IllegalArgumentException saying what is wrong. */
    public static AmphoraOptions parse(String... args) {
        String id = null;
        String address = null;
        Integer port = null;
        Path portFile = null;
        Path cert = null;
        Path key = null;
        Path ca = null;
        boolean exitOnStdinEof = false;
        boolean vipFollowsReadiness = false;
        int workers = 0;
        CpuAffinity.Mode cpuAffinity = CpuAffinity.Mode.AUTO;
        int probePort = 0;
        int shutdownDelay = 0;
        int jitWarmUp = DEFAULT_JIT_WARM_UP_SECONDS;
        String vipSlice = null;
        String podName = null;
        String podIp = null;
        for (int i = 0; i < args.length; i++) {
            String option = args[i];
            if (option.equals("--exit-on-stdin-eof")) {
                exitOnStdinEof = true;
                continue;
            }
            if (option.equals("--vip-follows-readiness")) {
                vipFollowsReadiness = true;
                continue;
            }
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException(option + " needs a value");
            }
            String value = args[++i];
            switch (option) {
                case "--id" -> id = value;
                case "--agent-address" -> address = value;
                case "--agent-port" -> port = port(value, option);
                case "--probe-port" -> probePort = port(value, option);
                case "--shutdown-delay-seconds" -> shutdownDelay = seconds(value, option, 600);
                // at most a third of the operator's 30 s for a configuration to be acknowledged
                case "--jit-warm-up-seconds" -> jitWarmUp = seconds(value, option, 10);
                case "--agent-port-file" -> portFile = Path.of(value);
                case "--tls-cert" -> cert = Path.of(value);
                case "--tls-key" -> key = Path.of(value);
                case "--tls-ca" -> ca = Path.of(value);
                case "--workers" -> workers = workers(value);
                case "--cpu-affinity" -> cpuAffinity = CpuAffinity.Mode.parse(value);
                case "--vip-endpoint-slice" -> vipSlice = namespaced(value, option);
                case "--pod-name" -> podName = value;
                case "--pod-ip" -> podIp = value;
                default -> throw new IllegalArgumentException("unknown option " + option);
            }
        }
        return new AmphoraOptions(required(id, "--id"), required(address, "--agent-address"),
                required(port, "--agent-port"), portFile, required(cert, "--tls-cert"), required(key, "--tls-key"),
                required(ca, "--tls-ca"), exitOnStdinEof, workers, cpuAffinity, probePort, shutdownDelay,
                vipSlice == null ? null : new VipEndpoint(vipSlice, required(podName, "--pod-name"),
                        required(podIp, "--pod-ip")), vipFollowsReadiness, jitWarmUp);
    }

    private static String namespaced(String value, String option) {
        int slash = value.indexOf('/');
        if (slash <= 0 || slash == value.length() - 1 || value.indexOf('/', slash + 1) >= 0) {
            throw new IllegalArgumentException(option + " must be <namespace>/<name>, got " + value);
        }
        return value;
    }

    /** The event loop threads to start. */
    public int eventLoopThreads() {
        return workers > 0 ? workers : Runtime.getRuntime().availableProcessors();
    }

    private static int workers(String value) {
        try {
            int workers = Integer.parseInt(value);
            if (workers >= 0 && workers <= 1024) {
                return workers;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException("--workers must be 0-1024, got " + value);
    }

    private static int seconds(String value, String option, int most) {
        try {
            int seconds = Integer.parseInt(value);
            if (seconds >= 0 && seconds <= most) {
                return seconds;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException(option + " must be 0-" + most + ", got " + value);
    }

    private static int port(String value, String option) {
        try {
            int port = Integer.parseInt(value);
            if (port >= 0 && port <= 65535) {
                return port;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException(option + " must be 0-65535, got " + value);
    }

    private static <T> T required(T value, String option) {
        if (value == null) {
            throw new IllegalArgumentException(option + " is required");
        }
        return value;
    }
}
