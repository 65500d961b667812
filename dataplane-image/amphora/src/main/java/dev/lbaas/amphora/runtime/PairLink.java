package dev.lbaas.amphora.runtime;

import dev.lbaas.amphora.config.AmphoraStatus.PairStatus;
import dev.lbaas.amphora.config.FailoverConfig;
import dev.lbaas.amphora.balancing.StickTables;
import dev.lbaas.amphora.sync.SessionSync;
import dev.lbaas.amphora.vip.VipPublisher;
import dev.lbaas.amphora.vrrp.MasterClaim;
import dev.lbaas.amphora.vrrp.VrrpInstance;
import dev.lbaas.amphora.vrrp.VrrpState;
import dev.lbaas.amphora.vrrp.VrrpTimers;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The amphora's side of its ACTIVE_STANDBY pair, as the configuration asks: starts the pair's
 * protocol when a generation brings a pair, follows a replaced peer without losing its role,
 * starts over when anything else about the pair changes, and stops when the pair goes away. Runs on
 * the configuration thread; {@link #wantsVip} may be asked from anywhere.
 *
 * <p>The VIP is handed over without a gap: a master keeps it after resigning until its successor's
 * first advert and one advert interval more, time for the successor to bind the address beside it
 * (both bind with SO_REUSEPORT), or at most a master-down interval without a successor. A sick
 * amphora (FAULT), and one that hears of a newer master without having resigned, let it go at once.
 * Every change is reported through {@code roleChanged}, after which {@link #wantsVip} says what to do.
 */
final class PairLink implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(PairLink.class);

    private final String amphoraId;
    private final EventLoopGroup group;
    private final InetAddress advertAddress;
    private final BooleanSupplier selfCheck;
    private final Runnable roleChanged;
    private final StickTables stickTables;
    private final VipPublisher vipPublisher;
    private final long lingerNanos;
    private volatile VrrpInstance instance;
    /** The pair's session sync; null without a pair, or where it could not listen. */
    private volatile SessionSync sessionSync;
    /** The event loop the pair's protocol runs on. */
    private volatile EventLoop advertLoop;
    private volatile String failure;
    /** Until when (System.nanoTime) a resigned master keeps the VIP for its successor. */
    private volatile long keepVipUntil;
    /** Written on the instance's event loop only. */
    private VrrpState lastRole = VrrpState.BACKUP;
    private boolean waitingForSuccessor;
    private String loadBalancerId;
    private FailoverConfig running;
    /** The newest term the network's record of the master has shown: where a new pair's terms start. */
    private volatile long newestClaimedTerm;

    /**
     * @param advertAddress where this amphora receives its peer's adverts
     * @param selfCheck the data plane's own health, asked every advert interval on an event loop
     * @param roleChanged told, on an event loop, whenever {@link #wantsVip} may have changed
     * @param vipPublisher told at once when this amphora stops being master (being told of a new
     *     master waits for the listeners, on the configuration thread); its linger is how long a
     *     master that handed the VIP over keeps it after its successor's takeover, besides one
     *     advert interval: while the network follows the successor
     */
    PairLink(String amphoraId, EventLoopGroup group, InetAddress advertAddress, BooleanSupplier selfCheck,
            Runnable roleChanged, StickTables stickTables, VipPublisher vipPublisher) {
        this.vipPublisher = vipPublisher;
        this.lingerNanos = vipPublisher.linger().toNanos();
        this.amphoraId = amphoraId;
        this.group = group;
        this.advertAddress = advertAddress;
        this.selfCheck = selfCheck;
        this.roleChanged = roleChanged;
        this.stickTables = stickTables;
        vipPublisher.whenClaimSeen(this::claimSeen);
    }

    /** What the network records as the master: the pair takes its term into account. */
    private void claimSeen(MasterClaim claim) {
        newestClaimedTerm = Math.max(newestClaimedTerm, claim.term());
        VrrpInstance current = instance;
        if (current != null) {
            current.claimSeen(claim);
        }
    }

    /** Whether this amphora should hold the VIP now: master, or a resigned master awaiting its successor. */
    boolean wantsVip() {
        VrrpInstance current = instance;
        if (current == null) {
            return false;
        }
        return switch (current.role()) {
            case MASTER -> true;
            case FAULT -> false;
            case BACKUP -> System.nanoTime() - keepVipUntil < 0;
        };
    }

    /** Whether this amphora is its pair's master now. */
    boolean isMaster() {
        VrrpInstance current = instance;
        return current != null && current.role() == VrrpState.MASTER;
    }

    /**
     * Tells the VIP publisher this amphora's claim while it is master, on the protocol's event loop: in
     * order with the role changes reported there, so that a master that steps down while its
     * listeners were being bound is never announced after its step-down.
     */
    void announceIfMaster() {
        VrrpInstance current = instance;
        EventLoop loop = advertLoop;
        if (current == null || loop == null) {
            vipPublisher.holding(null);
            return;
        }
        loop.execute(() -> vipPublisher.holding(instance == current ? current.claim() : null));
    }

    /** The pair's part of the status; null without a pair. */
    PairStatus status(boolean holdsVip) {
        VrrpInstance current = instance;
        if (current == null) {
            return failure == null ? null : new PairStatus(VrrpState.FAULT.name(), 0, false);
        }
        return new PairStatus(current.role().name(), current.term(), holdsVip, vipPublisher.problem(),
                restoredBindings());
    }

    /**
     * Follows a new generation's pair (null: none). A pair that cannot start (its advert port
     * taken) leaves the amphora in FAULT, holding nothing, until a later generation.
     */
    void configure(String loadBalancer, FailoverConfig pair) throws InterruptedException {
        if (pair == null) {
            stop();
            failure = null;
            return;
        }
        InetSocketAddress peer = new InetSocketAddress(pair.peerAddress(), pair.peerPort());
        VrrpInstance current = instance;
        if (current != null && loadBalancer.equals(loadBalancerId) && samePairBut(running, pair)) {
            if (!peer.equals(current.peer())) {
                LOG.info("load balancer {}: the pair's peer is now {}", loadBalancer, peer);
                current.peer(peer);
                SessionSync sync = sessionSync;
                if (sync != null) {
                    sync.expectPeer(peer.getAddress());
                }
                // On the protocol's loop, in order with the role changes it reports there.
                advertLoop.execute(() -> {
                    if (instance == current) {
                        followMastership(current.role());
                    }
                });
            }
            running = pair;
            return;
        }
        long termBefore = current == null ? 0 : current.term();
        stop();
        // after the stop, which may wait out a handover: claims read meanwhile count too
        long term = Math.max(termBefore, newestClaimedTerm);
        VrrpInstance.Settings settings = new VrrpInstance.Settings(loadBalancer, amphoraId,
                new InetSocketAddress(advertAddress, pair.advertPort()), peer,
                new VrrpTimers(pair.priority(), pair.advertIntervalMillis()), pair.preempt(), pair.keyBytes(), term);
        lastRole = VrrpState.BACKUP;
        waitingForSuccessor = false;
        sessionSync = startSessionSync(loadBalancer, settings);
        try {
            VrrpInstance[] started = new VrrpInstance[1];
            advertLoop = group.next();
            started[0] = VrrpInstance.start(advertLoop, settings, selfCheck,
                    (role, newTerm, master) -> roleChanged(started[0], role, master));
            instance = started[0];
            failure = null;
            // (a report made while start was under way was ignored: the instance was not the pair's yet)
            roleChanged.run();
        } catch (Exception e) {
            closeSessionSync();
            failure = e.toString();
            LOG.error("load balancer {}: amphora {} cannot join its pair on {}: {}", loadBalancer, amphoraId,
                    settings.bind(), e.toString());
            return;
        }
        loadBalancerId = loadBalancer;
        running = pair;
        LOG.info("load balancer {}: amphora {} joins its pair, adverts on {} to {}", loadBalancer, amphoraId,
                settings.bind(), peer);
    }

    /** On the instance's event loop; reports of an instance that is no longer the pair's are ignored. */
    private void roleChanged(VrrpInstance source, VrrpState role, Optional<String> master) {
        if (source == null || source != instance) {
            return;
        }
        VrrpTimers timers = source.settings().timers();
        if (role == VrrpState.BACKUP && lastRole == VrrpState.MASTER && master.isEmpty()) {
            // Resigned: keep the VIP until the successor speaks, at most a master-down interval.
            waitingForSuccessor = true;
            keepFor(timers.masterDownNanos(timers.advertIntervalMillis()));
        } else if (role == VrrpState.BACKUP && waitingForSuccessor && master.isPresent()) {
            // The successor's first advert: one interval more for it to bind the VIP beside ours,
            // and the linger for the network to follow it.
            waitingForSuccessor = false;
            keepFor(timers.advertIntervalNanos() + lingerNanos);
        } else if (role != VrrpState.BACKUP || master.isPresent()) {
            waitingForSuccessor = false;
            keepVipUntil = System.nanoTime();
        }
        lastRole = role;
        if (role != VrrpState.MASTER) {
            // Not later, on a configuration thread that a handover may keep busy: a refresh of the
            // old master's claim must not undo its successor's.
            vipPublisher.holding(null);
        }
        followMastership(role);
        roleChanged.run();
    }

    /**
     * Listens for the master's session sync where adverts arrive (TCP, the same port number). A
     * pair whose sync cannot listen still fails over, only without its clients' bindings.
     */
    private SessionSync startSessionSync(String loadBalancer, VrrpInstance.Settings settings)
            throws InterruptedException {
        try {
            return SessionSync.start(group, loadBalancer, settings.bind(), settings.peer().getAddress(), settings.key(),
                    stickTables);
        } catch (IllegalStateException e) {
            LOG.error("load balancer {}: amphora {} fails over without its session bindings: {}", loadBalancer,
                    amphoraId, e.getMessage());
            return null;
        }
    }

    /** A master streams its bindings to its peer, a backup takes them. */
    private void followMastership(VrrpState role) {
        SessionSync sync = sessionSync;
        VrrpInstance current = instance;
        if (sync != null && current != null) {
            sync.publishTo(role == VrrpState.MASTER ? current.peer() : null);
        }
    }

    private void keepFor(long nanos) {
        keepVipUntil = System.nanoTime() + nanos;
        group.next().schedule(roleChanged, nanos, TimeUnit.NANOSECONDS);
    }

    /**
     * Resigns and waits, at most a master-down interval, until the successor holds the VIP too:
     * the planned handover of a shutdown or a failover request. The VIP is let go afterwards.
     */
    Handover handOver() throws InterruptedException {
        VrrpInstance current = instance;
        if (current == null || current.role() != VrrpState.MASTER) {
            return current == null ? Handover.NO_PAIR : Handover.NOT_MASTER;
        }
        current.resign();
        vipPublisher.holding(null);
        VrrpTimers timers = current.settings().timers();
        long deadline = System.nanoTime() + timers.masterDownNanos(timers.advertIntervalMillis());
        while (current.master().map(amphoraId::equals).orElse(true) && System.nanoTime() - deadline < 0) {
            Thread.sleep(2);
        }
        if (current.master().isPresent()) {
            // The successor's first advert comes as it takes over, its bind just after; then the
            // network follows it.
            Thread.sleep(timers.advertIntervalMillis() + lingerNanos / 1_000_000);
        }
        return current.master().filter(master -> !master.equals(amphoraId)).isPresent()
                ? Handover.HANDED_OVER : Handover.NO_SUCCESSOR;
    }

    /** The same pair when only the peer's address differs. */
    private static boolean samePairBut(FailoverConfig before, FailoverConfig after) {
        return before.advertPort() == after.advertPort() && before.priority() == after.priority()
                && before.advertIntervalMillis() == after.advertIntervalMillis() && before.preempt() == after.preempt()
                && Arrays.equals(before.keyBytes(), after.keyBytes());
    }

    /** Leaves the pair: a master hands the VIP over first. */
    private void stop() throws InterruptedException {
        VrrpInstance current = instance;
        if (current != null) {
            handOver();
            instance = null;
            current.close();
            closeSessionSync();
            running = null;
            loadBalancerId = null;
            keepVipUntil = System.nanoTime();
            roleChanged.run();
        }
    }

    /** Stops without resigning, as a killed amphora would: the peer takes over after a silence. */
    void crash() throws InterruptedException {
        VrrpInstance current = instance;
        if (current != null) {
            instance = null;
            current.stopWithoutResigning();
            closeSessionSync();
        }
    }

    private void closeSessionSync() {
        SessionSync sync = sessionSync;
        sessionSync = null;
        if (sync != null) {
            sync.close();
        }
    }

    /** The event loop the pair's protocol runs on, or null; for tests. */
    EventLoop advertLoop() {
        return advertLoop;
    }

    /** Bindings restored from the peer's session sync since the pair started. */
    int restoredBindings() {
        SessionSync sync = sessionSync;
        return sync == null ? 0 : sync.restored();
    }

    @Override
    public void close() throws InterruptedException {
        stop();
    }

    @Override
    public String toString() {
        return "PairLink[" + amphoraId + ", " + Objects.toString(running) + "]";
    }
}
