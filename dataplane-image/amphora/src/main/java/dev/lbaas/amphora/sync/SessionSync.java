package dev.lbaas.amphora.sync;

import dev.lbaas.amphora.balancing.StickTables;
import dev.lbaas.amphora.Transport;
import dev.lbaas.amphora.sync.SyncFrames.Binding;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One amphora's side of its pair's session sync (see the package): it always accepts the master's
 * stream, restoring what arrives into its own tables, and while it is the master itself it streams
 * its bindings to its peer, reconnecting when the connection breaks. Everything of the publishing
 * side runs on one event loop.
 *
 * <p>Bindings wait in a queue while the peer is slow or away; a queue that grows past {@link
 * #MAX_QUEUED} is dropped and the connection started over, since a new connection sends every
 * binding in force anyway.
 */
public final class SessionSync implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SessionSync.class);
    static final int MAX_QUEUED = 100_000;
    private static final int MAX_BODY = 60_000;
    private static final long RECONNECT_MILLIS = 200;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final EventLoop loop;
    private final StickTables tables;
    private final SyncFrames frames;
    private volatile Channel server;
    private final Queue<Binding> queue = new ConcurrentLinkedQueue<>();
    private final AtomicInteger queued = new AtomicInteger();
    private final AtomicBoolean flushScheduled = new AtomicBoolean();
    private final AtomicInteger restored = new AtomicInteger();
    /**
     * Nonces are this instance's random half and a count of its connections: never the same twice,
     * and nothing an event loop waits for the system's random source to make.
     */
    private final long noncePrefix = RANDOM.nextLong();
    private final AtomicLong connections = new AtomicLong();

    // On the loop only:
    private InetSocketAddress peer;
    private Channel connection;
    private byte[] nonce;
    private long nextFrame;
    private boolean closed;

    private SessionSync(EventLoop loop, StickTables tables, SyncFrames frames) {
        this.loop = loop;
        this.tables = tables;
        this.frames = frames;
    }

    /**
     * Listens for the pair's master at {@code listen} (TCP) and restores what it sends into {@code tables}.
     *
     * @throws IllegalStateException when the address cannot be bound
     */
    public static SessionSync start(EventLoopGroup group, String loadBalancer, InetSocketAddress listen, byte[] key,
            StickTables tables) throws InterruptedException {
        SessionSync self = new SessionSync(group.next(), tables, new SyncFrames(loadBalancer, key));
        var bound = new ServerBootstrap()
                .group(group)
                .channel(Transport.CURRENT.serverSocketChannel())
                .option(ChannelOption.SO_REUSEADDR, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel channel) {
                        byte[] connectionNonce = self.nextNonce();
                        channel.pipeline().addLast(
                                new LengthFieldBasedFrameDecoder(SyncFrames.MAX_FRAME, 0, 4, 0, 4),
                                new Receiver(self, connectionNonce));
                    }
                })
                .bind(listen).await();
        if (!bound.isSuccess()) {
            throw new IllegalStateException("session sync cannot listen on " + listen + ": " + bound.cause(),
                    bound.cause());
        }
        self.server = bound.channel();
        return self;
    }

    private byte[] nextNonce() {
        return ByteBuffer.allocate(SyncFrames.NONCE_LENGTH).putLong(noncePrefix).putLong(connections.incrementAndGet())
                .array();
    }

    /** The address it listens on. */
    public InetSocketAddress address() {
        return (InetSocketAddress) server.localAddress();
    }

    /** How many bindings it restored from its peer, for tests and logs. */
    public int restored() {
        return restored.get();
    }

    /**
     * Streams this amphora's bindings to the peer listening at {@code peer} from now on (the
     * amphora became master, or its peer moved); null stops streaming (it is master no more).
     */
    public void publishTo(InetSocketAddress newPeer) {
        loop.execute(() -> {
            if (closed || Objects.equals(peer, newPeer)) {
                return;
            }
            peer = newPeer;
            disconnect();
            if (newPeer == null) {
                tables.publishTo(StickTables.Sink.NONE);
                queue.clear();
                queued.set(0);
            } else {
                tables.publishTo(this::enqueue);
                connect();
            }
        });
    }

    @Override
    public void close() {
        loop.execute(() -> {
            closed = true;
            peer = null;
            tables.publishTo(StickTables.Sink.NONE);
            disconnect();
        });
        server.close().awaitUninterruptibly();
    }

    /** From any event loop: a binding made or used again. */
    private void enqueue(String poolId, String key, String memberId) {
        if (queued.incrementAndGet() > MAX_QUEUED) {
            queued.decrementAndGet();
            if (flushScheduled.compareAndSet(false, true)) {
                loop.execute(this::overflowed);
            }
            return;
        }
        queue.add(new Binding(poolId, key, memberId));
        if (flushScheduled.compareAndSet(false, true)) {
            loop.execute(this::flush);
        }
    }

    private void overflowed() {
        flushScheduled.set(false);
        LOG.warn("session sync: more than {} bindings wait for the peer {}; starting over with all of them",
                MAX_QUEUED, peer);
        queue.clear();
        queued.set(0);
        disconnect();
        connect();
    }

    private void connect() {
        if (closed || peer == null || connection != null) {
            return;
        }
        InetSocketAddress target = peer;
        Channel channel = new Bootstrap()
                .group(loop)
                .channel(Transport.CURRENT.socketChannel())
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 1_000)
                .option(ChannelOption.TCP_NODELAY, true)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel channel) {
                        channel.pipeline().addLast(new Publisher());
                    }
                })
                .connect(target).channel();
        connection = channel;
        channel.closeFuture().addListener(closedFuture -> {
            if (connection == channel) {
                connection = null;
                nonce = null;
                if (!closed && target.equals(peer)) {
                    loop.schedule(this::connect, RECONNECT_MILLIS, TimeUnit.MILLISECONDS);
                }
            }
        });
    }

    private void disconnect() {
        Channel current = connection;
        connection = null;
        nonce = null;
        if (current != null) {
            current.close();
        }
    }

    /** Greeted by the peer: every binding in force, then whatever comes. */
    private void greeted(Channel channel, byte[] greetingNonce) {
        if (channel != connection) {
            return;
        }
        nonce = greetingNonce;
        nextFrame = 0;
        List<Binding> all = new ArrayList<>();
        tables.forEach((poolId, key, memberId) -> all.add(new Binding(poolId, key, memberId)));
        write(channel, all);
        LOG.info("session sync: {} bindings sent to the standby at {}", all.size(), channel.remoteAddress());
        flush();
    }

    private void flush() {
        flushScheduled.set(false);
        Channel channel = connection;
        if (channel == null || nonce == null) {
            return; // sent with everything else once connected
        }
        List<Binding> batch = new ArrayList<>();
        for (Binding binding = queue.poll(); binding != null; binding = queue.poll()) {
            queued.decrementAndGet();
            batch.add(binding);
        }
        write(channel, batch);
    }

    /** Writes bindings as frames of at most {@link #MAX_BODY} bytes each. */
    private void write(Channel channel, List<Binding> bindings) {
        int from = 0;
        while (from < bindings.size()) {
            int size = 2;
            int to = from;
            while (to < bindings.size() && to - from < 0xffff) {
                int next = SyncFrames.size(bindings.get(to));
                if (to > from && size + next > MAX_BODY) {
                    break;
                }
                size += next;
                to++;
            }
            ByteBuf out = channel.alloc().buffer(4 + size + SyncFrames.MAC_LENGTH);
            frames.writeFrame(out, nonce, nextFrame++, bindings.subList(from, to));
            channel.write(out);
            from = to;
        }
        channel.flush();
    }

    /** The master's end of a connection: waits for the greeting, then only writes. */
    private final class Publisher extends SimpleChannelInboundHandler<ByteBuf> {

        private ByteBuf greeting;

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, ByteBuf in) {
            if (nonce != null && ctx.channel() == connection) {
                return; // the standby says nothing after its greeting
            }
            if (greeting == null) {
                greeting = ctx.alloc().buffer(SyncFrames.GREETING_LENGTH);
            }
            greeting.writeBytes(in, Math.min(in.readableBytes(), greeting.writableBytes()));
            if (greeting.isWritable()) {
                return;
            }
            try {
                greeted(ctx.channel(), SyncFrames.readGreeting(greeting));
            } catch (SyncFrames.Rejected e) {
                LOG.warn("session sync: {} at {}", e.getMessage(), ctx.channel().remoteAddress());
                ctx.close();
            } finally {
                greeting.release();
                greeting = null;
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (greeting != null) {
                greeting.release();
                greeting = null;
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            LOG.debug("session sync to {} failed: {}", ctx.channel().remoteAddress(), cause.toString());
            ctx.close();
        }
    }

    /** The standby's end of a connection: greets, then restores every frame that proves itself. */
    private static final class Receiver extends SimpleChannelInboundHandler<ByteBuf> {

        private final SessionSync sync;
        private final byte[] nonce;
        private long nextFrame;

        Receiver(SessionSync sync, byte[] nonce) {
            this.sync = sync;
            this.nonce = nonce;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            ByteBuf greeting = ctx.alloc().buffer(SyncFrames.GREETING_LENGTH);
            SyncFrames.writeGreeting(greeting, nonce);
            ctx.writeAndFlush(greeting);
            ctx.fireChannelActive();
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, ByteBuf frame) {
            try {
                List<Binding> bindings = sync.frames.readFrame(frame, nonce, nextFrame++);
                bindings.forEach(b -> sync.tables.restore(b.poolId(), b.key(), b.memberId()));
                sync.restored.addAndGet(bindings.size());
            } catch (SyncFrames.Rejected e) {
                LOG.warn("session sync from {} refused: {}", ctx.channel().remoteAddress(), e.getMessage());
                ctx.close();
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            LOG.debug("session sync from {} failed: {}", ctx.channel().remoteAddress(), cause.toString());
            ctx.close();
        }
    }
}
