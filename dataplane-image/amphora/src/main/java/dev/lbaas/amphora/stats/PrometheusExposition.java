package dev.lbaas.amphora.stats;

import dev.lbaas.amphora.config.ListenerConfig;
import dev.lbaas.amphora.config.MemberConfig;
import dev.lbaas.amphora.config.MemberHealth;
import dev.lbaas.amphora.config.PoolConfig;
import dev.lbaas.amphora.config.TrafficStats;
import dev.lbaas.amphora.stats.MetricsSample.ListenerSample;
import dev.lbaas.amphora.stats.MetricsSample.MemberSample;
import dev.lbaas.amphora.stats.MetricsSample.PoolSample;
import io.netty.util.internal.PlatformDependent;
import io.prometheus.metrics.config.EscapingScheme;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The load balancer's metrics in the Prometheus text exposition format, as the PROMETHEUS
 * listener serves them.
 *
 * <p>Names follow what Octavia's amphora exposes on its PROMETHEUS listener (Octavia 2023.2 and
 * later): Octavia's {@code octavia/cmd/prometheus_proxy.py} renames HAProxy's exporter metrics
 * to {@code octavia_loadbalancer_*}, {@code octavia_listener_*}, {@code octavia_pool_*} and
 * {@code octavia_member_*}, labelled {@code listener}, {@code pool} and {@code member} by object id,
 * and adds {@code octavia_loadbalancer_cpu} and {@code octavia_loadbalancer_memory}. We keep those
 * names and labels so that dashboards built for Octavia work, and add {@code *_name} labels.
 * Status gauges carry a {@code state} label, one series per state with 1 on the current one, as
 * HAProxy 2.4 and later export them. What Octavia has no name for is under {@code lbaas_*}.
 * docs/metrics.md lists every metric.
 *
 * <p>Rendering reads counters, the runtime and the operating system bean only (whose figures come
 * from procfs, which never waits on a disk), so it may run on an event loop. The heap and direct
 * memory figures avoid the other JMX beans on purpose: loading them costs the idle process about
 * 3 MiB of resident memory, and its footprint is what an amphora is sized by.
 */
public final class PrometheusExposition {

    public static final String CONTENT_TYPE = PrometheusTextFormatWriter.CONTENT_TYPE;

    private static final PrometheusTextFormatWriter WRITER = PrometheusTextFormatWriter.create();

    /** When the amphora process started, read once (the operating system knows it; no JMX needed). */
    private static final Instant PROCESS_START = ProcessHandle.current().info().startInstant().orElse(Instant.now());

    private PrometheusExposition() {
    }

    public static void write(MetricsSample sample, OutputStream out) throws IOException {
        WRITER.write(out, snapshots(sample), EscapingScheme.UNDERSCORE_ESCAPING);
    }

    static MetricSnapshots snapshots(MetricsSample sample) {
        Metrics metrics = new Metrics();
        loadBalancer(sample, metrics);
        amphora(sample, metrics);
        for (ListenerSample listener : sample.listeners()) {
            listener(listener, metrics);
        }
        for (PoolSample pool : sample.pools()) {
            pool(pool, metrics);
            for (MemberSample member : pool.members()) {
                member(pool.config(), member, metrics);
            }
        }
        return metrics.build();
    }

    private static void loadBalancer(MetricsSample sample, Metrics metrics) {
        OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
        double load = os.getSystemLoadAverage();
        if (load >= 0) {
            metrics.gauge("octavia_loadbalancer_cpu", "Load balancer CPU utilization (percentage).", Labels.EMPTY,
                    load / os.getAvailableProcessors() * 100);
        }
        if (os instanceof com.sun.management.OperatingSystemMXBean memory && memory.getTotalMemorySize() > 0) {
            // the JDK reads the container's limit when there is one, as Octavia reads the VM's memory
            double used = memory.getTotalMemorySize() - memory.getFreeMemorySize();
            metrics.gauge("octavia_loadbalancer_memory", "Load balancer memory utilization (percentage).",
                    Labels.EMPTY, used / memory.getTotalMemorySize() * 100);
        }
        long active = 0;
        long total = 0;
        long serving = 0;
        for (ListenerSample listener : sample.listeners()) {
            active += listener.counters().activeConnections();
            total += listener.counters().snapshot().totalConnections();
            serving += listener.serving() ? 1 : 0;
        }
        metrics.gauge("octavia_loadbalancer_current_connections", "Number of active connections.", Labels.EMPTY,
                active);
        metrics.counter("octavia_loadbalancer_connections", "Total number of connections accepted by the listeners.",
                Labels.EMPTY, total);
        metrics.gauge("octavia_loadbalancer_listeners", "Number of listeners serving.", Labels.EMPTY, serving);
    }

