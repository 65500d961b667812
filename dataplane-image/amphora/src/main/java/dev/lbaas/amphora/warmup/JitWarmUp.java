package dev.lbaas.amphora.warmup;

import dev.lbaas.amphora.balancing.MemberPicker;
import dev.lbaas.amphora.balancing.Pool;
import dev.lbaas.amphora.balancing.PoolMember;
import dev.lbaas.amphora.balancing.StickTables;
import dev.lbaas.amphora.config.AmphoraConfig;
import dev.lbaas.amphora.config.ListenerConfig;
import dev.lbaas.amphora.config.ListenerProtocol;
import dev.lbaas.amphora.config.MemberConfig;
import dev.lbaas.amphora.config.PoolConfig;
import dev.lbaas.amphora.config.PoolProtocol;
import dev.lbaas.amphora.health.HealthMonitors;
import dev.lbaas.amphora.health.MemberTarget;
import dev.lbaas.amphora.l7.L7Router;
import dev.lbaas.amphora.proxy.ListenerRuntime;
import dev.lbaas.amphora.proxy.ListenerSlot;
import dev.lbaas.amphora.proxy.http.MemberConnectionPools;
import dev.lbaas.amphora.proxy.http.ProxyHeaders;
import dev.lbaas.amphora.stats.MetricsSample;
import dev.lbaas.amphora.stats.StatsRegistry;
import io.netty.channel.ChannelFuture;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Compiles the proxy's hot code before the VIP is served: a freshly started amphora (a replaced
 * pod, a new load balancer, a pair's second amphora) would otherwise answer its first thousands of
 * requests from the interpreter while the JIT compilers take a CPU from the event loops, its tail
 * latency several times that of a warm one.
 *
 * <p>The first configuration with HTTP or TCP listeners of an amphora, before it serves any
 * listener, is first served on loopback: one listener of each kind (HTTP and TERMINATED_HTTPS; TCP
 * and HTTPS passed through) with what shapes its code paths as configured (headers to insert, L7 policies,
 * timeouts, its pools' balancing and session persistence), on the amphora's own event loops and
 * transport, but in plain text, without connection limit or allowed networks, and with every
 * pool's members replaced by one member of the warm-up's own on loopback, with clients of its own.
 * Traffic runs until the JIT's compilation time stops growing, the budget is spent or the data
 * plane closes; then everything of the warm-up is closed and the configuration binds the VIP.
 * Users' members never see a byte of it, and nothing it counts reaches the load balancer's
 * statistics, session tables or idle member connections.
 *
 * <p>The amphorae of an ACTIVE_STANDBY pair warm too, before they join the pair: a standby keeps
 * what was compiled until it is promoted, and binds the VIP's listeners only then.
 *
 * <p>Left out: TLS termination, HTTP/2 and TLS towards members, and UDP, whose own code is a
 * smaller part of a request's cost; kinds of listener a load balancer gets after it first served.
 */
public final class JitWarmUp {

    private static final Logger LOG = LoggerFactory.getLogger(JitWarmUp.class);

    /** The two kinds of listener whose code paths differ: each is warmed once per process. */
    private enum Kind {
        HTTP, TCP;

        static Kind of(ListenerProtocol protocol) {
            return switch (protocol) {
                case HTTP, TERMINATED_HTTPS -> HTTP;
                // HTTPS passes through as bytes, on the TCP listener's code
                case TCP, HTTPS -> TCP;
                default -> null;
            };
        }
    }

    /** Clients for the whole warm-up, spread over its listeners: enough to keep every loop busy. */
    private static final int CLIENTS = 4;
    private static final long SAMPLE_MILLIS = 250;
    /** How often the warm-up looks at the clock and whether it is to stop. */
    private static final long LOOK_MILLIS = 50;
    /** Kept for closing the clients and listeners within the budget. */
    private static final long CLOSING_MILLIS = 200;
    /** Warmed for at least this long, whatever the compilers do. */
    private static final long MIN_MILLIS = 1_000;
    private static final String MEMBER_ID = "warm-up-member";

    private final EventLoopGroup group;
    private final Duration budget;
    private final Supplier<MetricsSample> metrics;
    private final Set<Kind> warmed = EnumSet.noneOf(Kind.class);
    private final List<Run> runs = new CopyOnWriteArrayList<>();
    /** Set when the data plane closes: a warm-up in progress ends at its next look. */
    private volatile boolean stopped;

    /**
     * One warm-up, as it went.
     *
     * @param listenerIds the configured listeners it served on loopback
     * @param addresses where on loopback it served them (closed since)
     * @param memberAddress where its member listened (closed since)
     * @param exchanges requests answered through them, whatever their status
     * @param answeredOk those answered with a 2xx status, as the warm-up's member answers: the
     *     others were answered by the listener itself (no pool, a policy that rejects or redirects)
     * @param memberConnections connections the member accepted: kept alive and pooled, far fewer
     *     than the exchanges
     * @param failedConnections warm-up connections refused, reset or timed out
     * @param millis how long it held the configuration back
     * @param ended why it ended: the compilers settled, or the budget was spent
     */
    public record Run(List<String> listenerIds, List<InetSocketAddress> addresses, InetSocketAddress memberAddress,
            long exchanges, long answeredOk,
            long memberConnections, long failedConnections, long millis, String ended) {
    }

    /**
     * @param budget the longest a warm-up may hold back the first configuration; zero for none
     * @param metrics what a listener's runtime serves as metrics (unused by the kinds warmed)
     */
    public JitWarmUp(EventLoopGroup group, Duration budget, Supplier<MetricsSample> metrics) {
        this.group = group;
        this.budget = budget;
        this.metrics = metrics;
    }

    /** Exchanges of every warm-up so far: traffic, for whoever gives the heap back once traffic stops. */
    public long exchanges() {
        return runs.stream().mapToLong(Run::exchanges).sum();
    }

    /** The warm-ups run so far, oldest first. */
    public List<Run> runs() {
        return List.copyOf(runs);
    }

    /** Ends a warm-up in progress at its next look, and any later one at once. */
    public void stop() {
        stopped = true;
    }

    /**
     * Warms the kinds of listener of {@code config} not yet warmed, within the budget. The caller
     * asks only while the amphora serves no listener yet: a warm-up holds the configuration thread.
     * Never fails: a warm-up that cannot run is logged and skipped, and the configuration goes on.
     */
    public void warm(AmphoraConfig config) {
        if (budget.isZero() || stopped || !config.adminStateUp()) {
            return;
        }
        // One listener of each kind, listeners of a kind running the same code: the first with a
        // default pool, whose requests go the whole way to a member, else the first.
        Map<Kind, ListenerConfig> listeners = new EnumMap<>(Kind.class);
        for (ListenerConfig listener : config.listeners()) {
            Kind kind = Kind.of(listener.protocol());
            if (kind != null && listener.adminStateUp() && !warmed.contains(kind)) {
                ListenerConfig chosen = listeners.get(kind);
                if (chosen == null || chosen.defaultPoolId() == null && listener.defaultPoolId() != null) {
                    listeners.put(kind, listener);
                }
            }
        }
        if (listeners.isEmpty()) {
            return;
        }
        // Tried once: a kind that failed to warm is not held against every later configuration.
        warmed.addAll(listeners.keySet());
        try {
            run(config, listeners);
        } catch (IOException | RuntimeException | OutOfMemoryError e) {
            // OutOfMemoryError: a thread the process may not start; the configuration is served cold
            LOG.warn("JIT warm-up skipped: {}", e.toString());
        }
    }

    private void run(AmphoraConfig config, Map<Kind, ListenerConfig> listeners) throws IOException {
        long start = System.nanoTime();
        InetAddress loopback = InetAddress.getLoopbackAddress();
        StatsRegistry stats = new StatsRegistry();
        StickTables stickTables = new StickTables();
        MemberConnectionPools memberConnections = new MemberConnectionPools();
        ChannelGroup connections = new DefaultChannelGroup("warm-up", GlobalEventExecutor.INSTANCE);
        HealthMonitors health = new HealthMonitors(group, () -> { });
        Map<Kind, ListenerSlot> slots = new EnumMap<>(Kind.class);
        List<LoopbackClients> clients = new ArrayList<>();
        LoopbackMember member = new LoopbackMember(loopback);
        try {
            MemberConfig memberConfig = new MemberConfig(MEMBER_ID, MEMBER_ID,
                    member.address().getAddress().getHostAddress(), member.address().getPort(), 1, false, true, null,
                    null);
            HealthMonitors.Plan plan = health.plan(List.of(MemberTarget.unmonitored(MEMBER_ID, MEMBER_ID,
                    member.address())));
            plan.commit();
            List<PoolMember> loopbackMembers = new ArrayList<>();
            for (var entry : listeners.entrySet()) {
                ListenerConfig listener = entry.getValue();
                ListenerConfig served = served(listener);
                Map<String, Pool> pools = new LinkedHashMap<>();
                for (PoolConfig pool : config.pools()) {
                    PoolConfig loopbackPool = loopbackPool(pool, memberConfig, listener.protocol().readsHttp());
                    PoolMember poolMember = new PoolMember(memberConfig, member.address(), plan.tracker(MEMBER_ID),
                            stats.member(pool.id(), MEMBER_ID));
                    List<PoolMember> members = List.of(poolMember);
                    loopbackMembers.add(poolMember);
                    pools.put(pool.id(), new Pool(loopbackPool, members,
                            MemberPicker.create(pool.lbAlgorithm(), members, () -> 1),
                            stats.pool(pool.id()), stickTables.persistence(loopbackPool, members)));
                }
                ListenerRuntime runtime = new ListenerRuntime(served,
                        served.defaultPoolId() == null ? null : pools.get(served.defaultPoolId()),
                        L7Router.compile(served.l7Policies()), pools, Map.of(), null, stats.listener(served.id()),
                        List.of(), () -> { }, memberConnections, metrics, connections);
                ListenerSlot slot = new ListenerSlot(new InetSocketAddress(loopback, 0), runtime, false);
                ChannelFuture bound = slot.bind(group).awaitUninterruptibly();
                if (!bound.isSuccess()) {
                    throw new IOException("warm-up listener on loopback: " + bound.cause().getMessage());
                }
                slots.put(entry.getKey(), slot);
                slot.startAccepting();
            }
            // Kept alive between exchanges, as the configured members' connections are; before any client.
            memberConnections.retain(loopbackMembers);
            // Most to HTTP, whose code is the most and the hottest; a TCP listener only moves bytes.
            slots.forEach((kind, slot) -> clients.add(new LoopbackClients(slot.boundAddress(),
                    kind == Kind.TCP && slots.size() > 1 ? 1 : CLIENTS - slots.size() + 1)));
            String ended = runUntilSettled(start);
            clients.forEach(LoopbackClients::close);
            Run run = new Run(listeners.values().stream().map(ListenerConfig::id).toList(),
                    slots.values().stream().map(ListenerSlot::boundAddress).toList(), member.address(),
                    clients.stream().mapToLong(LoopbackClients::exchanges).sum(),
                    clients.stream().mapToLong(LoopbackClients::answeredOk).sum(),
                    member.acceptedConnections(),
                    clients.stream().mapToLong(LoopbackClients::failures).sum(),
                    (System.nanoTime() - start) / 1_000_000, ended);
            runs.add(run);
            LOG.info("JIT warm-up of listener(s) {} of generation {}: {} exchanges ({} answered 2xx, {} member "
                    + "connections, {} failed connections) in {} ms, {}", run.listenerIds(), config.generation(),
                    run.exchanges(), run.answeredOk(), run.memberConnections(), run.failedConnections(), run.millis(),
                    ended);
        } finally {
            // Clients first, the member last: no exchange is left to find its member gone.
            clients.forEach(LoopbackClients::close);
            slots.values().forEach(slot -> slot.close().awaitUninterruptibly());
            connections.close().awaitUninterruptibly();
            memberConnections.close();
            health.stopAll();
            member.close();
        }
    }

    /** Runs until the compilers settle, the budget is spent or the data plane closes; says which. */
    private String runUntilSettled(long start) {
        LongSupplier compilationMillis = JitCompilation.totalMillis();
        boolean measurable = compilationMillis != null;
        // The clients' and listeners' closing comes out of the budget too.
        long deadline = start + budget.toNanos() - TimeUnit.MILLISECONDS.toNanos(CLOSING_MILLIS);
        long[] compiled = new long[3];
        int samples = 0;
        long nextSample = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(SAMPLE_MILLIS);
        while (true) {
            try {
                Thread.sleep(LOOK_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return "interrupted";
            }
            long now = System.nanoTime();
            if (stopped) {
                return "stopped: the data plane is closing";
            }
            if (now >= deadline) {
                return "budget of " + budget.toMillis() + " ms spent";
            }
            if (!measurable || now < nextSample) {
                continue;
            }
            nextSample += TimeUnit.MILLISECONDS.toNanos(SAMPLE_MILLIS);
            compiled[samples % 3] = compilationMillis.getAsLong();
            samples++;
            if (samples >= 3 && now - start >= TimeUnit.MILLISECONDS.toNanos(MIN_MILLIS)) {
                long grew = compiled[(samples - 1) % 3] - compiled[samples % 3];
                if (JitCompilation.settled(grew, 2 * SAMPLE_MILLIS)) {
                    return "compilation settled";
                }
            }
        }
    }

    /** The listener as the warm-up serves it on loopback: plain, open to its clients, unlimited. */
    private static ListenerConfig served(ListenerConfig listener) {
        boolean http = listener.protocol().readsHttp();
        List<String> insertHeaders = listener.insertHeaders().stream()
                .filter(header -> !ProxyHeaders.INSERTABLE_WITH_TLS.contains(header))
                .toList();
        return new ListenerConfig(listener.id(), listener.name(), http ? ListenerProtocol.HTTP : listener.protocol(),
                listener.protocolPort(), -1, true, listener.defaultPoolId(), listener.timeouts(), List.of(),
                insertHeaders, listener.l7Policies(), null, false);
    }

    /** A pool as configured but for its members, which are the warm-up's own, reached in plain HTTP or TCP. */
    private static PoolConfig loopbackPool(PoolConfig pool, MemberConfig member, boolean http) {
        return new PoolConfig(pool.id(), pool.name(), http ? PoolProtocol.HTTP : PoolProtocol.TCP, pool.lbAlgorithm(),
                true, List.of(member), null, pool.sessionPersistence(), null, false);
    }
}
