package dev.lbaas.amphora.proxy;

import static dev.lbaas.amphora.testing.Configs.config;
import static dev.lbaas.amphora.testing.Configs.freePort;
import static dev.lbaas.amphora.testing.Configs.member;
import static dev.lbaas.amphora.testing.Configs.pool;
import static org.assertj.core.api.Assertions.assertThat;

import dev.lbaas.amphora.config.ListenerConfig;
import dev.lbaas.amphora.config.ListenerProtocol;
import dev.lbaas.amphora.config.ListenerTimeouts;
import dev.lbaas.amphora.config.PoolProtocol;
import dev.lbaas.amphora.testing.RunningDataplane;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;

/** Octavia's client data and member data timeouts, with a silent client and a silent member. */
class TimeoutsIT {

    private static final String VIP = "127.1.7.1";
    private static final ListenerTimeouts SHORT = new ListenerTimeouts(300, 1_000, 300, 0);

    @Test
    void anIdleClientIsDisconnectedAfterClientData() throws Exception {
        try (RunningDataplane amphora = new RunningDataplane(); SilentMember member = new SilentMember()) {
            int port = freePort(VIP);
            amphora.apply(config(1, VIP, List.of(listener(ListenerProtocol.HTTP, port)),
                    pool("p", PoolProtocol.HTTP, null, member("m", member.port(), 1))));
            try (Socket client = new Socket(VIP, port)) {
                client.setSoTimeout(5_000);
                long start = System.nanoTime();
                assertThat(client.getInputStream().read()).isEqualTo(-1);
                long elapsedMillis = (System.nanoTime() - start) / 1_000_000;
                assertThat(elapsedMillis).isBetween(250L, 2_000L);
            }
        }
    }

    @Test
    void aMemberThatNeverAnswersGivesGatewayTimeoutAfterMemberData() throws Exception {
        try (RunningDataplane amphora = new RunningDataplane(); SilentMember member = new SilentMember()) {
            int port = freePort(VIP);
            amphora.apply(config(1, VIP, List.of(listener(ListenerProtocol.HTTP, port)),
                    pool("p", PoolProtocol.HTTP, null, member("m", member.port(), 1))));
            try (Socket client = new Socket(VIP, port)) {
                client.setSoTimeout(5_000);
                long start = System.nanoTime();
                client.getOutputStream().write("GET / HTTP/1.1\r\nHost: lb\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                String statusLine = firstLine(client.getInputStream());
                long elapsedMillis = (System.nanoTime() - start) / 1_000_000;
                assertThat(statusLine).startsWith("HTTP/1.1 504");
                assertThat(elapsedMillis).isBetween(250L, 3_000L);
            }
        }
    }

    @Test
    void aResponseThatKeepsMovingOutlastsBothTimeouts() throws Exception {
        // 12 chunks 100 ms apart: 1.2 s in all, four times the client and member data timeouts
        try (RunningDataplane amphora = new RunningDataplane();
                ServerSocket member = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            ExecutorService memberThread = Executors.newSingleThreadExecutor();
            memberThread.execute(() -> {
                try (Socket socket = member.accept()) {
                    firstLine(socket.getInputStream());
                    var out = socket.getOutputStream();
                    out.write("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                    for (int i = 0; i < 12; i++) {
                        out.write("1\r\nx\r\n".getBytes(StandardCharsets.US_ASCII));
                        out.flush();
                        Thread.sleep(100);
                    }
                    out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                    Thread.sleep(1_000);
                } catch (Exception e) {
                    // the test fails on what the client sees
                }
            });
            int port = freePort(VIP);
            amphora.apply(config(1, VIP, List.of(listener(ListenerProtocol.HTTP, port)),
                    pool("p", PoolProtocol.HTTP, null, member("m", member.getLocalPort(), 1))));
            try (Socket client = new Socket(VIP, port)) {
                client.setSoTimeout(5_000);
                client.getOutputStream().write("GET / HTTP/1.1\r\nHost: lb\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                InputStream in = client.getInputStream();
                assertThat(firstLine(in)).startsWith("HTTP/1.1 200");
                while (!firstLine(in).isEmpty()) {
                    // headers
                }
                StringBuilder received = new StringBuilder();
                for (int size; (size = Integer.parseInt(firstLine(in), 16)) > 0; firstLine(in)) {
                    received.append(new String(in.readNBytes(size), StandardCharsets.US_ASCII));
                }
                assertThat(received.toString()).isEqualTo("x".repeat(12));
            } finally {
                memberThread.shutdownNow();
            }
        }
    }

    @Test
    void aSilentTcpSessionIsClosedAfterMemberData() throws Exception {
        try (RunningDataplane amphora = new RunningDataplane(); SilentMember member = new SilentMember()) {
            int port = freePort(VIP);
            amphora.apply(config(1, VIP, List.of(listener(ListenerProtocol.TCP, port)),
                    pool("p", PoolProtocol.TCP, null, member("m", member.port(), 1))));
            try (Socket client = new Socket(VIP, port)) {
                client.setSoTimeout(5_000);
                long start = System.nanoTime();
                assertThat(client.getInputStream().read()).isEqualTo(-1);
                assertThat((System.nanoTime() - start) / 1_000_000).isBetween(250L, 3_000L);
            }
        }
    }

    private static ListenerConfig listener(ListenerProtocol protocol, int port) {
        return new ListenerConfig("l", "l", protocol, port, -1, true, "p", SHORT, null, null);
    }

    private static String firstLine(InputStream in) throws Exception {
        StringBuilder line = new StringBuilder();
        int b;
        while ((b = in.read()) != '\n' && b >= 0) {
            line.append((char) b);
        }
        return line.toString().trim();
    }

    /** Accepts connections and never sends or reads anything. */
    private static final class SilentMember implements AutoCloseable {
        private final ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        private final List<Socket> accepted = new ArrayList<>();
        private final ExecutorService acceptor = Executors.newSingleThreadExecutor();

        SilentMember() throws Exception {
            acceptor.execute(() -> {
                try {
                    while (true) {
                        Socket socket = server.accept();
                        synchronized (accepted) {
                            accepted.add(socket);
                        }
                    }
                } catch (Exception closed) {
                    // the server socket was closed by close()
                }
            });
        }

        int port() {
            return server.getLocalPort();
        }

        @Override
        public void close() throws Exception {
            server.close();
            synchronized (accepted) {
                for (Socket socket : accepted) {
                    socket.close();
                }
            }
            acceptor.shutdownNow();
        }
    }
}
