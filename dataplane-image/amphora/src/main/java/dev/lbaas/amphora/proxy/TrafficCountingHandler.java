package dev.lbaas.amphora.proxy;

import dev.lbaas.amphora.stats.TrafficCounters;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;

/**
 * Counts the bytes on the wire at the head of a pipeline, before any codec. On a client connection
 * what is read came from the client (bytes in); on a member connection what is read goes to the
 * client (bytes out).
 */
@Sharable
final class TrafficCountingHandler extends ChannelDuplexHandler {

    private final TrafficCounters counters;
    private final boolean clientSide;

    private TrafficCountingHandler(TrafficCounters counters, boolean clientSide) {
        this.counters = counters;
        this.clientSide = clientSide;
    }

    static TrafficCountingHandler clientSide(TrafficCounters listener) {
        return new TrafficCountingHandler(listener, true);
    }

    static TrafficCountingHandler memberSide(TrafficCounters member) {
        return new TrafficCountingHandler(member, false);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof ByteBuf buf) {
            if (clientSide) {
                counters.addBytesIn(buf.readableBytes());
            } else {
                counters.addBytesOut(buf.readableBytes());
            }
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (msg instanceof ByteBuf buf) {
            if (clientSide) {
                counters.addBytesOut(buf.readableBytes());
            } else {
                counters.addBytesIn(buf.readableBytes());
            }
        }
        ctx.write(msg, promise);
    }
}
