package dev.lbaas.amphora;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.NativeLong;
import dev.lbaas.amphora.warmup.JitCompilation;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which CPU each event loop runs on.
 *
 * <p>Left to the kernel, two busy event loops can end up time-sharing one CPU while the other CPUs
 * run the load balancer's neighbours (its clients, its members, other pods). Neither loop then
 * sleeps, as each finds a backlog when its turn comes, so the scheduler never has a wake-up at which
 * to move one of them, and they take turns a whole scheduler tick (4 ms at 250 Hz) at a time: every
 * connection of the loop that waits gets 4 ms of latency. Measured on two CPUs with two loops, one
 * tenth of the loops' running time went by in such stretches, which made the HTTP p99 latency
 * three times HAProxy's. A loop pinned to a CPU of its own cannot meet another loop there. This is
 * what nginx's {@code worker_cpu_affinity} and HAProxy's {@code cpu-map} do.
 *
 * <p>Pinning has a cost where CPUs are shared: a pinned loop cannot move to an idle CPU when a
 * neighbour hogs its own. So by default ({@link Mode#AUTO}) the loops are pinned only when the
 * process may use exactly as many CPUs as it has loops (a cpuset such as a dedicated virtual
 * machine's, {@code taskset}, or Kubernetes' static CPU manager gives it), one loop per CPU; with
 * more CPUs than loops the kernel has idle CPUs to spread them over. {@link Mode#ON} pins whenever
 * possible, round robin over the allowed CPUs; {@link Mode#OFF} never does.
 */
public final class CpuAffinity {

    private static final Logger LOG = LoggerFactory.getLogger(CpuAffinity.class);

    public enum Mode {
        AUTO,
        ON,
        OFF;

        /** Parses {@code auto}, {@code on} or {@code off}; throws IllegalArgumentException naming the option. */
        public static Mode parse(String value) {
            try {
                return valueOf(value.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--cpu-affinity must be auto, on or off, got " + value);
            }
        }
    }

    private CpuAffinity() {
    }

    /**
     * The event loops' CPUs, if they are to be pinned: decided and logged once, before the loops
     * start.
     *
     * @param loops the number of event loops
     */
    public static Plan plan(Mode mode, int loops) {
        List<Integer> allowed = allowedCpus();
        List<Integer> cpus = plan(mode, loops, allowed);
        if (cpus.isEmpty()) {
            LOG.info("event loops not pinned to CPUs (--cpu-affinity {}, {} loops, allowed CPUs {})",
                    mode.name().toLowerCase(Locale.ROOT), loops, allowed.isEmpty() ? "unknown" : allowed);
            return new Plan(List.of());
        }
        try {
            // Binding libc reads the linker's search path (JNA runs ldconfig): done here, once, and
            // not on an event loop, where only the system call itself remains.
            LibC.bind();
        } catch (RuntimeException | LinkageError e) {
            // No JNA native library for this platform, or no file system to unpack it to.
            LOG.warn("event loops not pinned to CPUs: libc cannot be called ({})", e.toString());
            return new Plan(List.of());
        }
        LOG.info("event loops to be pinned one to a CPU, to CPUs {} (--cpu-affinity {}), once traffic flows and "
                + "the JIT compilers have settled", cpus, mode.name().toLowerCase(Locale.ROOT));
        return new Plan(cpus);
    }

    /**
     * The event loops' CPUs, and when they take them.
     *
     * <p>Not from their start: a fresh amphora's first traffic has the JIT compilers recompile what
     * the warm-up compiled differently, for seconds of a CPU. With every CPU of the process held by a
     * pinned event loop, the compiler thread gets only a share of a CPU, takes several times as long,
     * and a new amphora's tail latency stays high for as long; with the loops still free to move,
     * the kernel makes room for it (docs/benchmark.md has the measurements). So the loops are pinned
     * once traffic flows and the compilers have settled: the time-sharing that pinning prevents is a
     * matter of the steady state.
     *
     * @param cpus the CPU of each event loop, in the group's order; empty for none
     */
    public record Plan(List<Integer> cpus) {

        /** How often the compilers and the traffic are looked at. */
        static final long CHECK_MILLIS = 500;
        /** Checks in a row with traffic flowing and the compilers settled before the loops are pinned. */
        static final int SETTLED_CHECKS = 2;

        public Plan {
            cpus = List.copyOf(cpus);
        }

        public boolean pins() {
            return !cpus.isEmpty();
        }

        /**
         * Pins the loops of {@code group}, each in its own thread, once {@code traffic} has moved and
         * the JIT compilers have settled over {@link #SETTLED_CHECKS} checks in a row; at once where
         * the JVM does not tell its compilation time. Nothing without CPUs to pin to.
         *
         * @param traffic a count that moves while the load balancer's traffic flows
         */
        public void pinOnceWarm(EventLoopGroup group, LongSupplier traffic) {
            if (!pins()) {
                return;
            }
            LongSupplier compilationMillis = JitCompilation.totalMillis();
            if (compilationMillis == null) {
                pin(group);
                return;
            }
            WarmCheck check = new WarmCheck(traffic, compilationMillis);
            EventExecutor checker = group.next();
            ScheduledFuture<?>[] schedule = new ScheduledFuture<?>[1];
            schedule[0] = checker.scheduleAtFixedRate(() -> {
                if (check.warm()) {
                    schedule[0].cancel(false);
                    pin(group);
                }
            }, CHECK_MILLIS, CHECK_MILLIS, TimeUnit.MILLISECONDS);
        }

        private void pin(EventLoopGroup group) {
            int index = 0;
            for (EventExecutor loop : group) {
                int cpu = cpus.get(index++ % cpus.size());
                loop.execute(() -> {
                    try {
                        pinCurrentThread(cpu);
                        LOG.info("event loop {} pinned to CPU {}", Thread.currentThread().getName(), cpu);
                    } catch (RuntimeException e) {
                        // A seccomp filter or a cpuset changed meanwhile: the loop runs where the kernel puts it.
                        LOG.warn("event loop {} cannot be pinned to CPU {}: {}", Thread.currentThread().getName(),
                                cpu, e.getMessage());
                    }
                });
            }
        }
    }

    /** Whether a fresh amphora has warmed: traffic flowing, and the compilers settled, checks in a row. */
    static final class WarmCheck {

        private final LongSupplier traffic;
        private final LongSupplier compilationMillis;
        private long lastTraffic;
        private long lastCompilation;
        private int settledChecks;

        WarmCheck(LongSupplier traffic, LongSupplier compilationMillis) {
            this.traffic = traffic;
            this.compilationMillis = compilationMillis;
            this.lastTraffic = traffic.getAsLong();
            this.lastCompilation = compilationMillis.getAsLong();
        }

        /** One check, every {@link Plan#CHECK_MILLIS}: true once warm. */
        boolean warm() {
            long nowTraffic = traffic.getAsLong();
            long nowCompilation = compilationMillis.getAsLong();
            boolean flowing = nowTraffic != lastTraffic;
            boolean settled = JitCompilation.settled(nowCompilation - lastCompilation, Plan.CHECK_MILLIS);
            lastTraffic = nowTraffic;
            lastCompilation = nowCompilation;
            settledChecks = flowing && settled ? settledChecks + 1 : 0;
            return settledChecks >= Plan.SETTLED_CHECKS;
        }
    }

    /**
     * The CPU of each event loop in the order the loops start, or an empty list when the loops are
     * left to the kernel.
     *
     * @param allowed the CPUs the process may run on; empty when unknown (not Linux)
     */
    static List<Integer> plan(Mode mode, int loops, List<Integer> allowed) {
        if (mode == Mode.OFF || allowed.isEmpty() || loops < 1) {
            return List.of();
        }
        if (mode == Mode.AUTO && loops != allowed.size()) {
            return List.of();
        }
        List<Integer> cpus = new ArrayList<>(loops);
        for (int i = 0; i < loops; i++) {
            cpus.add(allowed.get(i % allowed.size()));
        }
        return List.copyOf(cpus);
    }

    /** The CPUs the calling thread may run on, as Linux reports them; empty where it does not. */
    static List<Integer> allowedCpus() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/thread-self/status"))) {
                if (line.startsWith("Cpus_allowed_list:")) {
                    return parseCpuList(line.substring("Cpus_allowed_list:".length()).trim());
                }
            }
        } catch (IOException | RuntimeException e) {
            LOG.debug("the allowed CPUs cannot be read", e);
        }
        return List.of();
    }

    /** Parses Linux's CPU list format, such as {@code 0-3,8,10-11}. */
    static List<Integer> parseCpuList(String list) {
        List<Integer> cpus = new ArrayList<>();
        for (String range : list.split(",")) {
            if (range.isBlank()) {
                continue;
            }
            int dash = range.indexOf('-');
            int first = Integer.parseInt(range.substring(0, dash < 0 ? range.length() : dash).trim());
            int last = dash < 0 ? first : Integer.parseInt(range.substring(dash + 1).trim());
            if (first < 0 || last < first) {
                throw new IllegalArgumentException("not a CPU range: " + range);
            }
            for (int cpu = first; cpu <= last; cpu++) {
                cpus.add(cpu);
            }
        }
        return List.copyOf(cpus);
    }

    /** Restricts the calling thread to one CPU; throws when the kernel refuses. */
    static void pinCurrentThread(int cpu) {
        long[] mask = new long[cpu / Long.SIZE + 1];
        mask[cpu / Long.SIZE] = 1L << (cpu % Long.SIZE);
        try {
            // pid 0: the calling thread
            LibC.INSTANCE.sched_setaffinity(0, new NativeLong((long) mask.length * Long.BYTES), mask);
        } catch (LastErrorException e) {
            throw new IllegalStateException("sched_setaffinity to CPU " + cpu + " failed, errno " + e.getErrorCode(), e);
        }
    }

    /** Bound only when loops are to be pinned, so that an amphora that pins nothing never loads JNA. */
    private interface LibC extends Library {
        LibC INSTANCE = Native.load("c", LibC.class);

        /** Binds libc now, on the calling thread. */
        static void bind() {
            Objects.requireNonNull(INSTANCE);
        }

        int sched_setaffinity(int pid, NativeLong cpusetsize, long[] mask) throws LastErrorException;
    }
}
