package dev.lbaas.amphora.health;

import dev.lbaas.amphora.Transport;
import dev.lbaas.amphora.config.MemberHealth;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The health of a member no active monitor checks: NO_MONITOR, as Octavia reports, until a
 * connection to it fails (passive detection). It is then DOWN and out of rotation, and the
 * amphora itself retries a TCP connection to its traffic port after a backoff (1 s, doubling up
 * to 30 s); the first connection that opens brings it back. Retrying with its own connection
 * rather than with a client's keeps clients away from a member that is still dead, and a member
 * is never out for good just because nobody configured a monitor.
 */
final class UnmonitoredMember implements TrackedMember {

    private static final Logger LOG = LoggerFactory.getLogger(UnmonitoredMember.class);

    static final long FIRST_RETRY_MILLIS = 1_000;
    static final long MAX_RETRY_MILLIS = 30_000;
    /** Bounds one retry connection; a member this slow to accept is no better than a dead one. */
    private static final int RETRY_CONNECT_TIMEOUT_MILLIS = 2_000;

    private final MemberTarget target;
    private final EventLoop loop;
    private final HealthListener listener;
    private final AtomicBoolean down = new AtomicBoolean();
    /** The loop's: the retry pending, and how long it waited. */
    private ScheduledFuture<?> retry;
    private long backoffMillis;
    private volatile boolean stopped;

    UnmonitoredMember(MemberTarget target, EventLoop loop, HealthListener listener) {
        this.target = target;
        this.loop = loop;
        this.listener = listener;
    }

    @Override
    public MemberTarget target() {
        return target;
    }

    /** Nothing to do until a connection fails. */
    @Override
    public void start() {
    }

    @Override
    public MemberHealth health() {
        return down.get() ? MemberHealth.DOWN : MemberHealth.NO_MONITOR;
    }

    @Override
    public void connectionFailed() {
        // Only the first failure counts; from then on the retries own the member until it is back.
        if (!stopped && down.compareAndSet(false, true)) {
            LOG.info("member {} ({}) NO_MONITOR -> DOWN: a connection to {} failed; retrying in {} ms",
                    target.memberName(), target.memberId(), target.endpoint(), FIRST_RETRY_MILLIS);
            listener.healthChanged();
            loop.execute(() -> scheduleRetry(FIRST_RETRY_MILLIS));
        }
    }

    @Override
    public void stop() {
        stopped = true;
        loop.execute(() -> {
            if (retry != null) {
                retry.cancel(false);
            }
        });
    }

    private void scheduleRetry(long afterMillis) {
        if (stopped) {
            return;
        }
        backoffMillis = afterMillis;
        retry = loop.schedule(this::retry, afterMillis, TimeUnit.MILLISECONDS);
    }

    private void retry() {
        ChannelFuture connect = new Bootstrap().group(loop).channel(Transport.CURRENT.socketChannel())
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, RETRY_CONNECT_TIMEOUT_MILLIS)
                .handler(new ChannelInboundHandlerAdapter())
                .connect(target.endpoint());
        connect.addListener((ChannelFuture done) -> {
            done.channel().close();
            if (stopped) {
                return;
            }
            if (done.isSuccess()) {
                down.set(false);
                LOG.info("member {} ({}) DOWN -> NO_MONITOR: a connection to {} opened", target.memberName(),
                        target.memberId(), target.endpoint());
                listener.healthChanged();
            } else {
                scheduleRetry(Math.min(backoffMillis * 2, MAX_RETRY_MILLIS));
            }
        });
    }
}
