package dev.lbaas.e2e;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A steady stream of HTTP GETs to a VIP, as failover is measured: half on one keep-alive
 * connection (reopened when it breaks), half each on a new connection, at a fixed total rate. It
 * counts answers and failures and the longest time with no answer at all, and keeps how long each
 * answer took, by when its request was sent, for the tail latency of a window (such as the first
 * seconds of a promoted standby).
 *
 * <p>Requests are paced, not fired back to back: a stalled request does not make the next ones
 * come in a burst, so the rate the load balancer sees is the one asked for.
 */
public final class RequestStream implements AutoCloseable {

    private static final int CONNECT_TIMEOUT_MILLIS = 1_000;
    private static final int READ_TIMEOUT_MILLIS = 2_000;
    private static final int FAILURES_KEPT = 10_000;
    /** Answers whose latency is kept, the latest: over 8 minutes at 1,000 requests/s. */
    private static final int LATENCIES_KEPT = 1 << 19;

    /**
     * One failed request.
     *
     * @param nanos when it failed (System.nanoTime)
     * @param at when it failed by the wall clock, to be found in the node's logs
     * @param keepAlive whether it was on the keep-alive connection (else on a new one)
     * @param reused whether that connection had answered a request before
     * @param what the exception
     */
    public record Failure(long nanos, Instant at, boolean keepAlive, boolean reused, String what) {

        /** As a line of a report: when it failed after {@code origin} (the {@code event}), on what, and why. */
        public String describe(long origin, String event) {
            String connection = !keepAlive ? "new connection"
                    : reused ? "keep-alive connection, answered before" : "keep-alive connection, new";
            return String.format("%+.3f s from the %s (%s), %s: %s", (nanos - origin) / 1e9, event, at, connection,
                    what);
        }
    }

    private final String host;
    private final int port;
    private final long intervalNanos;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final AtomicInteger successes = new AtomicInteger();
    private final AtomicInteger failures = new AtomicInteger();
    private final AtomicLong lastSuccess = new AtomicLong(System.nanoTime());
    private final AtomicLong longestGap = new AtomicLong();
    /** The latest failures, oldest first, at most {@link #FAILURES_KEPT}. */
    private final Deque<Failure> failed = new ArrayDeque<>();
    /** A ring of the latest answers: when each request was sent (System.nanoTime) and how long it took. */
    private final long[] sentNanos = new long[LATENCIES_KEPT];
    private final long[] tookNanos = new long[LATENCIES_KEPT];
    private long answersRecorded;
    private final Thread keepAlive;
    private final Thread newConnections;

    /** @param requestsPerSecond the total rate, shared by the two kinds of connection */
    public RequestStream(String host, int port, int requestsPerSecond) {
        this.host = host;
        this.port = port;
        this.intervalNanos = TimeUnit.SECONDS.toNanos(2) / requestsPerSecond;
        keepAlive = new Thread(this::keepAliveLoop, "requests-keep-alive");
        newConnections = new Thread(this::newConnectionLoop, "requests-new-connections");
        keepAlive.start();
        newConnections.start();
    }

    private void keepAliveLoop() {
        Connection connection = null;
        long next = System.nanoTime();
        while (running.get()) {
            next = pace(next);
            boolean reused = connection != null;
            long sent = System.nanoTime();
            try {
                if (connection == null) {
                    connection = new Connection(host, port);
                }
                connection.get(true);
                succeeded(sent);
            } catch (IOException e) {
                failed(true, reused, e);
                if (connection != null) {
                    connection.close();
                    connection = null;
                }
            }
        }
        if (connection != null) {
            connection.close();
        }
    }

    private void newConnectionLoop() {
        long next = System.nanoTime();
        while (running.get()) {
            next = pace(next);
            long sent = System.nanoTime();
            // The client closes once answered, as curl does, so the TIME_WAIT stays on this side:
            // where the node's NAT picks random source ports (kube-proxy's MASQUERADE
            // --random-fully), a server-side TIME_WAIT now and then meets a new connection's SYN,
            // which the kernel then refuses for a second (docs/failover.md), whoever the server is.
            try (Connection connection = new Connection(host, port)) {
                connection.get(true);
                succeeded(sent);
            } catch (IOException e) {
                failed(false, false, e);
            }
        }
    }

    /** Sleeps until {@code next}; a request that came late moves the schedule on rather than bursting. */
    private long pace(long next) {
        long now = System.nanoTime();
        if (next > now) {
            try {
                TimeUnit.NANOSECONDS.sleep(next - now);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                running.set(false);
            }
            return next + intervalNanos;
        }
        return now + intervalNanos;
    }

    private void succeeded(long sent) {
        long now = System.nanoTime();
        longestGap.accumulateAndGet(now - lastSuccess.getAndSet(now), Math::max);
        synchronized (sentNanos) {
            int slot = (int) (answersRecorded++ % LATENCIES_KEPT);
            sentNanos[slot] = sent;
            tookNanos[slot] = now - sent;
        }
        successes.incrementAndGet();
    }

