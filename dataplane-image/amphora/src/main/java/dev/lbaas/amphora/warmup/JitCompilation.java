package dev.lbaas.amphora.warmup;

import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.util.function.LongSupplier;

/**
 * The JIT compilers' time, as the JVM tells it, and when they count as settled: what both the
 * warm-up (when to stop) and the event loops' pinning (when to pin) wait for.
 */
public final class JitCompilation {

    /** Settled: the compilers worked less than this share of the time looked at. */
    static final double SETTLED_SHARE = 0.05;

    private JitCompilation() {
    }

    /** The compilers' total time so far in milliseconds, or null where this JVM does not tell it. */
    public static LongSupplier totalMillis() {
        CompilationMXBean compiler = ManagementFactory.getCompilationMXBean();
        if (compiler == null || !compiler.isCompilationTimeMonitoringSupported()) {
            return null;
        }
        return compiler::getTotalCompilationTime;
    }

    /** Whether compilers that worked {@code grewMillis} over {@code spanMillis} have settled. */
    public static boolean settled(long grewMillis, long spanMillis) {
        return grewMillis < SETTLED_SHARE * spanMillis;
    }
}
