package dev.lbaas.amphora.agent;

import dev.lbaas.amphora.Transport;
import dev.lbaas.amphora.runtime.Dataplane;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.ssl.SslContext;
import java.net.InetSocketAddress;
import java.util.concurrent.Executor;

/** The agent API server: HTTP/1.1 over two-way TLS, bodies up to 16 MiB. */
public final class AgentServer {

    static final int MAX_BODY_BYTES = 16 * 1024 * 1024;

    private AgentServer() {
    }

    /**
     * @param waiters the held status requests, woken by the data plane when health changes
     * @param configThread where configurations are applied, one at a time (it may block)
     */
    public static ChannelFuture bind(EventLoopGroup group, InetSocketAddress address, SslContext tls,
            Dataplane dataplane, StatusWaiters waiters, Executor configThread) {
        AgentHandler handler = new AgentHandler(dataplane, waiters, configThread);
        return new ServerBootstrap()
                .group(group)
                .channel(Transport.CURRENT.serverSocketChannel())
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ChannelPipeline pipeline = ch.pipeline();
                        pipeline.addLast("tls", tls.newHandler(ch.alloc()));
                        pipeline.addLast("http-codec", new HttpServerCodec());
                        pipeline.addLast("http-aggregator", new HttpObjectAggregator(MAX_BODY_BYTES));
                        pipeline.addLast("agent", handler);
                    }
                })
                .bind(address);
    }
}
