package dev.lbaas.amphora.proxy;

import static dev.lbaas.amphora.testing.Configs.config;
import static dev.lbaas.amphora.testing.Configs.freePort;
import static dev.lbaas.amphora.testing.Configs.listener;
import static dev.lbaas.amphora.testing.Configs.member;
import static dev.lbaas.amphora.testing.Configs.pool;
import static org.assertj.core.api.Assertions.assertThat;

import dev.lbaas.amphora.config.ListenerConfig;
import dev.lbaas.amphora.config.ListenerProtocol;
import dev.lbaas.amphora.config.ListenerTlsConfig;
import dev.lbaas.amphora.config.PoolProtocol;
import dev.lbaas.amphora.testing.NamedHttpBackend;
import dev.lbaas.amphora.testing.RawHttp;
import dev.lbaas.amphora.testing.RawHttp2;
import dev.lbaas.amphora.testing.RunningDataplane;
import dev.lbaas.amphora.testing.TlsIdentities;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Flow control through the amphora, both ways: a client that reads slowly holds the member back,
 * and a member that reads slowly holds an uploading client back. Either way the amphora keeps no
 * more than a window of data, never a whole large body. The bound asserted leaves room for the
 * kernel's socket buffers on loopback (four sockets, several MiB each with autotuning) and is far
 * below the body size.
 */
class BackpressureIT {

    private static final String VIP = "127.1.9.1";
    private static final long BODY = 256L << 20;
    private static final long BOUND = 64L << 20;
    private static final byte[] CHUNK = new byte[64 << 10];

