package dev.lbaas.amphora.proxy.http;

import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.DuplexChannel;
import io.netty.util.ReferenceCountUtil;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Ends a client connection after its last response without losing that response. Closing a
 * socket whose client is still sending (the rest of a refused body, requests pipelined after a
 * {@code Connection: close}) makes the kernel answer with a reset, and a reset can reach the
 * client before it has read the response, which is then lost: the client sees "connection reset"
 * instead of the 400 that says why. So the sending side is shut first, what the client still
 * sends is read and dropped (the decoder discards after a refusal), and the connection closes
 * when the client closes its side, or after {@link #LINGER_MILLIS}: nginx's lingering close,
 * HAProxy's drain before close.
 */
final class LingeringClose {

    /** How long a client may go on sending after its last response. */
    static final long LINGER_MILLIS = 2_000;

    private LingeringClose() {
    }

    /**
     * The client shut its sending side while its connection ends: closed now if the last answer is
     * out (the sending side is shut already), else by {@link #after} once it is.
     */
    static void clientEnded(Channel channel) {
        if (channel instanceof DuplexChannel duplex && duplex.isOutputShutdown()) {
            channel.close();
        }
    }

    /** Closes the connection of {@code lastWrite} once that write is done, lingering as described. */
    static void after(ChannelFuture lastWrite) {
        lastWrite.addListener((ChannelFuture written) -> {
            Channel channel = written.channel();
            if (!written.isSuccess() || !(channel instanceof DuplexChannel duplex) || duplex.isInputShutdown()) {
                channel.close();
                return;
            }
            duplex.shutdownOutput().addListener(shut -> {
                if (!shut.isSuccess() || !channel.isActive()) {
                    channel.close();
                    return;
                }
                channel.eventLoop().schedule(() -> channel.close(), LINGER_MILLIS, TimeUnit.MILLISECONDS);
                channel.config().setAutoRead(true);
            });
        });
    }

    /**
     * Placed at the socket end of an HTTP/2 connection's pipeline: every close of the connection
     * lingers as {@link #after} does, whoever asks for it. HTTP/2's codec closes a connection right
     * after the GOAWAY that says why (a protocol error, or an idle connection), and a reset that
     * overtakes the GOAWAY would leave the client without the reason.
     */
    static final class OnEveryClose extends ChannelDuplexHandler {
        private ChannelPromise closing;
        private ScheduledFuture<?> lingerEnds;
        /** The socket's close was asked for, once: a second close with the same promise would complete it twice. */
        private boolean finished;

        @Override
        public void close(ChannelHandlerContext ctx, ChannelPromise promise) {
            Channel channel = ctx.channel();
            if (closing != null) {
                closing.addListener(closed -> promise.trySuccess());
                return;
            }
            if (!(channel instanceof DuplexChannel duplex) || !channel.isActive() || duplex.isInputShutdown()) {
                ctx.close(promise);
                return;
            }
            closing = promise;
            duplex.shutdownOutput().addListener(shut -> {
                if (!shut.isSuccess() || !channel.isActive()) {
                    finish(ctx);
                    return;
                }
                lingerEnds = ctx.executor().schedule(() -> finish(ctx), LINGER_MILLIS, TimeUnit.MILLISECONDS);
                channel.config().setAutoRead(true);
            });
        }

        /** The lingering is over: the client closed its side, went, or took too long. */
        private void finish(ChannelHandlerContext ctx) {
            if (finished) {
                return;
            }
            finished = true;
            if (lingerEnds != null) {
                lingerEnds.cancel(false);
            }
            ctx.close(closing);
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (closing != null) {
                // what the client sends after the end is read and dropped
                ReferenceCountUtil.release(msg);
                return;
            }
            ctx.fireChannelRead(msg);
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (closing != null && evt instanceof ChannelInputShutdownEvent) {
                finish(ctx);
                return;
            }
            ctx.fireUserEventTriggered(evt);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (closing != null) {
                finish(ctx);
            }
            ctx.fireChannelInactive();
        }
    }
}
