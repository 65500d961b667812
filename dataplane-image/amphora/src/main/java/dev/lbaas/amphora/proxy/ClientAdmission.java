package dev.lbaas.amphora.proxy;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.net.InetSocketAddress;

/**
 * Lets a client connection in only from an allowed network and while the listener is below its
 * connection limit; a refused connection is closed before the proxy handlers see it. Counts the
 * listener's active and total connections, and the refused ones.
 */
final class ClientAdmission extends ChannelInboundHandlerAdapter {

    private final ListenerRuntime listener;
    private boolean admitted;

    ClientAdmission(ListenerRuntime listener) {
        this.listener = listener;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        InetSocketAddress client = (InetSocketAddress) ctx.channel().remoteAddress();
        if (!listener.allows(client)) {
            listener.counters().connectionDenied();
            ctx.close();
            return;
        }
        long limit = listener.config().connectionLimit();
        long active = listener.counters().tryOpenConnection(limit);
        if (active < 0) {
            listener.counters().connectionDenied();
            ctx.close();
            return;
        }
        admitted = true;
        if (active == limit) {
            listener.fullnessChanged().run();
        }
        ctx.fireChannelActive();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (admitted) {
            long remaining = listener.counters().connectionClosed();
            if (remaining == listener.config().connectionLimit() - 1) {
                listener.fullnessChanged().run();
            }
        }
        ctx.fireChannelInactive();
    }
}
