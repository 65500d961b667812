package dev.lbaas.amphora.testing;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A client that never stops asking: an HTTP GET on a new connection every 5 ms to a VIP, counting
 * failures and the longest time between two answers, as failover is measured.
 */
public final class VipRequestStream implements AutoCloseable {

    private final String host;
    private final int port;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final AtomicInteger successes = new AtomicInteger();
    private final AtomicInteger failures = new AtomicInteger();
    private final AtomicLong lastSuccess = new AtomicLong(System.nanoTime());
    private final AtomicLong longestGap = new AtomicLong();
    private final Thread thread = new Thread(this::run, "vip-requests");

    public VipRequestStream(String host, int port) {
        this.host = host;
        this.port = port;
        thread.start();
    }

    /** One GET on a new connection; the body of a 200, else an IOException saying what came. */
    public static String get(String host, int port) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(host, port), 1_000);
            socket.setSoTimeout(2_000);
            socket.getOutputStream().write("GET / HTTP/1.1\r\nHost: lb\r\nConnection: close\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            InputStream in = socket.getInputStream();
            String response = new String(in.readAllBytes(), StandardCharsets.US_ASCII);
            if (!response.startsWith("HTTP/1.1 200")) {
                throw new IOException("answered " + response.lines().findFirst().orElse("nothing"));
            }
            return response.substring(response.indexOf("\r\n\r\n") + 4);
        }
    }

    private void run() {
        while (running.get()) {
            try {
                get(host, port);
                long now = System.nanoTime();
                longestGap.accumulateAndGet(now - lastSuccess.getAndSet(now), Math::max);
                successes.incrementAndGet();
            } catch (IOException e) {
                failures.incrementAndGet();
            }
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    public void awaitSuccesses(int count) {
        int target = successes.get() + count;
        await().atMost(Duration.ofSeconds(10)).until(() -> successes.get() >= target);
    }

    public int successes() {
        return successes.get();
    }

    public int failures() {
        return failures.get();
    }

    public long longestGapMillis() {
        return TimeUnit.NANOSECONDS.toMillis(longestGap.get());
    }

    @Override
    public void close() throws InterruptedException {
        running.set(false);
        thread.join(10_000);
    }
}