    private static void amphora(MetricsSample sample, Metrics metrics) {
        metrics.gauge("lbaas_amphora_config_generation", "The configuration generation the amphora serves.",
                Labels.EMPTY, sample.appliedGeneration());
        metrics.gauge("lbaas_amphora_uptime_seconds", "Seconds since the amphora process started.", Labels.EMPTY,
                Duration.between(PROCESS_START, Instant.now()).toMillis() / 1000.0);
        Runtime runtime = Runtime.getRuntime();
        metrics.gauge("lbaas_amphora_heap_used_bytes", "JVM heap in use (live objects and garbage not yet"
                + " collected), in bytes.", Labels.EMPTY, runtime.totalMemory() - runtime.freeMemory());
        metrics.gauge("lbaas_amphora_direct_memory_used_bytes",
                "Direct (off-heap) buffer memory in use, in bytes.", Labels.EMPTY,
                directMemoryUsed());
    }

    /**
     * Netty counts the direct memory it allocates itself, where almost all of the amphora's direct
     * memory is; only when it leaves that to the JDK (it answers -1) is the JDK's "direct" buffer
     * pool asked.
     */
    private static long directMemoryUsed() {
        long nettyUsed = PlatformDependent.usedDirectMemory();
        if (nettyUsed >= 0) {
            return nettyUsed;
        }
        long used = 0;
        for (BufferPoolMXBean pool : ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class)) {
            if (pool.getName().equals("direct")) {
                used += pool.getMemoryUsed();
            }
        }
        return used;
    }

    private static void listener(ListenerSample sample, Metrics metrics) {
        ListenerConfig config = sample.config();
        Labels labels = Labels.of("listener", config.id(), "listener_name", config.name());
        TrafficCounters counters = sample.counters();
        TrafficStats stats = counters.snapshot();
        String state = !sample.serving() ? "STOP" : sample.atConnectionLimit() ? "FULL" : "OPEN";
        metrics.states("octavia_listener_status", "Current status of the listener.", labels,
                List.of("OPEN", "FULL", "STOP"), state);
        metrics.gauge("lbaas_listener_at_connection_limit",
                "1 while the listener holds connectionLimit connections, else 0.", labels,
                sample.atConnectionLimit() ? 1 : 0);
        metrics.gauge("octavia_listener_current_sessions", "Number of current client connections.", labels,
                stats.activeConnections());
        metrics.gauge("octavia_listener_limit_sessions", "Configured connection limit, -1 for none.", labels,
                config.connectionLimit());
        metrics.counter("octavia_listener_sessions", "Total number of client connections served.", labels,
                stats.totalConnections());
        metrics.counter("octavia_listener_connections",
                "Total number of client connections, including those denied.", labels,
                stats.totalConnections() + counters.deniedConnections());
        metrics.counter("octavia_listener_denied_connections",
                "Total number of client connections denied (allowed CIDRs, connection limit).", labels,
                counters.deniedConnections());
        metrics.counter("octavia_listener_bytes_in", "Total number of bytes received from clients.", labels,
                stats.bytesIn());
        metrics.counter("octavia_listener_bytes_out", "Total number of bytes sent to clients.", labels,
                stats.bytesOut());
        metrics.counter("octavia_listener_request_errors",
                "Total number of requests that failed (the amphora's own error answers, failed member"
                        + " connections, member timeouts).", labels, stats.requestErrors());
    }

    private static void pool(PoolSample sample, Metrics metrics) {
        PoolConfig config = sample.config();
        Labels labels = Labels.of("pool", config.id(), "pool_name", config.name());
        TrafficCounters counters = sample.counters();
        TrafficStats stats = counters.snapshot();
        long active = sample.members().stream().filter(m -> m.takesNewConnections() && !m.config().backup()).count();
        long backup = sample.members().stream().filter(m -> m.takesNewConnections() && m.config().backup()).count();
        metrics.states("octavia_pool_status", "Current status of the pool.", labels, List.of("UP", "DOWN"),
                config.adminStateUp() && active + backup > 0 ? "UP" : "DOWN");
        metrics.gauge("octavia_pool_active_members", "Current number of active members.", labels, active);
        metrics.gauge("octavia_pool_backup_members", "Current number of backup members taking traffic if needed.",
                labels, backup);
        sessionsAndBytes("octavia_pool", labels, counters, stats, metrics);
    }

    private static void member(PoolConfig pool, MemberSample sample, Metrics metrics) {
        MemberConfig config = sample.config();
        Labels labels = Labels.of("pool", pool.id(), "member", config.id(), "member_name", config.name());
        TrafficCounters counters = sample.counters();
        TrafficStats stats = counters.snapshot();
        metrics.states("octavia_member_status", "Current status of the member.", labels,
                List.of("UP", "DOWN", "MAINT", "DRAIN"), memberState(sample));
        metrics.states("lbaas_member_health", "What the health monitor concluded about the member.", labels,
                List.of(MemberHealth.values()).stream().map(Enum::name).toList(), sample.health().name());
        metrics.gauge("octavia_member_weight", "Member weight.", labels, config.weight());
        sessionsAndBytes("octavia_member", labels, counters, stats, metrics);
    }

    private static String memberState(MemberSample sample) {
        if (!sample.config().adminStateUp()) {
            return "MAINT";
        }
        if (sample.health() == MemberHealth.DOWN) {
            return "DOWN";
        }
        return sample.config().weight() == 0 ? "DRAIN" : "UP";
    }

    /** The figures pools and members share; "in" is towards the members. */
    private static void sessionsAndBytes(String prefix, Labels labels, TrafficCounters counters,
            TrafficStats stats, Metrics metrics) {
        metrics.gauge(prefix + "_current_sessions",
                "Number of current sessions (member connections on TCP, requests in flight on HTTP).", labels,
                stats.activeConnections());
        metrics.counter(prefix + "_sessions", "Total number of sessions.", labels, stats.totalConnections());
        metrics.counter(prefix + "_bytes_in", "Total number of bytes sent to members.", labels, stats.bytesIn());
        metrics.counter(prefix + "_bytes_out", "Total number of bytes received from members.", labels,
                stats.bytesOut());
        metrics.counter(prefix + "_connection_errors", "Total number of failed or timed out member connections.",
                labels, counters.connectErrors());
        metrics.counter(prefix + "_response_errors",
                "Total number of requests that failed otherwise (no answer in time, an invalid or cut answer,"
                        + " no member to take it).", labels, counters.otherRequestErrors());
    }

    /** Collects data points by metric name, keeping the order in which metrics first appear. */
    private static final class Metrics {

        /** One metric: a counter's points or a gauge's, never both. */
        private record Family(String help, List<CounterDataPointSnapshot> counterPoints,
                List<GaugeDataPointSnapshot> gaugePoints) {
        }

        private final Map<String, Family> families = new LinkedHashMap<>();

        void gauge(String name, String help, Labels labels, double value) {
            family(name, help).gaugePoints().add(GaugeDataPointSnapshot.builder().labels(labels).value(value).build());
        }

        /** @param name without the {@code _total} suffix, which the text format adds */
        void counter(String name, String help, Labels labels, double value) {
            family(name, help).counterPoints().add(
                    CounterDataPointSnapshot.builder().labels(labels).value(value).build());
        }

        /** One series per state, 1 on the current state and 0 on the others. */
        void states(String name, String help, Labels labels, List<String> states, String current) {
            for (String state : states) {
                gauge(name, help, labels.add("state", state), state.equals(current) ? 1 : 0);
            }
        }

        private Family family(String name, String help) {
            return families.computeIfAbsent(name, n -> new Family(help, new ArrayList<>(), new ArrayList<>()));
        }

        MetricSnapshots build() {
            List<MetricSnapshot> snapshots = new ArrayList<>();
            families.forEach((name, family) -> {
                if (family.counterPoints().isEmpty()) {
                    GaugeSnapshot.Builder gauge = GaugeSnapshot.builder().name(name).help(family.help());
                    family.gaugePoints().forEach(gauge::dataPoint);
                    snapshots.add(gauge.build());
                } else {
                    CounterSnapshot.Builder counter = CounterSnapshot.builder().name(name).help(family.help());
                    family.counterPoints().forEach(counter::dataPoint);
                    snapshots.add(counter.build());
                }
            });
            return new MetricSnapshots(snapshots);
        }
    }
}