    @Test
    void aClientThatStopsReadingHoldsTheMemberBack() throws Exception {
        AtomicLong memberWrote = new AtomicLong();
        try (RunningDataplane amphora = new RunningDataplane();
                OneShotMember member = new OneShotMember(answersWithABigBody(memberWrote))) {
            int port = freePort(VIP);
            amphora.apply(config(1, VIP, List.of(listener("l", ListenerProtocol.HTTP, port, "p")),
                    pool("p", PoolProtocol.HTTP, null, member("m", member.port(), 1))));
            try (Socket client = new Socket()) {
                client.setReceiveBufferSize(64 << 10);
                client.connect(new InetSocketAddress(VIP, port), 2_000);
                client.setSoTimeout(10_000);
                client.getOutputStream().write("GET /big HTTP/1.1\r\nHost: lb\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                String head = RawHttp.readHead(client.getInputStream());
                assertThat(head).startsWith("HTTP/1.1 200").containsIgnoringCase("content-length: " + BODY);

                // The client reads nothing more: the member must stall, far short of the body.
                long stalled = staysBelowThenStops(memberWrote, BOUND);
                assertThat(stalled).as("bytes the member could write while the client read nothing")
                        .isLessThan(BOUND);

                // Then the client reads on and gets every byte.
                long received = drain(client.getInputStream(), BODY);
                assertThat(received).isEqualTo(BODY);
                assertThat(memberWrote.get()).isEqualTo(BODY);
            }
        }
    }

    @Test
    void onTcpAClientThatStopsReadingHoldsTheMemberBack() throws Exception {
        AtomicLong memberWrote = new AtomicLong();
        try (RunningDataplane amphora = new RunningDataplane();
                OneShotMember member = new OneShotMember(socket -> {
                    OutputStream out = socket.getOutputStream();
                    for (long sent = 0; sent < BODY; sent += CHUNK.length) {
                        out.write(CHUNK);
                        memberWrote.addAndGet(CHUNK.length);
                    }
                    out.flush();
                })) {
            int port = freePort(VIP);
            amphora.apply(config(1, VIP, List.of(listener("l", ListenerProtocol.TCP, port, "p")),
                    pool("p", PoolProtocol.TCP, null, member("m", member.port(), 1))));
            try (Socket client = new Socket()) {
                client.setReceiveBufferSize(64 << 10);
                client.connect(new InetSocketAddress(VIP, port), 2_000);
                client.setSoTimeout(10_000);
                assertThat(client.getInputStream().read()).as("the first byte").isZero();

                long stalled = staysBelowThenStops(memberWrote, BOUND);
                assertThat(stalled).as("bytes the member could write while the client read nothing")
                        .isLessThan(BOUND);

                assertThat(1 + drain(client.getInputStream(), BODY - 1)).isEqualTo(BODY);
            }
        }
    }

    @Test
    void aMemberThatStopsReadingHoldsAnUploadingClientBack() throws Exception {
        AtomicLong clientWrote = new AtomicLong();
        CountDownLatch memberMayRead = new CountDownLatch(1);
        try (RunningDataplane amphora = new RunningDataplane();
                OneShotMember member = new OneShotMember(readsTheBodyOnceAllowed(memberMayRead))) {
            int port = freePort(VIP);
            amphora.apply(config(1, VIP, List.of(listener("l", ListenerProtocol.HTTP, port, "p")),
                    pool("p", PoolProtocol.HTTP, null, member("m", member.port(), 1))));
            try (Socket client = new Socket(VIP, port)) {
                client.setSoTimeout(10_000);
                CompletableFuture<Void> upload = CompletableFuture.runAsync(() -> {
                    try {
                        OutputStream out = client.getOutputStream();
                        out.write(("POST /upload HTTP/1.1\r\nHost: lb\r\nContent-Length: " + BODY + "\r\n\r\n")
                                .getBytes(StandardCharsets.US_ASCII));
                        for (long sent = 0; sent < BODY; sent += CHUNK.length) {
                            out.write(CHUNK);
                            clientWrote.addAndGet(CHUNK.length);
                        }
                        out.flush();
                    } catch (IOException e) {
                        throw new RuntimeException(e);
                    }
                });

                long stalled = staysBelowThenStops(clientWrote, BOUND);
                assertThat(stalled).as("bytes the client could send while the member read nothing")
                        .isLessThan(BOUND);

                memberMayRead.countDown();
                upload.get(30, TimeUnit.SECONDS);
                String head = RawHttp.readHead(client.getInputStream());
                assertThat(head).startsWith("HTTP/1.1 200");
                assertThat(new String(client.getInputStream().readNBytes(("received " + BODY).length()),
                        StandardCharsets.US_ASCII)).isEqualTo("received " + BODY);
            }
        }
    }

    @Test
    void aMemberThatStopsReadingHoldsAnHttp2UploadBack() throws Exception {
        AtomicLong clientWrote = new AtomicLong();
        CountDownLatch memberMayRead = new CountDownLatch(1);
        TlsIdentities pki = new TlsIdentities("upload");
        try (RunningDataplane amphora = new RunningDataplane();
                OneShotMember member = new OneShotMember(readsTheBodyOnceAllowed(memberMayRead))) {
            int port = freePort("127.0.0.1");
            ListenerTlsConfig tls = new ListenerTlsConfig(pki.server("localhost", "localhost"), null, null, null, null,
                    null, null, null, null);
            amphora.apply(config(1, "127.0.0.1", List.of(new ListenerConfig("l", null,
                    ListenerProtocol.TERMINATED_HTTPS, port, -1, true, "p", null, null, null, null, tls)),
                    pool("p", PoolProtocol.HTTP, null, member("m", member.port(), 1))));
            HttpClient client = HttpClient.newBuilder().sslContext(pki.clientContext(null))
                    .version(HttpClient.Version.HTTP_2).build();
            InputStream body = new InputStream() {
                private long left = BODY;

                @Override
                public int read() {
                    byte[] one = new byte[1];
                    return read(one, 0, 1) < 0 ? -1 : one[0];
                }

                @Override
                public int read(byte[] into, int offset, int length) {
                    if (left == 0) {
                        return -1;
                    }
                    int n = (int) Math.min(length, left);
                    left -= n;
                    clientWrote.addAndGet(n);
                    return n;
                }
            };
            CompletableFuture<java.net.http.HttpResponse<String>> upload = client.sendAsync(
                    java.net.http.HttpRequest.newBuilder(URI.create("https://localhost:" + port + "/upload"))
                            .POST(java.net.http.HttpRequest.BodyPublishers.fromPublisher(
                                    java.net.http.HttpRequest.BodyPublishers.ofInputStream(() -> body), BODY))
                            .build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());

            long stalled = staysBelowThenStops(clientWrote, BOUND);
            assertThat(stalled).as("bytes the HTTP/2 client could send while the member read nothing")
                    .isLessThan(BOUND);

            memberMayRead.countDown();
            java.net.http.HttpResponse<String> response = upload.get(60, TimeUnit.SECONDS);
            assertThat(response.version()).isEqualTo(HttpClient.Version.HTTP_2);
            assertThat(response.body()).isEqualTo("received " + BODY);
        }
    }

    @Test
    void aClientThatShutsItsSendingSideAfterItsRequestStillGetsTheAnswer() throws Exception {
        try (RunningDataplane amphora = new RunningDataplane(); NamedHttpBackend web = new NamedHttpBackend("web1")) {
            int port = freePort(VIP);
            amphora.apply(config(1, VIP, List.of(listener("l", ListenerProtocol.HTTP, port, "p")),
                    pool("p", PoolProtocol.HTTP, null, member("m", web.port(), 1))));
            try (Socket client = new Socket(VIP, port)) {
                client.setSoTimeout(5_000);
                client.getOutputStream().write("GET / HTTP/1.1\r\nHost: lb\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                client.shutdownOutput();

                String answer = new String(client.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);

                assertThat(answer).startsWith("HTTP/1.1 200").endsWith("web1");
            }
        }
    }

    @Test
    void anHttp2StreamThatIsNotReadHoldsTheMemberBack() throws Exception {
        AtomicLong memberWrote = new AtomicLong();
        try (RunningDataplane amphora = new RunningDataplane();
                OneShotMember member = new OneShotMember(answersWithABigBody(memberWrote))) {
            int port = freePort(VIP);
            amphora.apply(config(1, VIP, List.of(new ListenerConfig("l", null, ListenerProtocol.HTTP, port, -1, true,
                    "p", null, null, null, null, null, true)),
                    pool("p", PoolProtocol.HTTP, null, member("m", member.port(), 1))));
            try (RawHttp2 client = new RawHttp2(VIP, port)) {
                RawHttp2.HeldStream stream = client.hold(RawHttp2.request("GET", "/big", "lb"));

                // The client gives no window back: the member must stall, far short of the body,
                // with the stream's window all the client holds.
                long stalled = staysBelowThenStops(memberWrote, BOUND);
                assertThat(stalled).as("bytes the member could write while the stream was not read")
                        .isLessThan(BOUND);
                assertThat(stream.received.get()).as("what the client was sent without giving window back")
                        .isLessThanOrEqualTo(65_535);

                // Then the client reads on and gets every byte.
                stream.readOn();
                assertThat(stream.ended.get(60, TimeUnit.SECONDS)).isEqualTo("200");
                assertThat(stream.received.get()).isEqualTo(BODY);
                assertThat(memberWrote.get()).isEqualTo(BODY);
            }
        }
    }

    /**
     * Watches the counter for three seconds, in which it may never reach {@code bound} (without
     * backpressure it would pass it within milliseconds on loopback, loaded machine or not), then
     * until it stops growing; returns where it stopped.
     */
    private static long staysBelowThenStops(AtomicLong counter, long bound) throws InterruptedException {
        long watchUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
        while (System.nanoTime() < watchUntil) {
            assertThat(counter.get()).as("bytes moved while the other side read nothing").isLessThan(bound);
            Thread.sleep(50);
        }
        return waitUntilStill(counter);
    }

    /** Samples the counter until it stops growing for a second; returns where it stopped. */
    private static long waitUntilStill(AtomicLong counter) throws InterruptedException {
        long last = -1;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            Thread.sleep(1_000);
            long now = counter.get();
            if (now == last) {
                return now;
            }
            last = now;
        }
        throw new AssertionError("still moving after 20 s: " + counter.get() + " bytes");
    }

    private static long drain(InputStream in, long expected) throws IOException {
        byte[] buffer = new byte[64 << 10];
        long total = 0;
        while (total < expected) {
            int n = in.read(buffer, 0, (int) Math.min(buffer.length, expected - total));
            if (n < 0) {
                break;
            }
            total += n;
        }
        return total;
    }

    interface Exchange {
        void serve(Socket socket) throws Exception;
    }

    /**
     * A member's exchange: a request's head read, then nothing more until {@code mayRead}, then
     * its body of {@link #BODY} bytes, answered with how many it received.
     */
    private static Exchange readsTheBodyOnceAllowed(CountDownLatch mayRead) {
        return socket -> {
            InputStream in = socket.getInputStream();
            RawHttp.readHead(in);
            mayRead.await();
            String body = "received " + drain(in, BODY);
            socket.getOutputStream().write(("HTTP/1.1 200 OK\r\nContent-Length: " + body.length() + "\r\n\r\n" + body)
                    .getBytes(StandardCharsets.US_ASCII));
        };
    }

    /** A member's exchange: a request read, then a 200 with a body of {@link #BODY} bytes, counted as written. */
    private static Exchange answersWithABigBody(AtomicLong memberWrote) {
        return socket -> {
            RawHttp.readHead(socket.getInputStream());
            OutputStream out = socket.getOutputStream();
            out.write(("HTTP/1.1 200 OK\r\nContent-Length: " + BODY + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            for (long sent = 0; sent < BODY; sent += CHUNK.length) {
                out.write(CHUNK);
                memberWrote.addAndGet(CHUNK.length);
            }
            out.flush();
        };
    }

    /** A member that serves the first connection it accepts with a blocking exchange. */
    private static final class OneShotMember implements AutoCloseable {
        private final ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        private final Thread thread;
        private volatile Socket accepted;

        OneShotMember(Exchange exchange) throws IOException {
            thread = new Thread(() -> {
                try (Socket socket = server.accept()) {
                    accepted = socket;
                    exchange.serve(socket);
                    Thread.sleep(Long.MAX_VALUE);
                } catch (Exception ended) {
                    // closed by close()
                }
            }, "one-shot-member");
            thread.setDaemon(true);
            thread.start();
        }

        int port() {
            return server.getLocalPort();
        }

        @Override
        public void close() throws IOException {
            server.close();
            Socket socket = accepted;
            if (socket != null) {
                socket.close();
            }
            thread.interrupt();
        }
    }
}
