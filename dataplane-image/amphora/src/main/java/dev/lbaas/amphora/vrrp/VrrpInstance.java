package dev.lbaas.amphora.vrrp;

import dev.lbaas.amphora.Transport;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.DatagramPacket;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetSocketAddress;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One amphora's side of the pair on the network: a {@link VrrpStateMachine} driven by one event
 * loop, adverts as unicast UDP to the peer (authenticated by {@link AdvertCodec}, replays refused by
 * {@link ReplayGuard}), the data plane's self-check run every advert interval, and every change of
 * role reported to a {@link RoleListener}, which moves the VIP. The operator is not involved: the
 * pair fails over while no operator runs.
 */
public final class VrrpInstance implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(VrrpInstance.class);
    /** How old an advert may be, by the receiver's clock, before it counts as a replay. */
    static final long FRESHNESS_MILLIS = 30_000;

    /**
     * Where and how this amphora speaks with its peer.
     *
     * @param loadBalancer the pair's load balancer, bound into every advert's MAC
     * @param self this amphora's id
     * @param bind the local address and port adverts arrive at
     * @param peer where the peer's adverts go
     * @param key the pair's HMAC key, at least 32 bytes
     * @param initialTerm the newest term known at start, or 0
     */
    public record Settings(String loadBalancer, String self, InetSocketAddress bind, InetSocketAddress peer,
            VrrpTimers timers, boolean preempt, byte[] key, long initialTerm) {

        public Settings {
            Objects.requireNonNull(loadBalancer, "loadBalancer");
            Objects.requireNonNull(self, "self");
            Objects.requireNonNull(bind, "bind");
            Objects.requireNonNull(peer, "peer");
            Objects.requireNonNull(timers, "timers");
            key = key.clone();
        }
    }

    /**
     * Told on the instance's event loop whenever the amphora's role changes, or the master it
     * knows of (empty: none known, say right after this amphora resigned), or a master's term
     * (it stood over a claim, see {@link VrrpStateMachine#claimSeen}); must not block.
     */
    @FunctionalInterface
    public interface RoleListener {
        void roleChanged(VrrpState role, long term, Optional<String> master);
    }

    private final Settings settings;
    private final EventLoop loop;
    private final VrrpStateMachine machine;
    private final AdvertCodec codec;
    private final ReplayGuard replays = new ReplayGuard(FRESHNESS_MILLIS);
    private final BooleanSupplier selfCheck;
    private final RoleListener listener;
    private final long origin = System.nanoTime();
    private final AtomicLong rejected = new AtomicLong();
    private volatile VrrpState role = VrrpState.BACKUP;
    private volatile Optional<String> master = Optional.empty();
    private volatile long term;
    private volatile InetSocketAddress peer;
    private Channel channel;
    private ScheduledFuture<?> wake;
    /** Set on the event loop when it stops: nothing after it sends, reports or schedules. */
    private boolean stopped;
    private ScheduledFuture<?> checks;

    private VrrpInstance(Settings settings, EventLoop loop, BooleanSupplier selfCheck, RoleListener listener) {
        this.settings = settings;
        this.loop = loop;
        this.selfCheck = selfCheck;
        this.listener = listener;
        this.codec = new AdvertCodec(settings.loadBalancer(), settings.key());
        this.machine = new VrrpStateMachine(settings.self(), settings.timers(), settings.preempt(),
                settings.initialTerm(), ReplayGuard.firstSequence(System.currentTimeMillis()));
        this.term = settings.initialTerm();
        this.peer = settings.peer();
    }

    /**
     * Binds the advert socket and starts as BACKUP: master once the peer has been silent for a
     * master-down interval. Returns once the socket is bound.
     */
    public static VrrpInstance start(EventLoop loop, Settings settings, BooleanSupplier selfCheck,
            RoleListener listener) throws InterruptedException {
        VrrpInstance instance = new VrrpInstance(settings, loop, selfCheck, listener);
        // Adverts are read once the machine has started, so that none is half taken into account.
        instance.channel = new Bootstrap().group(loop).channel(Transport.CURRENT.datagramChannel())
                .option(ChannelOption.AUTO_READ, false)
                .handler(instance.new Receiver()).bind(settings.bind()).sync().channel();
        loop.submit(instance::begin).sync();
        instance.channel.config().setAutoRead(true);
        return instance;
    }

    public VrrpState role() {
        return role;
    }

    public long term() {
        return term;
    }

    /** The master this amphora knows of: itself while MASTER, the peer once its adverts arrive. */
    public Optional<String> master() {
        return master;
    }

    /** Adverts refused so far (bad MAC, another load balancer, replayed, stale, malformed). */
    public long rejectedAdverts() {
        return rejected.get();
    }

    /** The port adverts arrive at (useful when bound to port 0). */
    public int port() {
        return ((InetSocketAddress) channel.localAddress()).getPort();
    }

    /** The settings it runs with, the peer as last set. */
    public Settings settings() {
        return settings;
    }

    public InetSocketAddress peer() {
        return peer;
    }

    /**
     * Sends adverts to another address from now on: the peer was replaced. Nothing else changes,
     * so a master stays master while its new peer starts as a backup.
     */
    public void peer(InetSocketAddress newPeer) {
        peer = Objects.requireNonNull(newPeer, "peer");
    }

    /**
     * What the network records as the pair's master (see {@link VrrpStateMachine#claimSeen}); from
     * any thread, taken into account on the event loop.
     */
    public void claimSeen(MasterClaim claim) {
        Objects.requireNonNull(claim, "claim");
        loop.execute(() -> {
            if (!stopped) {
                after(machine.claimSeen(claim, now()));
            }
        });
    }

    /** This amphora's mastership as the network should record it, while it is MASTER; else null. */
    public MasterClaim claim() {
        return role == VrrpState.MASTER ? new MasterClaim(term, settings.timers().priority(), settings.self()) : null;
    }

    /** Gives mastership up now (a planned failover): the peer takes over after its skew time. */
    public void resign() {
        loop.execute(() -> after(machine.resign(now())));
    }

    /** Resigns if master, then stops speaking: the peer takes over at once rather than after a silence. */
    @Override
    public void close() throws InterruptedException {
        loop.submit(() -> {
            Optional<Advert> resignation = machine.resign(now());
            resignation.ifPresent(this::send);
            stopped = true;
            cancelTimers();
        }).sync();
        channel.close().sync();
    }

    /** Stops without a word, as a killed process does: the peer takes over after a master-down interval. */
    public void stopWithoutResigning() throws InterruptedException {
        loop.submit(() -> {
            stopped = true;
            cancelTimers();
        }).sync();
        channel.close().sync();
    }

    private void begin() {
        machine.start(now());
        checks = loop.scheduleAtFixedRate(this::check, settings.timers().advertIntervalMillis(),
                settings.timers().advertIntervalMillis(), TimeUnit.MILLISECONDS);
        after(Optional.empty());
    }

    private void check() {
        boolean healthy;
        try {
            healthy = selfCheck.getAsBoolean();
        } catch (RuntimeException e) {
            LOG.warn("self-check of {} failed: {}", settings.loadBalancer(), e.toString());
            healthy = false;
        }
        after(machine.selfCheck(healthy, now()));
    }

    private void onTimer() {
        after(machine.tick(now()));
    }

    /** After every event: send what the machine answered, report a new role, set the next wake-up. */
    private void after(Optional<Advert> advert) {
        if (stopped) {
            return;
        }
        advert.ifPresent(this::send);
        report();
        if (wake != null) {
            wake.cancel(false);
        }
        long deadline = machine.nextDeadline();
        if (deadline != Long.MAX_VALUE && channel.isOpen()) {
            wake = loop.schedule(this::onTimer, Math.max(0, deadline - now()), TimeUnit.NANOSECONDS);
        }
    }

    private void report() {
        VrrpState now = machine.state();
        Optional<String> knownMaster = machine.master();
        boolean masterOfANewTerm = now == VrrpState.MASTER && machine.term() != term;
        term = machine.term();
        if (now != role || !knownMaster.equals(master) || masterOfANewTerm) {
            if (now != role) {
                LOG.info("load balancer {}: amphora {} {} -> {} (term {})", settings.loadBalancer(), settings.self(),
                        role, now, machine.term());
            } else if (masterOfANewTerm) {
                LOG.info("load balancer {}: amphora {} stays MASTER under a newer term, {}", settings.loadBalancer(),
                        settings.self(), machine.term());
            }
            role = now;
            master = knownMaster;
            listener.roleChanged(now, machine.term(), knownMaster);
        }
    }

    private void send(Advert advert) {
        byte[] datagram = codec.encode(advert, System.currentTimeMillis());
        InetSocketAddress to = peer;
        channel.writeAndFlush(new DatagramPacket(Unpooled.wrappedBuffer(datagram), to))
                .addListener(done -> {
                    if (!done.isSuccess()) {
                        LOG.debug("advert to {} not sent: {}", to, done.cause().toString());
                    }
                });
    }

    private void cancelTimers() {
        if (wake != null) {
            wake.cancel(false);
        }
        if (checks != null) {
            checks.cancel(false);
        }
    }

    private long now() {
        return System.nanoTime() - origin;
    }

    private final class Receiver extends SimpleChannelInboundHandler<DatagramPacket> {

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket packet) {
            try {
                AdvertCodec.Received received = codec.decode(ByteBufUtil.getBytes(packet.content()));
                replays.check(received, System.currentTimeMillis());
                after(machine.receive(received.advert(), now()));
            } catch (AdvertCodec.Rejected e) {
                if (rejected.incrementAndGet() % 100 == 1) {
                    LOG.warn("load balancer {}: advert from {} refused: {} ({} so far)", settings.loadBalancer(),
                            packet.sender(), e.getMessage(), rejected.get());
                }
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            // An ICMP error for an advert the peer could not take (it is down): nothing to do.
            LOG.debug("advert socket: {}", cause.toString());
        }
    }
}
