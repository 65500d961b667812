package dev.lbaas.amphora.proxy.udp;

import dev.lbaas.amphora.Transport;
import dev.lbaas.amphora.balancing.Pool;
import dev.lbaas.amphora.balancing.PoolMember;
import dev.lbaas.amphora.config.MemberHealth;
import dev.lbaas.amphora.proxy.ListenerRuntime;
import dev.lbaas.amphora.stats.TrafficCounters;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.DatagramPacket;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client's session on a UDP listener: the member chosen for it and a datagram socket
 * connected to that member, which only accepts datagrams from the member. Used on the VIP
 * socket's event loop only.
 */
final class UdpSession {

    private static final Logger LOG = LoggerFactory.getLogger(UdpSession.class);

    /** Datagrams kept while the member socket opens; more are dropped. */
    private static final int MAX_PENDING = 16;

    private final InetSocketAddress client;
    private final ListenerRuntime openedBy;
    private final Channel vip;
    private final Consumer<UdpSession> onEnd;
    /** The member's counters as the session opened, so that its close is counted where its open was. */
    private final TrafficCounters memberCounters;
    private final ArrayDeque<ByteBuf> pending = new ArrayDeque<>();
    /** The member in the generation last followed, whose health the running monitors report. */
    private PoolMember member;
    private ListenerRuntime followed;
    private Channel memberChannel;
    private boolean connected;
    private boolean ended;

    UdpSession(InetSocketAddress client, PoolMember member, ListenerRuntime openedBy, Channel vip,
            Consumer<UdpSession> onEnd) {
        this.client = client;
        this.member = member;
        this.openedBy = openedBy;
        this.followed = openedBy;
        this.vip = vip;
        this.onEnd = onEnd;
        this.memberCounters = member.counters();
    }

    InetSocketAddress client() {
        return client;
    }

    ListenerRuntime openedBy() {
        return openedBy;
    }

    /** Opens the member socket on the VIP socket's event loop; datagrams wait in {@link #pending} meanwhile. */
    void open() {
        memberCounters.connectionOpened();
        ChannelFuture connect = new Bootstrap()
                .group(vip.eventLoop())
                .channel(Transport.CURRENT.datagramChannel())
                .option(ChannelOption.RCVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(UdpListener.MAX_DATAGRAM))
                .handler(new ChannelInitializer<DatagramChannel>() {
                    @Override
                    protected void initChannel(DatagramChannel ch) {
                        // Datagrams either way reset it: the client's go out here, the member's come in here.
                        ch.pipeline().addLast("session-idle", new IdleStateHandler(0, 0,
                                openedBy.config().timeouts().clientDataMillis(), TimeUnit.MILLISECONDS));
                        ch.pipeline().addLast("member-replies", new MemberReplies());
                    }
                })
                .connect(member.endpoint());
        memberChannel = connect.channel();
        connect.addListener((ChannelFuture done) -> {
            if (ended) {
                return;
            }
            if (!done.isSuccess()) {
                LOG.debug("session of {}: cannot open a socket to member {}: {}", client, member,
                        done.cause().toString());
                end();
                return;
            }
            connected = true;
            ByteBuf next;
            while ((next = pending.poll()) != null) {
                send(next);
            }
        });
    }

    /** Sends a client datagram to the member; takes ownership of {@code payload}. */
    void forward(ByteBuf payload) {
        if (ended) {
            payload.release();
        } else if (!connected) {
            if (pending.size() < MAX_PENDING) {
                pending.add(payload);
            } else {
                payload.release();
            }
        } else {
            send(payload);
        }
    }

    private void send(ByteBuf payload) {
        if (!memberChannel.isWritable()) {
            payload.release();
            return;
        }
        memberCounters.addBytesIn(payload.readableBytes());
        // a failed send reaches MemberReplies.exceptionCaught, which ends the session
        memberChannel.writeAndFlush(payload, memberChannel.voidPromise());
    }

    /**
     * Whether the session may go on under this listener generation: the generation's pool is
     * enabled and still has the member (same id and address) enabled, and the member is not known
     * to be down. Draining (weight 0) does not end a session: draining means no new ones.
     */
    boolean follow(ListenerRuntime listener) {
        if (listener != followed) {
            followed = listener;
            member = sameMemberIn(listener.pool());
        }
        return member != null && member.health() != MemberHealth.DOWN;
    }

    private PoolMember sameMemberIn(Pool pool) {
        if (member == null || pool == null || !pool.config().adminStateUp()) {
            return null;
        }
        for (PoolMember candidate : pool.members()) {
            if (candidate.sameEndpoint(member) && candidate.config().adminStateUp()) {
                return candidate;
            }
        }
        return null;
    }

    /** Ends the session: its member socket closes and it stops counting. Idempotent. */
    void end() {
        if (ended) {
            return;
        }
        ended = true;
        ByteBuf next;
        while ((next = pending.poll()) != null) {
            next.release();
        }
        memberChannel.close();
        memberCounters.connectionClosed();
        onEnd.accept(this);
    }

    /** The end of the member socket's pipeline: the member's datagrams go back to the client from the VIP. */
    private final class MemberReplies extends ChannelInboundHandlerAdapter {

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            DatagramPacket reply = (DatagramPacket) msg;
            try {
                if (!ended && vip.isActive() && vip.isWritable()) {
                    int bytes = reply.content().readableBytes();
                    memberCounters.addBytesOut(bytes);
                    openedBy.counters().addBytesOut(bytes);
                    vip.writeAndFlush(new DatagramPacket(reply.content().retain(), client), vip.voidPromise());
                }
            } finally {
                reply.release();
            }
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof IdleStateEvent) {
                end();
            } else {
                ctx.fireUserEventTriggered(evt);
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            end();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            // typically PortUnreachableException: nothing listens on the member's port (any more)
            LOG.debug("session of {} with member {}: {}", client, member, cause.toString());
            end();
        }
    }
}