    /**
     * The {@code quantile} (0.99 for the p99) of the latencies of the answered requests sent from
     * {@code fromNanos} to {@code toNanos} (System.nanoTime), of the latest kept, in milliseconds;
     * NaN if none was.
     */
    public double latencyMillis(double quantile, long fromNanos, long toNanos) {
        long[] took;
        synchronized (sentNanos) {
            int kept = (int) Math.min(answersRecorded, LATENCIES_KEPT);
            took = new long[kept];
            int found = 0;
            for (int i = 0; i < kept; i++) {
                if (sentNanos[i] - fromNanos >= 0 && toNanos - sentNanos[i] > 0) {
                    took[found++] = tookNanos[i];
                }
            }
            took = Arrays.copyOf(took, found);
        }
        if (took.length == 0) {
            return Double.NaN;
        }
        Arrays.sort(took);
        int rank = (int) Math.ceil(quantile * took.length) - 1;
        return took[Math.max(0, Math.min(rank, took.length - 1))] / 1e6;
    }

    private void failed(boolean keepAlive, boolean reused, IOException e) {
        synchronized (failed) {
            if (failed.size() == FAILURES_KEPT) {
                failed.removeFirst();
            }
            failed.addLast(new Failure(System.nanoTime(), Instant.now(), keepAlive, reused, e.toString()));
        }
        failures.incrementAndGet();
    }

    /** The failures after {@code nanos} (System.nanoTime), of the latest kept. */
    public List<Failure> failuresSince(long nanos) {
        synchronized (failed) {
            return failed.stream().filter(failure -> failure.nanos() - nanos > 0).toList();
        }
    }

    public int successes() {
        return successes.get();
    }

    public int failures() {
        return failures.get();
    }

    /** The longest time between two answers (or from the start to the first), in milliseconds. */
    public long longestGapMillis() {
        return TimeUnit.NANOSECONDS.toMillis(longestGap.get());
    }

    /** Starts a new measurement: the longest gap so far is forgotten. */
    public void resetGap() {
        lastSuccess.set(System.nanoTime());
        longestGap.set(0);
    }

    /** Waits until {@code count} answers in all have come, at most {@code timeoutMillis}; false if they did not. */
    public boolean awaitSuccesses(int count, long timeoutMillis) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        while (successes.get() < count) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(5);
        }
        return true;
    }

    @Override
    public void close() throws InterruptedException {
        running.set(false);
        keepAlive.join(5_000);
        newConnections.join(5_000);
    }

    /**
     * One GET on a new connection from the client address {@code source} (any of 127.0.0.0/8 on
     * loopback), as a client of its own; the body of a 200, else an IOException.
     */
    public static String getFrom(String source, String host, int port) throws IOException {
        try (Connection connection = new Connection(new InetSocketAddress(source, 0), host, port)) {
            return connection.get(false);
        }
    }

    /**
     * What {@code clients} clients, each from an address of its own (127.0.9.1, 127.0.9.2, ...),
     * are answered by GET: with session persistence by source address, each one's member. Asked
     * in a new order each time, so that an amphora without the bindings, picking round robin, does
     * not happen to give each client the member it had.
     */
    public static Map<String, String> sessions(String host, int port, int clients) throws IOException {
        List<Integer> order = new ArrayList<>();
        for (int i = 1; i <= clients; i++) {
            order.add(i);
        }
        Collections.shuffle(order);
        Map<String, String> answers = new TreeMap<>();
        for (int i : order) {
            String source = "127.0.9." + i;
            answers.put(source, getFrom(source, host, port));
        }
        return answers;
    }

    /** One HTTP/1.1 connection; reads responses framed by Content-Length, as the demo web servers send them. */
    private static final class Connection implements AutoCloseable {

        private final Socket socket = new Socket();
        private final InputStream in;
        private final OutputStream out;

        Connection(String host, int port) throws IOException {
            this(null, host, port);
        }

        Connection(InetSocketAddress source, String host, int port) throws IOException {
            try {
                if (source != null) {
                    socket.bind(source);
                }
                socket.connect(new InetSocketAddress(host, port), CONNECT_TIMEOUT_MILLIS);
                socket.setSoTimeout(READ_TIMEOUT_MILLIS);
                socket.setTcpNoDelay(true);
                in = new BufferedInputStream(socket.getInputStream());
                out = socket.getOutputStream();
            } catch (IOException e) {
                close();
                throw e;
            }
        }

        /** One GET; the body of a 200, else an IOException saying what came. */
        String get(boolean keepAlive) throws IOException {
            out.write(("GET / HTTP/1.1\r\nHost: lb\r\nConnection: " + (keepAlive ? "keep-alive" : "close")
                    + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String status = line();
            int length = -1;
            for (String header = line(); !header.isEmpty(); header = line()) {
                int colon = header.indexOf(':');
                if (colon > 0 && header.substring(0, colon).trim().equalsIgnoreCase("Content-Length")) {
                    length = Integer.parseInt(header.substring(colon + 1).trim());
                }
            }
            if (length < 0) {
                throw new IOException("no Content-Length in the answer: " + status);
            }
            String body = new String(in.readNBytes(length), StandardCharsets.UTF_8);
            if (!status.startsWith("HTTP/1.1 200")) {
                throw new IOException("answered " + status);
            }
            return body;
        }

        private String line() throws IOException {
            StringBuilder line = new StringBuilder();
            for (int c = in.read(); c != '\n'; c = in.read()) {
                if (c < 0) {
                    throw new IOException("connection closed mid-answer");
                }
                if (c != '\r') {
                    line.append((char) c);
                }
            }
            return line.toString();
        }

        @Override
        public void close() {
            try {
                socket.close();
            } catch (IOException e) {
                // closing what failed: nothing left to do
            }
        }
    }
}
