package dev.lbaas.amphora.proxy;

import dev.lbaas.amphora.Transport;
import dev.lbaas.amphora.proxy.http.HttpListenerInitializer;
import dev.lbaas.amphora.proxy.prometheus.PrometheusListenerInitializer;
import dev.lbaas.amphora.proxy.tcp.TcpListenerInitializer;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import java.net.InetSocketAddress;

/**
 * One listening socket, kept across configuration generations for as long as a listener uses its
 * address and port. A new generation only swaps what new connections get; connections already
 * accepted keep running, and closing the slot stops accepting without touching them.
 */
public final class ListenerSlot {

    private final InetSocketAddress address;
    private volatile ListenerRuntime current;
    private volatile ListenerInitializer initializer;
    private Channel serverChannel;

    public ListenerSlot(InetSocketAddress address, ListenerRuntime listener) {
        this.address = address;
        serve(listener);
    }

    /**
     * Binds the address without accepting yet: connections wait in the kernel's backlog until
     * {@link #startAccepting()}, so that a configuration whose other listeners fail to bind never
     * serves a single connection.
     */
    public ChannelFuture bind(EventLoopGroup group) {
        ChannelFuture bound = new ServerBootstrap()
                .group(group)
                .channel(Transport.CURRENT.serverSocketChannel())
                .option(ChannelOption.SO_REUSEADDR, true)
                .option(ChannelOption.AUTO_READ, false)
                // proxies read from clients only as fast as members take the data
                .childOption(ChannelOption.AUTO_READ, false)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast("listener", initializer);
                    }
                })
                .bind(address);
        serverChannel = bound.channel();
        return bound;
    }

    public void startAccepting() {
        serverChannel.config().setAutoRead(true);
    }

    /** From now on new connections get this generation of the listener. */
    public void serve(ListenerRuntime listener) {
        this.current = listener;
        this.initializer = switch (listener.config().protocol()) {
            case HTTP -> new HttpListenerInitializer(listener, this::current);
            case PROMETHEUS -> new PrometheusListenerInitializer(listener);
            default -> new TcpListenerInitializer(listener);
        };
    }

    public ListenerRuntime current() {
        return current;
    }

    public InetSocketAddress address() {
        return address;
    }

    /** Stops accepting; established connections finish on their own. */
    public ChannelFuture close() {
        return serverChannel.close();
    }
}
