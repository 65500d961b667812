package dev.lbaas.amphora;

import io.netty.util.concurrent.EventExecutor;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands the free heap back to the operating system once traffic stops: one collection when a
 * check finds no traffic since the previous one, after traffic (or the start) before it. Under
 * load the heap grows for throughput (see jvm.options); an idle load balancer should not keep it.
 *
 * <p>G1's periodic collection ({@code -XX:G1PeriodicGCInterval}) would also give it back, but it
 * runs a concurrent cycle every interval for as long as the amphora stays idle: a wake-up and a
 * few MiB of marking structures touched every 5 s on every quiet load balancer of a node, which
 * also made the idle amphora's resident memory jump by 1-10 MiB at each cycle. Here a load balancer
 * that stays idle is left alone after its one collection.
 *
 * <p>The collection is {@link System#gc()}, concurrent with {@code -XX:+ExplicitGCInvokesConcurrent}
 * (jvm.options), and runs on {@code collector}, never on an event loop: the caller waits for the cycle.
 */
public final class IdleHeapReturn {

    private static final Logger LOG = LoggerFactory.getLogger(IdleHeapReturn.class);

    /** How often traffic is checked: the heap goes back between one and two periods after traffic stops. */
    static final long CHECK_SECONDS = 5;

    private final LongSupplier traffic;
    private final Runnable collect;
    private long lastTraffic;
    /** Traffic moved since the last collection (or the start, whose heap goes back too). */
    private boolean usedSinceCollection = true;

    /**
     * @param traffic a count that moves while traffic flows (bytes through the listeners)
     * @param collect gives the free heap back
     */
    IdleHeapReturn(LongSupplier traffic, Runnable collect) {
        this.traffic = traffic;
        this.collect = collect;
        this.lastTraffic = traffic.getAsLong();
    }

    /** Checks every {@link #CHECK_SECONDS} on {@code loop}; collections run on {@code collector}. */
    static void start(EventExecutor loop, Executor collector, LongSupplier traffic) {
        IdleHeapReturn idle = new IdleHeapReturn(traffic, () -> collector.execute(() -> {
            LOG.debug("no traffic for {} s: giving the free heap back", CHECK_SECONDS);
            System.gc();
        }));
        loop.scheduleAtFixedRate(idle::check, CHECK_SECONDS, CHECK_SECONDS, TimeUnit.SECONDS);
    }

    /** One check: collects if no traffic moved since the previous check and some did before it. */
    void check() {
        long now = traffic.getAsLong();
        if (now != lastTraffic) {
            lastTraffic = now;
            usedSinceCollection = true;
        } else if (usedSinceCollection) {
            usedSinceCollection = false;
            collect.run();
        }
    }
}
