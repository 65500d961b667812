package dev.lbaas.amphora.runtime;

import dev.lbaas.amphora.balancing.MemberPicker;
import dev.lbaas.amphora.balancing.Pool;
import dev.lbaas.amphora.balancing.PoolMember;
import dev.lbaas.amphora.balancing.StickTables;
import dev.lbaas.amphora.config.AmphoraConfig;
import dev.lbaas.amphora.config.AmphoraStatus;
import dev.lbaas.amphora.config.AmphoraStatus.ListenerStatus;
import dev.lbaas.amphora.config.AmphoraStatus.MemberStatus;
import dev.lbaas.amphora.config.AmphoraStatus.PairStatus;
import dev.lbaas.amphora.config.AmphoraStatus.PoolStatus;
import dev.lbaas.amphora.config.ListenerConfig;
import dev.lbaas.amphora.config.MemberConfig;
import dev.lbaas.amphora.config.PoolConfig;
import dev.lbaas.amphora.config.PoolTlsConfig;
import dev.lbaas.amphora.health.CheckRecord;
import dev.lbaas.amphora.health.HealthMonitors;
import dev.lbaas.amphora.health.MemberTarget;
import dev.lbaas.amphora.l7.L7Router;
import dev.lbaas.amphora.proxy.ListenerRuntime;
import dev.lbaas.amphora.proxy.ListenerSlot;
import dev.lbaas.amphora.proxy.http.MemberConnectionPools;
import dev.lbaas.amphora.proxy.tls.MemberTls;
import dev.lbaas.amphora.proxy.tls.TlsTermination;
import dev.lbaas.amphora.stats.MetricsSample;
import dev.lbaas.amphora.stats.MetricsSample.ListenerSample;
import dev.lbaas.amphora.stats.MetricsSample.MemberSample;
import dev.lbaas.amphora.stats.MetricsSample.PoolSample;
import dev.lbaas.amphora.stats.StatsRegistry;
import dev.lbaas.amphora.vip.VipPublisher;
import dev.lbaas.amphora.warmup.JitWarmUp;
import io.netty.channel.ChannelFuture;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.handler.ipfilter.IpSubnetFilterRule;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the amphora serves: the current configuration generation, its listening sockets, pools
 * and health monitors. {@link #apply} replaces the generation as a whole and in place: listeners
 * that stay keep their sockets and connections, and a configuration that cannot be served leaves
 * the previous one untouched.
 *
 * <p>One amphora of an ACTIVE_STANDBY pair listens on the VIP only while it is its pair's master
 * ({@link PairLink}): a backup keeps the generation, its pools and its health monitors warm, and
 * binds the listeners when it takes over.
 *
 * <p>{@link #apply} and {@link #close} run on one configuration thread, never on an event loop
 * (they wait for sockets to bind); {@link #status} may be called from anywhere.
 */
public final class Dataplane implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Dataplane.class);

    /** One configuration generation, immutable once published. */
    private record Generation(AmphoraConfig config, Map<String, ListenerRuntime> enabledListeners,
            List<Pool> pools, Map<ListenerSlot.Key, ListenerRuntime> wantedSlots, Map<String, MemberTls> memberTls) {
    }

    /** How soon a new master tries the VIP's addresses again while the old one still holds them. */
    private static final long VIP_RETRY_MILLIS = 50;

    private final String amphoraId;
    private final EventLoopGroup group;
    private final EventLoopProbe eventLoops;
    /** The pair's part of the status as last announced; changed on the configuration thread. */
    private PairStatus lastPairStatus;
    private boolean migrationChecked;
    private final Runnable statusChanged;
    private final AtomicLong healthVersion = new AtomicLong(1);
    private final StatsRegistry stats = new StatsRegistry();
    private final HealthMonitors monitors;
    /** Changed on the configuration thread; read by the pair's self-check on an event loop too. */
    private final Map<ListenerSlot.Key, ListenerSlot> slots = new ConcurrentHashMap<>();
    private final MemberConnectionPools memberConnections = new MemberConnectionPools();
    /** Every open client and member connection (closed ones leave it by themselves). */
    private final ChannelGroup connections = new DefaultChannelGroup("connections", GlobalEventExecutor.INSTANCE);
    private final StickTables stickTables = new StickTables();
    private volatile Generation current;
    private final Executor configThread;
    private final PairLink pair;
    private final VipPublisher vipPublisher;
    private final JitWarmUp warmUp;
    /** Whether the listeners accept on the VIP: always without a pair, while master with one. */
    private volatile boolean holdsVip = true;
    private volatile boolean closed;

    /**
     * An amphora that serves SINGLE load balancers only.
     *
     * @param statusChanged told (on any thread, without blocking) after the health version moved
     */
    public Dataplane(String amphoraId, EventLoopGroup group, Runnable statusChanged) {
        this(amphoraId, group, statusChanged, null, null);
    }

    /**
     * @param statusChanged told (on any thread, without blocking) after the health version moved
     * @param configThread the thread {@link #apply} runs on, where a change of role binds or
     *     unbinds the listeners; null for an amphora that serves no pair
     * @param advertAddress where a pair's adverts arrive; null for an amphora that serves no pair
     */
    public Dataplane(String amphoraId, EventLoopGroup group, Runnable statusChanged, Executor configThread,
            InetAddress advertAddress) {
        this(amphoraId, group, statusChanged, configThread, advertAddress, VipPublisher.NONE);
    }

    /**
     * @param vipPublisher told of every change of role once the listeners follow it, where the
     *     VIP reaches only whom the network is told holds it; closed with the data plane
     */
    public Dataplane(String amphoraId, EventLoopGroup group, Runnable statusChanged, Executor configThread,
            InetAddress advertAddress, VipPublisher vipPublisher) {
        this(amphoraId, group, statusChanged, configThread, advertAddress, vipPublisher, Duration.ZERO);
    }

    /**
     * @param jitWarmUp the longest the first configuration with HTTP or TCP listeners is served on
     *     loopback before its listeners bind, for the JIT to compile the proxy first (see
     *     {@link JitWarmUp}); zero for none
     */
    public Dataplane(String amphoraId, EventLoopGroup group, Runnable statusChanged, Executor configThread,
            InetAddress advertAddress, VipPublisher vipPublisher, Duration jitWarmUp) {
        this.vipPublisher = vipPublisher;
        this.warmUp = new JitWarmUp(group, jitWarmUp, this::metrics);
        this.amphoraId = amphoraId;
        this.group = group;
        this.statusChanged = statusChanged;
        this.monitors = new HealthMonitors(group, this::healthChanged);
        this.eventLoops = new EventLoopProbe(group, EventLoopProbe.DEFAULT_BOUND_MILLIS, System::nanoTime);
        this.configThread = configThread;
        this.pair = advertAddress == null || configThread == null ? null
                : new PairLink(amphoraId, group, advertAddress, this::selfCheck, () -> onConfigThread(this::followRole),
                        stickTables, vipPublisher);
        // Whether the network can be told is part of the pair's health, as the operator shows it.
        vipPublisher.whenProblemChanges(this::healthChanged);
    }

    /**
     * Whether this amphora serves a pair's VIP as its master, listeners bound: what a VIP Service
     * that selects both amphorae of a pair asks through the readiness probe.
     */
    public boolean servesAsMaster() {
        Generation generation = current;
        return generation != null && generation.config().failover() != null && pair != null && pair.isMaster()
                && holdsVip;
    }

    /**
     * A count that moves while traffic flows through any listener (bytes and sessions), the JIT
     * warm-up's included: its garbage goes back with the heap once it is over.
     */
    public long trafficActivity() {
        return stats.listenerActivity() + warmUp.exchanges();
    }

    /** A count that moves while the load balancer's listeners serve, the JIT warm-up's traffic left out. */
    public long servedTraffic() {
        return stats.listenerActivity();
    }

    /** The JIT warm-ups this data plane has run, oldest first (see {@link JitWarmUp}). */
    public List<JitWarmUp.Run> jitWarmUps() {
        return warmUp.runs();
    }

    /** The latest health verdicts on a member, oldest first (see {@link CheckRecord}). */
    public List<CheckRecord> recentChecks(String memberId) {
        return monitors.recentChecks(memberId);
    }

    public long healthVersion() {
        return healthVersion.get();
    }

    public long appliedGeneration() {
        Generation generation = current;
        return generation == null ? 0 : generation.config().generation();
    }

    public synchronized ApplyResult apply(AmphoraConfig config) {
        long applied = appliedGeneration();
        if (config.generation() < applied) {
            return new ApplyResult.Stale(applied);
        }
        if (config.generation() == applied) {
            return new ApplyResult.Applied(applied);
        }
        try {
            ConfigSupport.check(config);
            if (config.failover() != null && pair == null) {
                throw new IllegalArgumentException("failover: this amphora was started without an address for a "
                        + "pair's adverts");
            }
            return install(config);
        } catch (IllegalArgumentException e) {
            LOG.warn("config generation {} rejected: {}", config.generation(), e.getMessage());
            return new ApplyResult.Rejected(e.getMessage());
        }
    }

    private ApplyResult install(AmphoraConfig config) {
        InetAddress vip = ConfigSupport.endpoint(config.vipAddress(), 0, "vipAddress").getAddress();
        HealthMonitors.Plan monitorPlan = monitors.plan(healthTargets(config));
        Map<String, Pool> pools = new LinkedHashMap<>();
        for (PoolConfig pool : config.pools()) {
            pools.put(pool.id(), pool(pool, monitorPlan));
        }
        Map<String, MemberTls> memberTls = new HashMap<>();
        for (PoolConfig pool : config.pools()) {
            if (pool.tls() != null) {
                memberTls.put(pool.id(), memberTls(pool));
            }
        }
        Map<String, ListenerRuntime> enabled = new LinkedHashMap<>();
        Map<ListenerSlot.Key, ListenerRuntime> wanted = new HashMap<>();
        for (ListenerConfig listener : config.listeners()) {
            if (!config.adminStateUp() || !listener.adminStateUp()) {
                continue;
            }
            List<IpSubnetFilterRule> allowed = listener.allowedCidrs().stream()
                    .map(cidr -> ConfigSupport.allowedNetwork(cidr, "listeners[" + listener.id() + "].allowedCidrs"))
                    .toList();
            ListenerRuntime runtime = new ListenerRuntime(listener,
                    listener.defaultPoolId() == null ? null : pools.get(listener.defaultPoolId()),
                    L7Router.compile(listener.l7Policies()), pools, memberTls,
                    tlsTermination(listener),
                    stats.listener(listener.id()), allowed, this::healthChanged, memberConnections, this::metrics,
                    connections);
            enabled.put(listener.id(), runtime);
            wanted.put(ListenerSlot.Key.of(listener, vip), runtime);
        }

        // Before the VIP is served: the first clients meet compiled code. Only while no listener
        // has been served yet (a load balancer may get its listeners after its first generation),
        // since the warm-up holds the configuration thread. An amphora of a pair warms before it
        // joins its pair (the pair link starts with the generation), so that a standby promoted
        // later answers its first clients as a warm master would.
        Generation serving = current;
        if (slots.isEmpty()
                && (serving == null || serving.enabledListeners().isEmpty())) {
            warmUp.warm(config);
        }

        // A pair's listeners are bound by followRole once the generation is live: a bind that has to
        // wait for the old master's sockets does not reject the generation. Until then a pair
        // keeps what it holds; a SINGLE amphora binds here, all or nothing.
        boolean paired = config.failover() != null;
        Map<ListenerSlot.Key, ListenerRuntime> bound = !paired || holdsVip ? wanted : Map.of();
        Map<ListenerSlot.Key, ListenerSlot> added = paired ? Map.of() : bindNewSlots(wanted, false);
        if (!paired) {
            holdsVip = true;
        }

        // Nothing below can fail: the new generation goes live.
        monitorPlan.commit();
        // idle member connections only to members this generation still serves
        List<PoolMember> allMembers = new ArrayList<>();
        pools.values().forEach(pool -> allMembers.addAll(pool.members()));
        memberConnections.retain(allMembers);
        bound.forEach((key, runtime) -> {
            ListenerSlot kept = slots.get(key);
            if (kept != null) {
                kept.serve(runtime);
            }
        });
        for (var it = slots.entrySet().iterator(); it.hasNext();) {
            var slot = it.next();
            if (!bound.containsKey(slot.getKey())) {
                // out of the map first: a pair's self-check must not find a closing socket
                it.remove();
                // awaited, so that the acknowledgement means the port is no longer accepting
                slot.getValue().close().awaitUninterruptibly();
                LOG.info("listener on {} closed", slot.getKey());
            }
        }
        added.forEach((key, slot) -> {
            slot.startAccepting();
            slots.put(key, slot);
            LOG.info("listener {} on {} accepting", slot.current().config().name(), key);
        });
        Set<String> listenerIds = new HashSet<>();
        config.listeners().forEach(listener -> listenerIds.add(listener.id()));
        Set<String> poolIds = new HashSet<>();
        Set<StatsRegistry.MemberKey> memberKeys = new HashSet<>();
        for (PoolConfig pool : config.pools()) {
            poolIds.add(pool.id());
            pool.members().forEach(member -> memberKeys.add(new StatsRegistry.MemberKey(pool.id(), member.id())));
        }
        stats.retain(listenerIds, poolIds, memberKeys);
        stickTables.retain(poolIds);
        current = new Generation(config, enabled, List.copyOf(pools.values()), Map.copyOf(wanted),
                Map.copyOf(memberTls));
        if (paired && !vip.isAnyLocalAddress()) {
            warnOnceIfHandoversMayResetConnections();
        }
        followPair(config);
        followRole();
        LOG.info("config generation {} applied: {} listeners serving, {} pools", config.generation(), enabled.size(),
                pools.size());
        // Members may have come, gone or changed monitors: whoever waits on health looks again.
        healthChanged();
        return new ApplyResult.Applied(config.generation());
    }

    /** A pool's TLS to its members: that of the generation serving now when unchanged, else built anew. */
    private MemberTls memberTls(PoolConfig pool) {
        Generation serving = current;
        MemberTls before = serving == null ? null : serving.memberTls().get(pool.id());
        if (before != null && before.config().equals(pool.tls()) && before.http2() == pool.http2()) {
            return before;
        }
        return MemberTls.build(pool.tls(), pool.http2(), "pools[" + pool.id() + "].tls");
    }

    /**
     * The listener's TLS contexts: those of the generation serving now when its TLS settings and
     * certificates are unchanged, so that a change elsewhere keeps the sessions clients may resume.
     */
    private TlsTermination tlsTermination(ListenerConfig listener) {
        if (listener.tls() == null) {
            return null;
        }
        Generation serving = current;
        ListenerRuntime before = serving == null ? null : serving.enabledListeners().get(listener.id());
        if (before != null && before.tls() != null && before.tls().config().equals(listener.tls())) {
            return before.tls();
        }
        return TlsTermination.build(listener.tls(), "listeners[" + listener.id() + "].tls");
    }

    /**
     * Both amphorae of a pair on one host share the VIP's listening ports (SO_REUSEPORT). When the
     * old master closes its socket after a handover, a connection the kernel had just queued on it
     * is reset, unless the kernel migrates such connections to the other socket of the group
     * (net.ipv4.tcp_migrate_req, Linux 5.14+), which only the host's administrator can enable.
     */
    private void warnOnceIfHandoversMayResetConnections() {
        if (migrationChecked) {
            return;
        }
        migrationChecked = true;
        try {
            if ("0".equals(Files.readString(Path.of("/proc/sys/net/ipv4/tcp_migrate_req")).trim())) {
                LOG.warn("amphora {}: net.ipv4.tcp_migrate_req is 0, so a planned failover may reset a connection "
                        + "queued on the old master's socket as it closes; set it to 1 for handovers without loss",
                        amphoraId);
            }
        } catch (IOException e) {
            // Not Linux, or a kernel without the setting: nothing to advise.
        }
    }

    private void followPair(AmphoraConfig config) {
        if (pair == null) {
            return;
        }
        try {
            pair.configure(config.loadBalancerId(), config.failover());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Holds the VIP (binds the current generation's listeners) or lets it go (closes them), as the
     * pair says now; always holds it without a pair. A master whose addresses are still held by
     * another socket that does not share them tries again until it gets them or is master no more.
     */
    synchronized void followRole() {
        Generation generation = current;
        if (closed || generation == null) {
            return;
        }
        boolean hold = generation.config().failover() == null || pair.wantsVip();
        holdsVip = hold;
        if (hold) {
            bindMissingSlots();
        } else if (!slots.isEmpty()) {
            closeSlots();
            LOG.info("amphora {} lets the VIP go: its listeners are closed", amphoraId);
        }
        // The master alone, not a resigned one keeping its listeners for stragglers; asked on the
        // pair's loop, in order with the role changes it reports, so that a step-down between
        // here and there is not undone.
        if (generation.config().failover() != null) {
            pair.announceIfMaster();
        } else {
            vipPublisher.holding(null);
        }
        // A new role is news for whoever long-polls the status, as a member's health is.
        PairStatus reported = pair == null ? null : pair.status(holdsVip && !slots.isEmpty());
        if (!Objects.equals(reported, lastPairStatus)) {
            lastPairStatus = reported;
            healthChanged();
        } else {
            statusChanged.run();
        }
    }

    /** Runs {@code task} on the configuration thread, unless that has stopped with the amphora. */
    private void onConfigThread(Runnable task) {
        try {
            configThread.execute(task);
        } catch (RejectedExecutionException e) {
            // the amphora is stopping
        }
    }

    private void bindMissingSlots() {
        Generation generation = current;
        if (generation == null) {
            return;
        }
        Map<ListenerSlot.Key, ListenerSlot> added;
        try {
            added = bindNewSlots(generation.wantedSlots(), generation.config().failover() != null);
        } catch (IllegalArgumentException e) {
            LOG.warn("amphora {} cannot take the VIP yet ({}); trying again in {} ms", amphoraId, e.getMessage(),
                    VIP_RETRY_MILLIS);
            group.next().schedule(() -> onConfigThread(this::followRole), VIP_RETRY_MILLIS, TimeUnit.MILLISECONDS);
            return;
        }
        added.forEach((key, slot) -> {
            slot.startAccepting();
            slots.put(key, slot);
        });
        if (!added.isEmpty()) {
            LOG.info("amphora {} holds the VIP: {} listeners accepting", amphoraId, added.size());
        }
    }

    /**
     * The data plane's own health for its pair, asked every advert interval on an event loop: a
     * master whose listeners lost their sockets, or one of whose event loops is stuck, gives the
     * VIP up (FAULT); it may take it again once healthy, if its peer has not.
     */
    private boolean selfCheck() {
        return eventLoops.everyLoopAnswers()
                && (!holdsVip || slots.values().stream().allMatch(ListenerSlot::isOpen));
    }

    /** Binds the addresses no slot holds yet; all or none: on a failure every new slot is closed again. */
    private Map<ListenerSlot.Key, ListenerSlot> bindNewSlots(Map<ListenerSlot.Key, ListenerRuntime> wanted,
            boolean sharedWithPair) {
        Map<ListenerSlot.Key, ListenerSlot> added = new HashMap<>();
        Map<ListenerSlot, ChannelFuture> binds = new HashMap<>();
        wanted.forEach((key, runtime) -> {
            if (!slots.containsKey(key)) {
                ListenerSlot slot = new ListenerSlot(key.address(), runtime, sharedWithPair);
                added.put(key, slot);
                binds.put(slot, slot.bind(group));
            }
        });
        String failure = null;
        for (var bind : binds.entrySet()) {
            ChannelFuture bound = bind.getValue().awaitUninterruptibly();
            if (!bound.isSuccess() && failure == null) {
                ListenerSlot slot = bind.getKey();
                failure = "listeners[" + slot.current().config().id() + "]: cannot listen on "
                        + slot.address().getAddress().getHostAddress() + ":" + slot.address().getPort() + ": "
                        + bound.cause().getMessage();
            }
        }
        if (failure != null) {
            binds.keySet().forEach(slot -> slot.close().awaitUninterruptibly());
            throw new IllegalArgumentException(failure);
        }
        return added;
    }

    private Pool pool(PoolConfig pool, HealthMonitors.Plan monitorPlan) {
        List<PoolMember> members = new ArrayList<>();
        for (MemberConfig member : pool.members()) {
            // a pool's TLS settings and HTTP version are part of what its member connections are:
            // changed, they are new ones
            members.add(new PoolMember(member, ConfigSupport.memberEndpoint(pool, member),
                    monitorPlan.tracker(member.id()), stats.member(pool.id(), member.id()),
                    pool.http2() ? new Http2Transport(pool.tls()) : pool.tls()));
        }
        return new Pool(pool, members, MemberPicker.create(pool.lbAlgorithm(), members, healthVersion::get),
                stats.pool(pool.id()), stickTables.persistence(pool, members));
    }

    /** What every member's health depends on; members without an active monitor still get passive detection. */
    private static List<MemberTarget> healthTargets(AmphoraConfig config) {
        List<MemberTarget> targets = new ArrayList<>();
        for (PoolConfig pool : config.pools()) {
            for (MemberConfig member : pool.members()) {
                InetSocketAddress endpoint = ConfigSupport.memberEndpoint(pool, member);
                targets.add(monitored(pool, member)
                        ? MemberTarget.monitored(member.id(), member.name(), endpoint, pool.healthMonitor(),
                                ConfigSupport.monitorEndpoint(pool, member))
                        : MemberTarget.unmonitored(member.id(), member.name(), endpoint));
            }
        }
        return targets;
    }

    /** Disabled members are not checked: they take no traffic whatever their health. */
    private static boolean monitored(PoolConfig pool, MemberConfig member) {
        return pool.healthMonitor() != null && pool.healthMonitor().adminStateUp() && member.adminStateUp();
    }

    private void healthChanged() {
        healthVersion.incrementAndGet();
        statusChanged.run();
    }

    public AmphoraStatus status() {
        // Read first: a change that lands while the report is built moves the version past it.
        long version = healthVersion.get();
        Generation generation = current;
        if (generation == null) {
            return new AmphoraStatus(amphoraId, 0, version, List.of(), List.of(), null);
        }
        List<ListenerStatus> listeners = new ArrayList<>();
        for (ListenerConfig listener : generation.config().listeners()) {
            ListenerRuntime runtime = generation.enabledListeners().get(listener.id());
            listeners.add(new ListenerStatus(listener.id(), runtime != null && runtime.atConnectionLimit(),
                    stats.listener(listener.id()).snapshot()));
        }
        List<PoolStatus> pools = new ArrayList<>();
        for (Pool pool : generation.pools()) {
            List<MemberStatus> members = pool.members().stream()
                    .map(member -> new MemberStatus(member.id(), member.health(), member.counters().snapshot()))
                    .toList();
            pools.add(new PoolStatus(pool.config().id(), members, pool.counters().snapshot()));
        }
        return new AmphoraStatus(amphoraId, generation.config().generation(), version, listeners, pools,
                pair == null ? null : pair.status(holdsVip && !slots.isEmpty()));
    }

    /** The whole load balancer's metrics as of now; may be called from anywhere, an event loop included. */
    public MetricsSample metrics() {
        Generation generation = current;
        if (generation == null) {
            return MetricsSample.NOTHING_APPLIED;
        }
        List<ListenerSample> listeners = new ArrayList<>();
        for (ListenerConfig listener : generation.config().listeners()) {
            ListenerRuntime runtime = generation.enabledListeners().get(listener.id());
            listeners.add(new ListenerSample(listener, runtime != null, runtime != null && runtime.atConnectionLimit(),
                    stats.listener(listener.id())));
        }
        List<PoolSample> pools = new ArrayList<>();
        for (Pool pool : generation.pools()) {
            List<MemberSample> members = pool.members().stream()
                    .map(member -> new MemberSample(member.config(), member.health(), member.takesNewConnections(),
                            member.counters()))
                    .toList();
            pools.add(new PoolSample(pool.config(), pool.counters(), members));
        }
        return new MetricsSample(generation.config().generation(), listeners, pools);
    }

    /**
     * A planned failover: a master resigns and keeps the VIP until its successor holds it too,
     * then closes its listeners; the connections it has finish on it. Nothing happens on a backup
     * or without a pair. Runs on the configuration thread.
     *
     * @return how it ended
     */
    public Handover handOverVip() throws InterruptedException {
        return pair == null ? Handover.NO_PAIR : pair.handOver();
    }

    /** How many persistence bindings the pair's master has told this amphora, for tests. */
    int restoredBindings() {
        return pair == null ? 0 : pair.restoredBindings();
    }

    /** The event loop the pair's protocol runs on, or null; for tests. */
    EventLoop pairLoop() {
        return pair == null ? null : pair.advertLoop();
    }



    /**
     * What a killed amphora leaves behind, for tests of its pair within one process: its sockets
     * closed (as the kernel closes a dead process's) and no resignation, so the peer takes over
     * only after a master-down interval of silence.
     */
    synchronized void stopAsKilled() throws InterruptedException {
        if (pair != null && !closed) {
            pair.crash();
        }
        shutDown();
    }

    /**
     * Stops accepting and checking, and closes every connection while the event loops still run:
     * each one's handlers then release what they hold, which a connection left to the event loops'
     * end would not (its close could no longer be handled there).
     */
    @Override
    public void close() {
        stopWarmUp();
        closeServing();
    }

    /**
     * Ends a JIT warm-up in progress within its next look (it holds the configuration thread and
     * this data plane's lock), and skips any later one; callable from any thread.
     */
    public void stopWarmUp() {
        warmUp.stop();
    }

    private synchronized void closeServing() {
        if (pair != null && !closed) {
            try {
                // A master resigns first, so that its peer takes the VIP at once.
                pair.close();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        vipPublisher.close();
        shutDown();
    }

    private void shutDown() {
        closed = true;
        closeSlots();
        monitors.stopAll();
        memberConnections.close();
        connections.close().awaitUninterruptibly();
    }

    /**
     * Closes every listener, out of the map first so that a pair's self-check never finds a closing
     * socket; awaited, so that the port no longer accepts when this returns.
     */
    private void closeSlots() {
        List<ListenerSlot> closing = new ArrayList<>(slots.values());
        slots.clear();
        closing.forEach(slot -> slot.close().awaitUninterruptibly());
    }

    /** How members of a pool that speaks HTTP/2 to them are reached: apart from its HTTP/1.1 connections. */
    private record Http2Transport(PoolTlsConfig tls) {
    }
}
