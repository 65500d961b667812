package dev.lbaas.amphora.proxy;

import dev.lbaas.amphora.Transport;
import dev.lbaas.amphora.config.ListenerConfig;
import dev.lbaas.amphora.config.ListenerProtocol;
import dev.lbaas.amphora.proxy.http.HttpListenerInitializer;
import dev.lbaas.amphora.proxy.prometheus.PrometheusListenerInitializer;
import dev.lbaas.amphora.proxy.tcp.TcpListenerInitializer;
import dev.lbaas.amphora.proxy.udp.UdpListener;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import java.net.InetAddress;
import java.net.InetSocketAddress;

/**
 * One listening socket, kept across configuration generations for as long as a listener uses its
 * transport, address and port. A new generation only swaps what new connections get; connections
 * already accepted keep running, and closing the slot stops accepting without touching them. A
 * UDP listener's slot holds a datagram socket instead, whose sessions ({@link UdpListener}) also
 * follow new generations but end with the slot, since their replies leave through its socket.
 */
public final class ListenerSlot {

    /** Where a slot listens: a TCP and a UDP listener may share a port number. */
    public record Key(String transport, InetSocketAddress address) {

        public static Key of(ListenerConfig listener, InetAddress vip) {
            return new Key(listener.protocol().transport(), new InetSocketAddress(vip, listener.protocolPort()));
        }

        @Override
        public String toString() {
            return transport + " " + address.getAddress().getHostAddress() + ":" + address.getPort();
        }
    }

    private final InetSocketAddress address;
    /** Set for a UDP listener, which serves sessions rather than accepted connections. */
    private final UdpListener datagrams;
    private volatile ListenerRuntime current;
    private volatile ListenerInitializer initializer;
    private Channel serverChannel;
    /** Bound with SO_REUSEPORT, so that the pair's other amphora can bind it too during a handover. */
    private final boolean sharedWithPair;

    /**
     * @param sharedWithPair whether the amphora serves an ACTIVE_STANDBY pair, whose other amphora
     *     binds the same address while the VIP passes between them
     */
    public ListenerSlot(InetSocketAddress address, ListenerRuntime listener, boolean sharedWithPair) {
        this.address = address;
        this.sharedWithPair = sharedWithPair;
        this.datagrams = listener.config().protocol() == ListenerProtocol.UDP ? new UdpListener(this::current) : null;
        serve(listener);
    }

    /**
     * Binds the address without accepting yet: connections wait in the kernel's backlog until
     * {@link #startAccepting()}, so that a configuration whose other listeners fail to bind never
     * serves a single connection.
     */
    public ChannelFuture bind(EventLoopGroup group) {
        if (datagrams != null) {
            ChannelFuture bound = datagrams.bind(group, address, sharedWithPair);
            serverChannel = bound.channel();
            return bound;
        }
        ChannelFuture bound = new ServerBootstrap()
                .group(group)
                .channel(Transport.CURRENT.serverSocketChannel())
                .option(ChannelOption.SO_REUSEADDR, true)
                .option(Transport.CURRENT.reusePort(), sharedWithPair)
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
        if (datagrams != null) {
            datagrams.generationChanged();
            return;
        }
        this.initializer = switch (listener.config().protocol()) {
            case HTTP, TERMINATED_HTTPS -> new HttpListenerInitializer(listener, this::current);
            case PROMETHEUS -> new PrometheusListenerInitializer(listener);
            default -> new TcpListenerInitializer(listener);
        };
    }

    /** Whether its socket is bound and open. */
    public boolean isOpen() {
        return serverChannel != null && serverChannel.isOpen();
    }

    public ListenerRuntime current() {
        return current;
    }

    public InetSocketAddress address() {
        return address;
    }

    /** Where the socket is bound: {@link #address()} with the port the kernel chose for port 0. */
    public InetSocketAddress boundAddress() {
        return (InetSocketAddress) serverChannel.localAddress();
    }

    /** Stops accepting; established connections finish on their own (UDP sessions end with it). */
    public ChannelFuture close() {
        return serverChannel.close();
    }
}
