package dev.lbaas.amphora.proxy.http;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The end of an HTTP member connection's pipeline. While a client connection uses the member
 * connection, events go to that client's {@link Owner}; while the connection idles in its pool,
 * anything but silence ends it. Switching owners is a field write, so a connection changes hands
 * without touching its pipeline.
 */
final class MemberLink extends ChannelInboundHandlerAdapter {

    private static final Logger LOG = LoggerFactory.getLogger(MemberLink.class);

    /** What a client connection using the member connection is told. */
    interface Owner {
        void memberRead(MemberLink link, Object msg);

        void memberReadComplete(MemberLink link);

        /** The member connection's outbound buffer crossed a watermark. */
        void memberWritabilityChanged(MemberLink link);

        void memberInactive(MemberLink link);

        void memberIdle(MemberLink link);
    }

    private final MemberConnectionPools.Key key;
    private final MemberConnectionPools.LoopPool pool;
    /** An HTTP/2 stream to a member, which carries one exchange and ends with it. */
    private final boolean singleUse;
    private Channel channel;
    private Owner owner;
    /** Whether the connection sits in its pool; maintained by the pool. */
    boolean pooled;
    /** An HTTP/2 stream the member refused, or that a GOAWAY left out: the member did not act on its request. */
    private boolean unprocessed;

    MemberLink(MemberConnectionPools.Key key, MemberConnectionPools.LoopPool pool) {
        this(key, pool, false);
    }

    /** @param singleUse whether the link is an HTTP/2 stream, closed when released instead of pooled */
    MemberLink(MemberConnectionPools.Key key, MemberConnectionPools.LoopPool pool, boolean singleUse) {
        this.key = key;
        this.pool = pool;
        this.singleUse = singleUse;
    }

    MemberConnectionPools.Key key() {
        return key;
    }

    Channel channel() {
        return channel;
    }

    /** Whether the member is known not to have acted on the request sent on this link. */
    boolean unprocessed() {
        return unprocessed;
    }

    void markUnprocessed() {
        unprocessed = true;
    }

    void attach(Owner newOwner) {
        owner = newOwner;
    }

    /**
     * The owner lets go of the connection: it goes back to its pool, or is closed if it may not
     * (an HTTP/2 stream, whose exchange is over, just ends).
     */
    void release() {
        owner = null;
        if (singleUse || !pool.offer(this)) {
            channel.close();
        }
    }

    /** The owner is done with the connection and it is not to be reused. */
    void discard() {
        owner = null;
        channel.close();
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        channel = ctx.channel();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        Owner current = owner;
        if (current == null) {
            // nothing was asked: a member talking out of turn loses its connection
            ReferenceCountUtil.release(msg);
            discardIdle();
            return;
        }
        current.memberRead(this, msg);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        Owner current = owner;
        if (current != null) {
            current.memberReadComplete(this);
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        Owner current = owner;
        if (current != null) {
            current.memberWritabilityChanged(this);
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        Owner current = owner;
        if (current != null) {
            owner = null;
            current.memberInactive(this);
        } else if (pooled) {
            pool.remove(this);
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (!(evt instanceof IdleStateEvent)) {
            ctx.fireUserEventTriggered(evt);
            return;
        }
        Owner current = owner;
        if (current == null) {
            discardIdle();
        } else {
            current.memberIdle(this);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        LOG.debug("member connection failed", cause);
        ctx.close();
    }

    private void discardIdle() {
        if (pooled) {
            pool.remove(this);
        }
        channel.close();
    }
}
