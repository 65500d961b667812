package dev.lbaas.amphora.proxy.udp;

import dev.lbaas.amphora.Transport;
import dev.lbaas.amphora.proxy.ListenerRuntime;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.FixedRecvByteBufAllocator;
import java.net.InetSocketAddress;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Supplier;

/**
 * A UDP listener (Octavia's UDP listener with a UDP pool): one datagram socket on the VIP and
 * port, and a session per client address and port. A client's first datagram opens its session:
 * the pool picks the member (with any algorithm, SOURCE_IP hashing included) and the session gets
 * its own datagram socket connected to that member. The client's datagrams go to the member on
 * it, and what the member sends back on it goes to the client from the VIP socket, so that
 * replies come from the address and port the client wrote to.
 *
 * <p>A session ends after the listener's client data timeout passes without a datagram either
 * way: UDP has no close, a session is the client's "connection", and the client data timeout is
 * Octavia's idle time for a client connection. It also ends when its member leaves the pool, is
 * disabled or found down (a UDP client cannot notice a dead member, so its next datagram goes to
 * another one), and when the listener closes. It survives a new configuration generation that
 * keeps its member, as TCP connections do; a draining member (weight 0) keeps its sessions.
 * Sessions are the listener's connections: connectionLimit bounds them (datagrams that would open
 * one more are dropped) and the statistics count them.
 *
 * <p>The VIP socket and all its sessions' member sockets run on one event loop, so sessions need
 * no locks. UDP has no backpressure: a datagram that finds its socket's send buffer full is
 * dropped, as the network would drop it, rather than queued without bound.
 */
public final class UdpListener {

    /**
     * The largest UDP payload. Netty's default receive buffer for datagram channels is 2 KiB and
     * would silently cut bigger datagrams.
     */
    static final int MAX_DATAGRAM = 65_535;

    private final UdpFrontendHandler frontend;
    private volatile Channel channel;

    /** @param current the listener's current generation, consulted for every datagram */
    public UdpListener(Supplier<ListenerRuntime> current) {
        this.frontend = new UdpFrontendHandler(current);
    }

    /**
     * Binds the address without reading yet: datagrams wait in the socket's buffer until the
     * channel's auto-read is turned on (see {@code ListenerSlot#startAccepting}).
     */
    /** @param sharedWithPair whether the pair's other amphora may bind the port too (SO_REUSEPORT) */
    public ChannelFuture bind(EventLoopGroup group, InetSocketAddress address, boolean sharedWithPair) {
        ChannelFuture bound = new Bootstrap()
                .group(group)
                .channel(Transport.CURRENT.datagramChannel())
                // No SO_REUSEADDR: on Linux it would let a second UDP socket bind the same port.
                .option(Transport.CURRENT.reusePort(), sharedWithPair)
                .option(ChannelOption.AUTO_READ, false)
                .option(ChannelOption.RCVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(MAX_DATAGRAM))
                .handler(frontend)
                .bind(address);
        channel = bound.channel();
        return bound;
    }

    /** A new generation serves the listener: sessions it no longer serves end. Any thread. */
    public void generationChanged() {
        Channel bound = channel;
        if (bound == null) {
            return;
        }
        try {
            bound.eventLoop().execute(frontend::endSessionsNoLongerServed);
        } catch (RejectedExecutionException e) {
            // the event loop is shutting down and ends the sessions with their channels
        }
    }
}
