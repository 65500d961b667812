package dev.lbaas.amphora.proxy;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.timeout.IdleStateEvent;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.ScheduledFuture;

/**
 * Octavia's data timeouts (client data, member data): an {@link IdleStateEvent} of the "all idle"
 * kind once nothing moved either way for the timeout, again after each further timeout.
 *
 * <p>Netty's {@code IdleStateHandler} with an all-idle time does the same, but adds a listener to
 * the promise of every write to learn when it completes; a proxy writes on both of its connections
 * for every request, and those listeners showed in profiles. Here movement is seen where it costs
 * nothing more than a clock read: the end of a read, a flush, and the socket's writability
 * changing (a slow reader draining what it was sent). A peer that neither sends nor takes data
 * moves none of these, so it still times out.
 */
public final class InactivityTimeout extends ChannelDuplexHandler {

    private final long timeoutNanos;
    private long lastMovement;
    private ScheduledFuture<?> check;
    private boolean firstEvent = true;

    /** @param timeoutMillis 0 or less: never */
    public InactivityTimeout(long timeoutMillis) {
        this.timeoutNanos = TimeUnit.MILLISECONDS.toNanos(Math.max(0, timeoutMillis));
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        if (ctx.channel().isActive() && ctx.channel().isRegistered()) {
            start(ctx);
        }
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        stop();
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        start(ctx);
        ctx.fireChannelActive();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        stop();
        ctx.fireChannelInactive();
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        lastMovement = System.nanoTime();
        ctx.fireChannelReadComplete();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        lastMovement = System.nanoTime();
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void flush(ChannelHandlerContext ctx) {
        lastMovement = System.nanoTime();
        ctx.flush();
    }

    private void start(ChannelHandlerContext ctx) {
        if (check != null || timeoutNanos == 0) {
            return;
        }
        lastMovement = System.nanoTime();
        check = ctx.executor().schedule(() -> check(ctx), timeoutNanos, TimeUnit.NANOSECONDS);
    }

    private void check(ChannelHandlerContext ctx) {
        if (check == null || !ctx.channel().isOpen()) {
            return;
        }
        long still = System.nanoTime() - lastMovement;
        if (still < timeoutNanos) {
            check = ctx.executor().schedule(() -> check(ctx), timeoutNanos - still, TimeUnit.NANOSECONDS);
            return;
        }
        check = ctx.executor().schedule(() -> check(ctx), timeoutNanos, TimeUnit.NANOSECONDS);
        IdleStateEvent event = firstEvent ? IdleStateEvent.FIRST_ALL_IDLE_STATE_EVENT
                : IdleStateEvent.ALL_IDLE_STATE_EVENT;
        firstEvent = false;
        ctx.fireUserEventTriggered(event);
    }

    private void stop() {
        if (check != null) {
            check.cancel(false);
            check = null;
        }
    }
}
