package dev.lbaas.amphora.agent;

import io.netty.channel.ChannelHandlerContext;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Status requests held until health changes (the long poll). No thread waits: a held request is
 * its channel context and a timer, and it is answered on its channel's event loop by whichever
 * comes first, a {@link #wakeAll} or the timer.
 */
public final class StatusWaiters {

    private final Set<Waiter> waiting = ConcurrentHashMap.newKeySet();

    /**
     * Holds a request for at most {@code seconds}; {@code answer} runs once, on the channel's event
     * loop. The caller re-checks the version after this, so a change racing with it is not lost.
     */
    Waiter hold(ChannelHandlerContext ctx, int seconds, Runnable answer) {
        Waiter waiter = new Waiter(ctx, answer);
        waiting.add(waiter);
        waiter.timeout = ctx.executor().schedule(waiter::answer, seconds, TimeUnit.SECONDS);
        ctx.channel().closeFuture().addListener(closed -> waiter.forget());
        return waiter;
    }

    /** Answers every held request. Safe on any thread. */
    public void wakeAll() {
        waiting.forEach(Waiter::answer);
    }

    final class Waiter {
        private final ChannelHandlerContext ctx;
        private final Runnable answer;
        private final AtomicBoolean done = new AtomicBoolean();
        private volatile ScheduledFuture<?> timeout;

        private Waiter(ChannelHandlerContext ctx, Runnable answer) {
            this.ctx = ctx;
            this.answer = answer;
        }

        void answer() {
            if (forget()) {
                ctx.executor().execute(answer);
            }
        }

        private boolean forget() {
            if (!done.compareAndSet(false, true)) {
                return false;
            }
            waiting.remove(this);
            ScheduledFuture<?> timer = timeout;
            if (timer != null) {
                timer.cancel(false);
            }
            return true;
        }
    }
}
