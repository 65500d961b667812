package dev.lbaas.amphora;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.NativeLong;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
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
     * A thread factory for the event loops: Netty's, named {@code amphora-loop-N}, each thread
     * pinned to its CPU of {@link #plan} before it runs its loop.
     *
     * @param loops the number of event loops the factory will make threads for
     */
    public static ThreadFactory eventLoopThreads(Mode mode, int loops) {
        DefaultThreadFactory netty = new DefaultThreadFactory("amphora-loop");
        List<Integer> allowed = allowedCpus();
        List<Integer> cpus = plan(mode, loops, allowed);
        if (cpus.isEmpty()) {
            LOG.info("event loops not pinned to CPUs (--cpu-affinity {}, {} loops, allowed CPUs {})",
                    mode.name().toLowerCase(Locale.ROOT), loops, allowed.isEmpty() ? "unknown" : allowed);
            return netty;
        }
        try {
            // Binding libc reads the linker's search path (JNA runs ldconfig): done here, once, and
            // not on an event loop, where only the system call itself remains.
            LibC.bind();
        } catch (RuntimeException | LinkageError e) {
            // No JNA native library for this platform, or no file system to unpack it to.
            LOG.warn("event loops not pinned to CPUs: libc cannot be called ({})", e.toString());
            return netty;
        }
        LOG.info("event loops pinned one to a CPU, to CPUs {} (--cpu-affinity {})", cpus,
                mode.name().toLowerCase(Locale.ROOT));
        AtomicInteger started = new AtomicInteger();
        return task -> netty.newThread(() -> {
            int cpu = cpus.get(started.getAndIncrement() % cpus.size());
            try {
                pinCurrentThread(cpu);
            } catch (RuntimeException e) {
                // A seccomp filter or a cpuset changed meanwhile: the loop runs where the kernel puts it.
                LOG.warn("event loop {} cannot be pinned to CPU {}: {}", Thread.currentThread().getName(), cpu,
                        e.getMessage());
            }
            task.run();
        });
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
