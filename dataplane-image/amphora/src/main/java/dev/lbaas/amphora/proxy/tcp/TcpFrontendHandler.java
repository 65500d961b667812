package dev.lbaas.amphora.proxy.tcp;

import dev.lbaas.amphora.proxy.Channels;
import dev.lbaas.amphora.proxy.ListenerRuntime;
import dev.lbaas.amphora.proxy.MemberConnector;
import dev.lbaas.amphora.stats.TrafficCounters;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The client side of a TCP proxy connection. Reads from the client go on only while the member
 * connection takes what it is sent (its outbound buffer under the high watermark), so a slow member
 * slows the client rather than filling memory. Flow control by writability instead of waiting for
 * each write to complete spares a promise listener per read.
 */
final class TcpFrontendHandler extends ChannelInboundHandlerAdapter {

    private static final Logger LOG = LoggerFactory.getLogger(TcpFrontendHandler.class);

    private final ListenerRuntime listener;
    private Channel member;

    TcpFrontendHandler(ListenerRuntime listener) {
        this.listener = listener;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        Channel client = ctx.channel();
        MemberConnector.connect(client, listener.pool(), MemberConnector.pick(client, listener.pool()),
                listener.config().timeouts().memberConnectMillis(),
                chosen -> TcpListenerInitializer.memberPipeline(chosen, listener, client)).addListener((Future<MemberConnector.Connected> f) -> {
                    if (!f.isSuccess()) {
                        LOG.debug("listener {}: {}", listener.config().name(), f.cause().getMessage());
                        listener.counters().requestFailed();
                        client.close();
                    } else if (!client.isActive()) {
                        f.getNow().channel().close();
                    } else {
                        member = f.getNow().channel();
                        // on TCP a member session is the member connection
                        TrafficCounters memberCounters = f.getNow().member().counters();
                        memberCounters.connectionOpened();
                        member.closeFuture().addListener(closed -> memberCounters.connectionClosed());
                        client.read();
                    }
                });
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (member == null || !member.isActive()) {
            ReferenceCountUtil.release(msg);
            return;
        }
        // A failed write reaches the member's exceptionCaught, which closes both sides.
        member.write(msg, member.voidPromise());
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (member != null) {
            member.flush();
            if (member.isWritable()) {
                ctx.read();
            }
            // else the member side reads on when it has drained (TcpBackendHandler#channelWritabilityChanged)
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (ctx.channel().isWritable() && member != null) {
            member.read();
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        Channels.closeOnFlush(member);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof IdleStateEvent) {
            ctx.close();
        } else {
            ctx.fireUserEventTriggered(evt);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        LOG.debug("listener {}: client connection failed", listener.config().name(), cause);
        Channels.closeOnFlush(ctx.channel());
    }
}
