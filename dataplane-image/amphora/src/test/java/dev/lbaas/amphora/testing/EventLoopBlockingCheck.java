package dev.lbaas.amphora.testing;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import java.util.ServiceLoader;
import reactor.blockhound.BlockHound;
import reactor.blockhound.integration.BlockHoundIntegration;

/**
 * Fails a test class during which an event loop thread made a blocking call (a sleep, a blocking
 * socket or file operation, a contended lock wait): one such call stalls every connection of that
 * event loop. BlockHound instruments the JDK's blocking methods; Netty's own integration declares
 * its event loop threads non-blocking and allows the few blocking calls Netty makes on purpose.
 * The violation is recorded rather than thrown, as a throw inside Netty would only be logged.
 */
public final class EventLoopBlockingCheck implements AfterAllCallback {

    private static final List<String> VIOLATIONS = new ArrayList<>();

    static {
        BlockHound.Builder builder = BlockHound.builder();
        // builder() starts empty; install() would load these itself
        ServiceLoader.load(BlockHoundIntegration.class).forEach(builder::with);
        // Handing work to another thread takes a queue's lock for a few instructions; a contended
        // lock parks for as long, which is no I/O wait. The log queue never waits for room, and the
        // ICMP probes' pool only hands the probe over.
        builder.allowBlockingCallsInside("ch.qos.logback.core.AsyncAppenderBase", "append");
        builder.allowBlockingCallsInside("java.util.concurrent.ThreadPoolExecutor", "execute");
        // An io_uring event loop that shuts down spins until its ring's last wake-up completes:
        // its connections are closed by then, so nothing waits on it.
        builder.allowBlockingCallsInside("io.netty.channel.uring.IoUringIoHandler", "destroy");
        builder.blockingMethodCallback(method -> {
            StringBuilder where = new StringBuilder(Thread.currentThread().getName() + ": " + method);
            for (StackTraceElement frame : new Throwable().getStackTrace()) {
                where.append("\n\tat ").append(frame);
            }
            synchronized (VIOLATIONS) {
                VIOLATIONS.add(where.toString());
            }
        }).install();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        assertNoBlockingCall(context.getDisplayName());
    }

    /** Fails when an event loop blocked since the last check; for test engines other than JUnit Jupiter's. */
    public static void assertNoBlockingCall(String during) {
        List<String> found;
        synchronized (VIOLATIONS) {
            found = new ArrayList<>(VIOLATIONS);
            VIOLATIONS.clear();
        }
        if (!found.isEmpty()) {
            throw new AssertionError(found.size() + " blocking call(s) on an event loop during "
                    + during + ":\n" + String.join("\n\n", found));
        }
    }
}
