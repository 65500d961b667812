package dev.lbaas.amphora.proxy;

import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.SocketChannel;

/**
 * Builds the pipeline of an accepted client connection for one listener generation: the handlers
 * every listener kind shares, then the kind's own. One instance serves all connections accepted
 * while its generation is current.
 */
@Sharable
public abstract class ListenerInitializer extends ChannelInitializer<SocketChannel> {

    protected final ListenerRuntime listener;

    protected ListenerInitializer(ListenerRuntime listener) {
        this.listener = listener;
    }

    @Override
    protected final void initChannel(SocketChannel ch) {
        listener.connections().add(ch);
        ChannelPipeline pipeline = ch.pipeline();
        pipeline.addLast("client-traffic", TrafficCountingHandler.clientSide(listener.counters()));
        pipeline.addLast("client-admission", new ClientAdmission(listener));
        // Octavia's client data timeout: the connection is closed when nothing moves either way.
        pipeline.addLast("client-idle", new InactivityTimeout(listener.config().timeouts().clientDataMillis()));
        addProxyHandlers(pipeline);
    }

    /** Adds the handlers of this listener kind after the shared ones. */
    protected abstract void addProxyHandlers(ChannelPipeline pipeline);
}
