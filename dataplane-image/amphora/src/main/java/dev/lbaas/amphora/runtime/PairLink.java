package dev.lbaas.amphora.runtime;

import dev.lbaas.amphora.config.AmphoraStatus.PairStatus;
import dev.lbaas.amphora.config.FailoverConfig;
import dev.lbaas.amphora.vrrp.VrrpInstance;
import dev.lbaas.amphora.vrrp.VrrpState;
import dev.lbaas.amphora.vrrp.VrrpTimers;
import io.netty.channel.EventLoopGroup;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The amphora's side of its ACTIVE_STANDBY pair, as the configuration asks: starts the pair's
 * protocol when a generation brings a pair, follows a replaced peer without losing its role,
 * starts over when anything else about the pair changes, and stops when the pair goes away. Runs on
 * the configuration thread.
 *
 * <p>The VIP is handed over without a gap: a master keeps it after resigning until the first
 * advert of its successor says that one holds it too (both bind the address with SO_REUSEPORT
 * meanwhile), or a master-down interval has passed; a sick amphora (FAULT), and one that hears of
 * a newer master, let it go at once.
 */
final class PairLink implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(PairLink.class);

    private final String amphoraId;
    private final EventLoopGroup group;
    private final InetAddress advertAddress;
    private final BooleanSupplier selfCheck;
    private final Consumer<Boolean> holdVip;
    private VrrpInstance instance;
    private String loadBalancerId;
    private FailoverConfig running;

    /**
     * @param advertAddress where this amphora receives its peer's adverts
     * @param selfCheck the data plane's own health, asked every advert interval on an event loop
     * @param holdVip told, on an event loop, whether to hold the VIP after each change of role
     */
    PairLink(String amphoraId, EventLoopGroup group, InetAddress advertAddress, BooleanSupplier selfCheck,
            Consumer<Boolean> holdVip) {
        this.amphoraId = amphoraId;
        this.group = group;
        this.advertAddress = advertAddress;
        this.selfCheck = selfCheck;
        this.holdVip = holdVip;
    }

    /** Whether this amphora is its pair's master now. */
    boolean master() {
        return instance != null && instance.role() == VrrpState.MASTER;
    }

    /** The pair's part of the status; null without a pair. */
    PairStatus status(boolean holdsVip) {
        VrrpInstance current = instance;
        return current == null ? null : new PairStatus(current.role().name(), current.term(), holdsVip);
    }

    /** Follows a new generation's pair (null: none). */
    void configure(String loadBalancer, FailoverConfig pair) throws InterruptedException {
        if (pair == null) {
            stop();
            return;
        }
        InetSocketAddress peer = new InetSocketAddress(pair.peerAddress(), pair.peerPort());
        if (instance != null && loadBalancer.equals(loadBalancerId) && samePairBut(running, pair)) {
            if (!peer.equals(instance.peer())) {
                LOG.info("load balancer {}: the pair's peer is now {}", loadBalancer, peer);
                instance.peer(peer);
            }
            running = pair;
            return;
        }
        long term = instance == null ? 0 : instance.term();
        stop();
        VrrpInstance.Settings settings = new VrrpInstance.Settings(loadBalancer, amphoraId,
                new InetSocketAddress(advertAddress, pair.advertPort()), peer,
                new VrrpTimers(pair.priority(), pair.advertIntervalMillis()), pair.preempt(), pair.keyBytes(), term);
        long masterDownMillis = settings.timers().masterDownNanos(pair.advertIntervalMillis()) / 1_000_000;
        instance = VrrpInstance.start(group.next(), settings, selfCheck,
                (role, newTerm, master) -> roleChanged(role, master, masterDownMillis));
        loadBalancerId = loadBalancer;
        running = pair;
        LOG.info("load balancer {}: amphora {} joins its pair, adverts on {} to {}", loadBalancer, amphoraId,
                settings.bind(), peer);
    }

    /** On the instance's event loop. */
    private void roleChanged(VrrpState role, Optional<String> master, long masterDownMillis) {
        switch (role) {
            case MASTER -> holdVip.accept(true);
            case FAULT -> holdVip.accept(false);
            case BACKUP -> {
                if (master.isPresent()) {
                    holdVip.accept(false);
                } else {
                    // Resigned: the VIP stays until the successor's first advert, or this long.
                    VrrpInstance resigned = instance;
                    group.next().schedule(() -> {
                        if (resigned.role() == VrrpState.BACKUP && resigned.master().isEmpty()) {
                            holdVip.accept(false);
                        }
                    }, masterDownMillis, TimeUnit.MILLISECONDS);
                }
            }
        }
    }

    /**
     * Resigns and waits, at most a master-down interval, for the successor to hold the VIP: the
     * planned handover of a shutdown or a failover request.
     */
    void handOver() throws InterruptedException {
        VrrpInstance current = instance;
        if (current == null || current.role() != VrrpState.MASTER) {
            return;
        }
        current.resign();
        long deadline = System.nanoTime()
                + current.settings().timers().masterDownNanos(current.settings().timers().advertIntervalMillis());
        while (current.master().map(amphoraId::equals).orElse(true) && System.nanoTime() - deadline < 0) {
            Thread.sleep(2);
        }
    }

    /** The same pair when only the peer's address differs. */
    private static boolean samePairBut(FailoverConfig before, FailoverConfig after) {
        return before.advertPort() == after.advertPort() && before.priority() == after.priority()
                && before.advertIntervalMillis() == after.advertIntervalMillis() && before.preempt() == after.preempt()
                && Arrays.equals(before.keyBytes(), after.keyBytes());
    }

    /** Leaves the pair: a master hands the VIP over first. */
    private void stop() throws InterruptedException {
        if (instance != null) {
            handOver();
            instance.close();
            instance = null;
            running = null;
            loadBalancerId = null;
        }
    }

    /** Stops without resigning, as a killed amphora would: the peer takes over after a silence. */
    void crash() throws InterruptedException {
        if (instance != null) {
            instance.stopWithoutResigning();
            instance = null;
        }
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
