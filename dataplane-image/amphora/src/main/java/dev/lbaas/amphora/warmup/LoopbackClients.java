package dev.lbaas.amphora.warmup;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The warm-up's clients: threads on plain blocking sockets that send requests through one
 * listener as browsers and API clients do: mostly GETs on kept-alive connections, some POSTs
 * with a length or chunked, now and then a connection closed and a new one opened.
 */
final class LoopbackClients implements AutoCloseable {

    /** How long one exchange may take before the client gives its connection up. */
    private static final int READ_TIMEOUT_MILLIS = 2_000;
    private static final String FORM = "name=warm-up&items=1%2C2%2C3&note=a+short+form+body";

    private final InetSocketAddress listener;
    private final String host;
    private final List<Thread> threads = new ArrayList<>();
    private final AtomicLong exchanges = new AtomicLong();
    private final AtomicLong answeredOk = new AtomicLong();
    /** Each client's connection of the moment, closed by {@link #close()} so that no read waits out its timeout. */
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final AtomicLong failures = new AtomicLong();
    private volatile boolean stopped;

    LoopbackClients(InetSocketAddress listener, int clients) {
        this.listener = listener;
        this.host = listener.getAddress().getHostAddress() + ":" + listener.getPort();
        for (int i = 0; i < clients; i++) {
            Thread thread = new Thread(this::run, "warm-up-client-" + (i + 1));
            thread.setDaemon(true);
            threads.add(thread);
        }
        threads.forEach(Thread::start);
    }

    /** Exchanges answered so far, whatever their status. */
    long exchanges() {
        return exchanges.get();
    }

    /** Exchanges answered with a 2xx status. */
    long answeredOk() {
        return answeredOk.get();
    }

    /** Connections that failed (refused, reset, timed out), but for those {@link #close()} cut. */
    long failures() {
        return failures.get();
    }

    private void run() {
        long sent = 0;
        while (!stopped) {
            try (Socket socket = new Socket()) {
                open.add(socket);
                if (stopped) {
                    return;
                }
                socket.setTcpNoDelay(true);
                // Its port, in TIME_WAIT after the warm-up, must not keep the configuration's
                // listeners or the pair's session sync from binding the same number.
                socket.setReuseAddress(true);
                socket.setSoTimeout(READ_TIMEOUT_MILLIS);
                socket.connect(listener, READ_TIMEOUT_MILLIS);
                LoopbackHttp in = new LoopbackHttp(socket.getInputStream());
                OutputStream out = socket.getOutputStream();
                while (!stopped) {
                    boolean close = ++sent % 64 == 0;
                    out.write(request(sent, close));
                    LoopbackHttp.Head response = in.readHead();
                    if (response == null) {
                        break;
                    }
                    in.skipBody(response);
                    exchanges.incrementAndGet();
                    if (response.status() >= 200 && response.status() < 300) {
                        answeredOk.incrementAndGet();
                    }
                    if (close || response.closes()) {
                        break;
                    }
                }
            } catch (IOException | RuntimeException e) {
                if (stopped) {
                    return;
                }
                failures.incrementAndGet();
                pause();
            } finally {
                open.removeIf(Socket::isClosed);
            }
        }
    }

    private byte[] request(long sequence, boolean close) {
        StringBuilder request = new StringBuilder(256);
        boolean post = sequence % 16 == 7;
        boolean chunked = sequence % 32 == 15;
        request.append(post || chunked ? "POST" : "GET").append(" /warm-up/").append(sequence % 97)
                .append("?page=").append(sequence).append(" HTTP/1.1\r\n")
                .append("Host: ").append(host).append("\r\n")
                .append("User-Agent: amphora-warm-up\r\n")
                .append("Accept: */*\r\n")
                .append("Accept-Encoding: gzip, deflate\r\n")
                .append("Cookie: session=warm-up-").append(sequence % 13).append("\r\n");
        if (close) {
            request.append("Connection: close\r\n");
        }
        if (chunked) {
            request.append("Content-Type: application/x-www-form-urlencoded\r\n")
                    .append("Transfer-Encoding: chunked\r\n\r\n");
            return LoopbackHttp.concat(request.toString().getBytes(StandardCharsets.US_ASCII),
                    LoopbackHttp.chunked(FORM));
        }
        if (post) {
            request.append("Content-Type: application/x-www-form-urlencoded\r\n")
                    .append("Content-Length: ").append(FORM.length()).append("\r\n\r\n").append(FORM);
        } else {
            request.append("\r\n");
        }
        return request.toString().getBytes(StandardCharsets.US_ASCII);
    }

    /** After a failed connection: the next one not at once, not to spin on a listener that refuses. */
    private void pause() {
        try {
            Thread.sleep(20);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            stopped = true;
        }
    }

    /** Stops every client, cutting its connection, and waits for them; idempotent. */
    @Override
    public void close() {
        stopped = true;
        for (Socket socket : open) {
            try {
                socket.close();
            } catch (IOException e) {
                // already gone
            }
        }
        for (Thread thread : threads) {
            try {
                thread.join(READ_TIMEOUT_MILLIS * 2L);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
