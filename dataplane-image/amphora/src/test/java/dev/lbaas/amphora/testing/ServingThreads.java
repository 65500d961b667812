package dev.lbaas.amphora.testing;

import java.io.Closeable;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Function;

/**
 * The threads of a blocking test server: one accepts until its server socket closes, and each
 * accepted connection is served on a thread of its own. A connection that arrives while the server
 * closes is closed rather than served: nothing may throw from a thread the test does not own,
 * because Awaitility rethrows such an exception into whatever the test awaits next.
 */
public final class ServingThreads implements AutoCloseable {

    private final ExecutorService threads = Executors.newCachedThreadPool();
    private final List<ServerSocket> servers = new CopyOnWriteArrayList<>();

    /**
     * Accepts on {@code server} until it closes. {@code onAccept} runs on the accepting thread, so
     * connections are seen in the order they came; the task it returns, if any, serves the
     * connection on a thread of its own.
     */
    public void accept(ServerSocket server, Function<Socket, Runnable> onAccept) {
        servers.add(server);
        spawn(() -> {
            while (!server.isClosed()) {
                Socket socket;
                try {
                    socket = server.accept();
                } catch (IOException closed) {
                    return;
                }
                Runnable serve = onAccept.apply(socket);
                if (serve != null) {
                    spawn(serve, socket);
                }
            }
        });
    }

    /** Runs {@code task} on a thread of its own; once closing, closes {@code orElseClose} instead. */
    public void spawn(Runnable task, Closeable... orElseClose) {
        try {
            threads.execute(task);
        } catch (RejectedExecutionException closing) {
            for (Closeable closeable : orElseClose) {
                closeQuietly(closeable);
            }
        }
    }

    public static void closeQuietly(Closeable closeable) {
        try {
            closeable.close();
        } catch (IOException e) {
            // closed already
        }
    }

    /** Closes every server socket handed to {@link #accept} and interrupts every thread. */
    @Override
    public void close() {
        servers.forEach(ServingThreads::closeQuietly);
        threads.shutdownNow();
    }
}
