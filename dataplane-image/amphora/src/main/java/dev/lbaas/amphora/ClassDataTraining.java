package dev.lbaas.amphora;

import dev.lbaas.amphora.config.AgentApi;
import dev.lbaas.amphora.config.AmphoraConfig;
import dev.lbaas.amphora.config.AmphoraStatus;
import dev.lbaas.amphora.config.HealthMonitorConfig;
import dev.lbaas.amphora.config.LbAlgorithm;
import dev.lbaas.amphora.config.ListenerConfig;
import dev.lbaas.amphora.config.ListenerProtocol;
import dev.lbaas.amphora.config.MemberConfig;
import dev.lbaas.amphora.config.MemberHealth;
import dev.lbaas.amphora.config.MonitorType;
import dev.lbaas.amphora.config.PoolConfig;
import dev.lbaas.amphora.config.PoolProtocol;
import dev.lbaas.amphora.config.SessionPersistenceConfig;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.HttpURLConnection;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * A short run of a whole amphora on loopback that loads the classes a serving amphora loads, for
 * the JVM to list or archive them (application class-data sharing). This process plays the
 * operator, the clients and a UDP member; the amphora runs as a child process, as the drivers
 * start it, with this process's JVM options and those given with {@code --amphora-jvm-option}:
 *
 * <pre>
 *   java @jvm.options -jar amphora.jar --class-data-training --amphora-jvm-option -XX:DumpLoadedClassList=amphora.classlist
 *   java @jvm.options -Xshare:dump -XX:SharedClassListFile=amphora.classlist -XX:SharedArchiveFile=amphora.jsa -cp amphora.jar
 *   java @jvm.options -XX:SharedArchiveFile=amphora.jsa -jar amphora.jar --id ...
 * </pre>
 *
 * <p>Why: an amphora loads about 5,000 classes (Netty, Jackson, the JDK's TLS, its own), and without
 * an archive each process parses them into a metaspace of its own. Mapped from the archive they
 * cost an idle amphora less resident memory and the process starts faster. The archive holds the
 * classes the amphora process loaded and no others: the JDK's default archive and a dynamic
 * archive on top of it would also carry the JDK classes an amphora never loads, and a training in
 * one process the classes of its clients. (The JVM maps the archive at a random address and
 * relocates it, so its pages become the process's own rather than shared between the amphorae of
 * a node: what counts is how much it holds.)
 *
 * <p>The archive fits one JVM build and one jar file: the JVM checks both when it starts and, if
 * either differs, loads the classes the usual way without a word. So the Maven build makes one
 * beside the jar for the local driver and the benchmark; {@link ClassDataArchive} tells at start
 * whether it is in use. The benchmark trains a newer JDK's AOT cache the same way
 * ({@code --amphora-jvm-option -XX:AOTCacheOutput=...}).
 *
 * <p>The run goes through what a load balancer's life goes through: the agent API over two-way TLS
 * (a throw-away self-signed identity made with the JDK's keytool), a configuration with HTTP, TCP,
 * UDP and PROMETHEUS listeners, health monitors and session persistence (and the JIT warm-up it
 * triggers), traffic through each, status, and a configuration replaced in place. The members are
 * the amphora's own metrics listener and a UDP echo. Any failure fails the run (exit status 1): it
 * doubles as a smoke test of the packaged jar.
 */
final class ClassDataTraining {

    static final String OPTION = "--class-data-training";
    static final String AMPHORA_JVM_OPTION = "--amphora-jvm-option";

    private static final String VIP = "127.0.0.1";
    private static final int REQUESTS = 200;
    private static final long AMPHORA_START_SECONDS = 30;

    private ClassDataTraining() {
    }

    /** @param args {@value #OPTION}, then {@value #AMPHORA_JVM_OPTION} and a JVM option, any number of times */
    static void run(String... args) throws Exception {
        List<String> amphoraJvmOptions = new ArrayList<>();
        for (int i = 1; i < args.length; i++) {
            if (!args[i].equals(AMPHORA_JVM_OPTION) || i + 1 == args.length) {
                throw new IllegalArgumentException("usage: " + OPTION + " [" + AMPHORA_JVM_OPTION + " <JVM option>]..."
                        + ", got " + args[i]);
            }
            amphoraJvmOptions.add(args[++i]);
        }
        Path dir = Files.createTempDirectory("amphora-class-data-training");
        try (UdpEcho echo = new UdpEcho()) {
            AgentIdentity identity = AgentIdentity.create(dir);
            Process amphora = startAmphora(dir, identity, amphoraJvmOptions);
            try {
                Agent agent = new Agent(URI.create("https://" + VIP + ":" + agentPort(dir, amphora)),
                        identity.client());
                Ports ports = new Ports(freePort(), freePort(), freePort(), freePort());

                agent.put(config(1, ports, echo.port(), 1));
                awaitMembersUp(agent);
                traffic(ports);

                agent.put(config(2, ports, echo.port(), 2));
                traffic(ports);
                agent.status();
            } finally {
                stop(amphora);
            }
        } finally {
            try (Stream<Path> files = Files.walk(dir)) {
                for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(file);
                }
            }
        }
    }

    /**
     * The amphora as the drivers start it, from this jar with this JVM and its options: one event
     * loop pinned to a CPU (the classes that pin it, JNA's, belong in the archive too) and a short
     * JIT warm-up (its classes are archived, not its compiled code). Its output goes to ours.
     */
    private static Process startAmphora(Path dir, AgentIdentity identity, List<String> jvmOptions)
            throws IOException, URISyntaxException {
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        command.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
        command.addAll(jvmOptions);
        command.addAll(List.of("-jar",
                Path.of(ClassDataTraining.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString(),
                "--id", "class-data-training", "--agent-address", VIP, "--agent-port", "0",
                "--agent-port-file", dir.resolve("agent.port").toString(),
                "--tls-cert", identity.certificate().toString(), "--tls-key", identity.privateKey().toString(),
                "--tls-ca", identity.certificate().toString(),
                "--workers", "1", "--cpu-affinity", "on", "--jit-warm-up-seconds", "1", "--exit-on-stdin-eof"));
        return new ProcessBuilder(command).redirectOutput(ProcessBuilder.Redirect.INHERIT)
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
    }

    private static int agentPort(Path dir, Process amphora) throws Exception {
        Path portFile = dir.resolve("agent.port");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(AMPHORA_START_SECONDS);
        while (!Files.exists(portFile) || Files.readString(portFile).isBlank()) {
            if (!amphora.isAlive()) {
                throw new IllegalStateException("the amphora exited with status " + amphora.exitValue());
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the amphora's agent API not listening after "
                        + AMPHORA_START_SECONDS + " s");
            }
            Thread.sleep(50);
        }
        return Integer.parseInt(Files.readString(portFile).trim());
    }

    /**
     * Ends the amphora as its parent's exit does (standard input closes), so that it exits
     * normally and the JVM writes what it was asked to at exit; a failure of it fails the run.
     */
    private static void stop(Process amphora) throws Exception {
        amphora.getOutputStream().close();
        if (!amphora.waitFor(AMPHORA_START_SECONDS, TimeUnit.SECONDS)) {
            amphora.destroyForcibly();
            throw new IllegalStateException("the amphora did not exit within " + AMPHORA_START_SECONDS + " s");
        }
        if (amphora.exitValue() != 0) {
            throw new IllegalStateException("the amphora exited with status " + amphora.exitValue());
        }
    }

    private record Ports(int metrics, int http, int tcp, int udp) {
    }

    /** The metrics listener is the HTTP and TCP pools' member: the amphora serves its own traffic. */
    private static AmphoraConfig config(long generation, Ports ports, int udpEcho, int weight) {
        HealthMonitorConfig httpCheck = new HealthMonitorConfig("http-check", MonitorType.HTTP, 200, 150, 1, 1,
                "GET", "/metrics", "200-299", "1.1", null, true);
        HealthMonitorConfig tcpCheck = new HealthMonitorConfig("tcp-check", MonitorType.TCP, 200, 150, 1, 1,
                null, null, null, null, null, true);
        HealthMonitorConfig udpCheck = new HealthMonitorConfig("udp-check", MonitorType.UDP_CONNECT, 200, 150, 1, 1,
                null, null, null, null, null, true);
        return new AmphoraConfig(generation, "class-data-training", VIP, true, List.of(
                listener("metrics", ListenerProtocol.PROMETHEUS, ports.metrics(), null, List.of()),
                listener("http", ListenerProtocol.HTTP, ports.http(), "web",
                        List.of("X-Forwarded-For", "X-Forwarded-Port", "X-Forwarded-Proto")),
                listener("tcp", ListenerProtocol.TCP, ports.tcp(), "stream", List.of()),
                listener("udp", ListenerProtocol.UDP, ports.udp(), "datagrams", List.of())), List.of(
                new PoolConfig("web", null, PoolProtocol.HTTP, LbAlgorithm.ROUND_ROBIN, true, List.of(
                        member("web-1", ports.metrics(), weight), member("web-2", ports.metrics(), 1)), httpCheck,
                        new SessionPersistenceConfig(SessionPersistenceConfig.Type.HTTP_COOKIE, null, null, null)),
                new PoolConfig("stream", null, PoolProtocol.TCP, LbAlgorithm.LEAST_CONNECTIONS, true,
                        List.of(member("stream-1", ports.metrics(), weight)), tcpCheck),
                new PoolConfig("datagrams", null, PoolProtocol.UDP, LbAlgorithm.SOURCE_IP, true,
                        List.of(member("echo-1", udpEcho, weight)), udpCheck)));
    }

    private static ListenerConfig listener(String id, ListenerProtocol protocol, int port, String poolId,
            List<String> insertHeaders) {
        return new ListenerConfig(id, null, protocol, port, -1, true, poolId, null, null, insertHeaders);
    }

    private static MemberConfig member(String id, int port, int weight) {
        return new MemberConfig(id, null, VIP, port, weight, false, true, null, null);
    }

    private static void awaitMembersUp(Agent agent) throws Exception {
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (true) {
            AmphoraStatus status = agent.status();
            boolean allUp = status.pools().stream().flatMap(pool -> pool.members().stream())
                    .allMatch(member -> member.health() == MemberHealth.UP);
            if (allUp) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("members not up after 20 s: " + status);
            }
            Thread.sleep(100);
        }
    }

    /** Requests on kept-alive and on new connections, a byte stream, datagrams, a scrape. */
    private static void traffic(Ports ports) throws IOException {
        URI http = URI.create("http://" + VIP + ":" + ports.http() + "/metrics");
        for (int i = 0; i < REQUESTS; i++) {
            get(http, i % 10 == 0);
        }
        get(URI.create("http://" + VIP + ":" + ports.metrics() + "/metrics"), false);
        for (int i = 0; i < REQUESTS / 10; i++) {
            try (Socket socket = new Socket(VIP, ports.tcp())) {
                socket.getOutputStream().write(
                        "GET /metrics HTTP/1.1\r\nHost: training\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                String response = new String(socket.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
                if (!response.startsWith("HTTP/1.1 200")) {
                    throw new IOException("TCP listener: unexpected answer " + response.lines().findFirst().orElse(""));
                }
            }
        }
        try (DatagramSocket client = new DatagramSocket(new InetSocketAddress(VIP, 0))) {
            client.setSoTimeout(5_000);
            for (int i = 0; i < REQUESTS / 10; i++) {
                byte[] payload = ("datagram " + i).getBytes(StandardCharsets.US_ASCII);
                client.send(new DatagramPacket(payload, payload.length, InetAddress.getByName(VIP), ports.udp()));
                DatagramPacket answer = new DatagramPacket(new byte[64], 64);
                client.receive(answer);
            }
        }
    }

    private static void get(URI uri, boolean closeConnection) throws IOException {
        HttpURLConnection connection = (HttpURLConnection) uri.toURL().openConnection();
        if (closeConnection) {
            connection.setRequestProperty("Connection", "close");
        }
        answer(connection, "GET " + uri);
    }

    /** The body of a 200 answer; any other status fails the run, naming {@code request}. */
    private static String answer(HttpURLConnection connection, String request) throws IOException {
        int code = connection.getResponseCode();
        String body;
        try (InputStream in = code < 400 ? connection.getInputStream() : connection.getErrorStream()) {
            body = in == null ? "" : new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        if (code != 200) {
            throw new IOException(request + ": HTTP " + code + " " + body);
        }
        return body;
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket()) {
            socket.bind(new InetSocketAddress(VIP, 0));
            return socket.getLocalPort();
        }
    }

    /** The operator's side of the agent API, as {@code AgentClient} speaks it. */
    private record Agent(URI base, SSLContext tls) {

        void put(AmphoraConfig config) throws IOException {
            byte[] body = AgentApi.json().writeValueAsBytes(config);
            HttpsURLConnection connection = open(AgentApi.CONFIG_PATH);
            connection.setRequestMethod("PUT");
            connection.setRequestProperty("Content-Type", "application/json");
            connection.setDoOutput(true);
            try (OutputStream out = connection.getOutputStream()) {
                out.write(body);
            }
            answer(connection, "PUT " + AgentApi.CONFIG_PATH);
        }

        AmphoraStatus status() throws IOException {
            HttpsURLConnection connection = open(AgentApi.STATUS_PATH);
            return AgentApi.json().readValue(answer(connection, "GET " + AgentApi.STATUS_PATH), AmphoraStatus.class);
        }

        private HttpsURLConnection open(String path) throws IOException {
            HttpsURLConnection connection = (HttpsURLConnection) base.resolve(path).toURL().openConnection();
            connection.setSSLSocketFactory(tls.getSocketFactory());
            connection.setConnectTimeout(5_000);
            connection.setReadTimeout(10_000);
            return connection;
        }
    }

    /**
     * A self-signed EC identity (as the operator's CA issues, P-256) that is at once the agent's
     * certificate, the CA it trusts and the client's certificate. Made by the JDK's keytool, which
     * every JDK and JRE has, so that the amphora needs no certificate library for a throw-away key.
     */
    private record AgentIdentity(Path certificate, Path privateKey, SSLContext client) {

        static AgentIdentity create(Path dir) throws Exception {
            char[] password = HexFormat.of().formatHex(new SecureRandom().generateSeed(16)).toCharArray();
            Path store = dir.resolve("training.p12");
            List<String> command = new ArrayList<>(List.of(
                    Path.of(System.getProperty("java.home"), "bin", "keytool").toString(), "-genkeypair",
                    "-alias", "agent", "-keyalg", "EC", "-groupname", "secp256r1", "-sigalg", "SHA256withECDSA",
                    "-dname", "CN=amphora-class-data-training", "-ext", "san=ip:" + VIP, "-validity", "1",
                    "-storetype", "PKCS12", "-keystore", store.toString(), "-storepass", new String(password)));
            Process keytool = new ProcessBuilder(command).redirectErrorStream(true).start();
            byte[] output = keytool.getInputStream().readAllBytes();
            if (keytool.waitFor() != 0) {
                throw new IOException("keytool failed: " + new String(output, StandardCharsets.UTF_8));
            }
            KeyStore keys = KeyStore.getInstance("PKCS12");
            try (InputStream in = Files.newInputStream(store)) {
                keys.load(in, password);
            }
            Path certificate = writePem(dir.resolve("agent.pem"), "CERTIFICATE", keys.getCertificate("agent").getEncoded());
            Path privateKey = writePem(dir.resolve("agent-key.pem"), "PRIVATE KEY",
                    keys.getKey("agent", password).getEncoded());

            KeyManagerFactory keyManagers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            keyManagers.init(keys, password);
            // The JVM options leave the JDK without a default trust store: trust this identity alone.
            KeyStore trusted = KeyStore.getInstance("PKCS12");
            trusted.load(null, null);
            trusted.setCertificateEntry("agent", keys.getCertificate("agent"));
            TrustManagerFactory trustManagers = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trustManagers.init(trusted);
            SSLContext client = SSLContext.getInstance("TLS");
            client.init(keyManagers.getKeyManagers(), trustManagers.getTrustManagers(), null);
            return new AgentIdentity(certificate, privateKey, client);
        }

        private static Path writePem(Path file, String type, byte[] der) throws IOException {
            ByteArrayOutputStream pem = new ByteArrayOutputStream();
            pem.writeBytes(("-----BEGIN " + type + "-----\n").getBytes(StandardCharsets.US_ASCII));
            pem.writeBytes(Base64.getMimeEncoder(64, new byte[] {'\n'}).encode(der));
            pem.writeBytes(("\n-----END " + type + "-----\n").getBytes(StandardCharsets.US_ASCII));
            return Files.write(file, pem.toByteArray());
        }
    }

    /** The UDP pool's member: answers every datagram with itself. */
    private static final class UdpEcho implements AutoCloseable {

        private final DatagramSocket socket;
        private final Thread thread;

        UdpEcho() throws SocketException {
            socket = new DatagramSocket(new InetSocketAddress(VIP, 0));
            thread = new Thread(this::serve, "training-udp-echo");
            thread.setDaemon(true);
            thread.start();
        }

        int port() {
            return socket.getLocalPort();
        }

        private void serve() {
            DatagramPacket packet = new DatagramPacket(new byte[2048], 2048);
            try {
                while (true) {
                    packet.setLength(2048);
                    socket.receive(packet);
                    socket.send(packet);
                }
            } catch (IOException e) {
                // closed
            }
        }

        @Override
        public void close() {
            socket.close();
        }
    }
}
