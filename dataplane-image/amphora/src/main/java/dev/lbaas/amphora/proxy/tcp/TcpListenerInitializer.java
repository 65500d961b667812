package dev.lbaas.amphora.proxy.tcp;

import dev.lbaas.amphora.balancing.PoolMember;
import dev.lbaas.amphora.proxy.ListenerInitializer;
import dev.lbaas.amphora.proxy.ListenerRuntime;
import dev.lbaas.amphora.proxy.MemberPipeline;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelPipeline;

/**
 * TCP listeners (and HTTPS passed through as TCP): each client connection is spliced to one
 * member connection, bytes flowing both ways with backpressure.
 */
public final class TcpListenerInitializer extends ListenerInitializer {

    public TcpListenerInitializer(ListenerRuntime listener) {
        super(listener);
    }

    @Override
    protected void addProxyHandlers(ChannelPipeline pipeline) {
        pipeline.addLast("tcp-frontend", new TcpFrontendHandler(listener));
    }

    /** The pipeline of the member connection that serves {@code client}. */
    static ChannelHandler memberPipeline(PoolMember member, ListenerRuntime listener, Channel client) {
        return MemberPipeline.create(member, listener, listener.pool(), client, pipeline ->
                pipeline.addLast("tcp-backend", new TcpBackendHandler(client)));
    }
}
