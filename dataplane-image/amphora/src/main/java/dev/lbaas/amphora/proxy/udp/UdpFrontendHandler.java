package dev.lbaas.amphora.proxy.udp;

import dev.lbaas.amphora.balancing.PoolMember;
import dev.lbaas.amphora.proxy.ListenerRuntime;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.DatagramPacket;
import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The VIP socket of a UDP listener: admits client datagrams, finds or opens the client's session
 * and hands the datagram to it. Sessions are keyed by the client's address and port and touched
 * only on the VIP socket's event loop.
 */
final class UdpFrontendHandler extends ChannelInboundHandlerAdapter {

    private static final Logger LOG = LoggerFactory.getLogger(UdpFrontendHandler.class);

    private final Supplier<ListenerRuntime> current;
    private final Map<InetSocketAddress, UdpSession> sessions = new HashMap<>();
    private Channel vip;

    UdpFrontendHandler(Supplier<ListenerRuntime> current) {
        this.current = current;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        vip = ctx.channel();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        DatagramPacket datagram = (DatagramPacket) msg;
        try {
            receive(datagram.sender(), datagram.content());
        } finally {
            datagram.release();
        }
    }

    private void receive(InetSocketAddress client, ByteBuf payload) {
        ListenerRuntime listener = current.get();
        if (!listener.allows(client)) {
            // not from an allowed network: dropped, as a refused TCP connection is closed
            return;
        }
        UdpSession session = sessions.get(client);
        if (session != null && !session.follow(listener)) {
            session.end();
            session = null;
        }
        if (session == null) {
            session = open(client, listener);
            if (session == null) {
                return;
            }
        }
        listener.counters().addBytesIn(payload.readableBytes());
        session.forward(payload.retain());
    }

    /** A session for the client's first datagram, or null when the datagram is to be dropped. */
    private UdpSession open(InetSocketAddress client, ListenerRuntime listener) {
        long limit = listener.config().connectionLimit();
        long active = listener.counters().tryOpenConnection(limit);
        if (active < 0) {
            // at the connection limit: no new session
            return null;
        }
        if (active == limit) {
            listener.fullnessChanged().run();
        }
        PoolMember member = listener.pool() == null ? null : listener.pool().pick(client);
        if (member == null) {
            LOG.debug("listener {}: no member available for {}", listener.config().name(), client);
            listener.counters().requestFailed();
            released(listener);
            return null;
        }
        UdpSession session = new UdpSession(client, member, listener, vip, this::ended);
        sessions.put(client, session);
        session.open();
        return session;
    }

    private void ended(UdpSession session) {
        sessions.remove(session.client(), session);
        released(session.openedBy());
    }

    /** One session fewer on the listener, which may leave its connection limit. */
    private static void released(ListenerRuntime openedBy) {
        long remaining = openedBy.counters().connectionClosed();
        if (remaining == openedBy.config().connectionLimit() - 1) {
            openedBy.fullnessChanged().run();
        }
    }

    /**
     * Ends the sessions the current generation no longer serves, at once rather than at their
     * next datagram, so that their member sockets and connection counts go now.
     */
    void endSessionsNoLongerServed() {
        ListenerRuntime listener = current.get();
        for (UdpSession session : List.copyOf(sessions.values())) {
            if (!session.follow(listener)) {
                session.end();
            }
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        // Replies can only come from the VIP socket: without it the sessions are of no use.
        List.copyOf(sessions.values()).forEach(UdpSession::end);
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // A datagram socket goes on serving every other client after an error about one datagram.
        LOG.debug("listener socket {}: {}", ctx.channel().localAddress(), cause.toString());
    }
}
