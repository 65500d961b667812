package dev.lbaas.amphora.sync;

import dev.lbaas.amphora.Transport;
import dev.lbaas.amphora.balancing.StickTables;
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
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import io.netty.handler.timeout.ReadTimeoutHandler;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.util.ArrayDeque;
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
 * One amphora's side of its pair's session sync (see the package). While it is the pair's master
 * it streams its bindings to its peer, reconnecting when the connection breaks; otherwise it
 * accepts its peer's stream and restores what arrives into its own tables. Everything of the
 * publishing side runs on one event loop.
 *
 * <p>Bounded everywhere: bindings wait in a queue while the connection is not writable (a slow or
 * paused standby), and a queue that grows past {@link #MAX_QUEUED} is dropped and the connection
 * started over, since a new connection sends every binding in force anyway. The listening side
 * takes connections from its peer's address only, two at most, drops one that sends nothing for
 * {@link #IDLE_SECONDS} (the master sends an empty frame every {@link #HEARTBEAT_SECONDS}), and
 * refuses frames longer than a binding of the longest key can make before reading their MAC.
 */
public final class SessionSync implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SessionSync.class);
    static final int MAX_QUEUED = 100_000;
    static final int HEARTBEAT_SECONDS = 5;
    static final int IDLE_SECONDS = 4 * HEARTBEAT_SECONDS;
    private static final int MAX_CONNECTIONS = 2;
    private static final int MAX_BODY = 60_000;
    private static final long RECONNECT_MILLIS = 200;
    /** The master stops writing while this much waits for the standby, and goes on below the low mark. */
    private static final WriteBufferWaterMark WATER_MARK = new WriteBufferWaterMark(256 * 1024, 1024 * 1024);
    private static final SecureRandom RANDOM = new SecureRandom();

    private final EventLoop loop;
    private final StickTables tables;
    private final SyncFrames frames;
    private final ChannelGroup accepted = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
    private volatile Channel server;
    /** Where this amphora's own connections come from: its advert address, which its peer expects. */
    private volatile InetAddress source;
    /** The peer's address: the only one connections are taken from. */
    private volatile InetAddress expectedPeer;
    /** True while this amphora publishes (is master): what a peer sends then is stale and dropped. */
    private volatile boolean publishing;
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
    /** Bindings of the first dump that wait for the connection to become writable again. */
    private final Queue<Binding> dump = new ArrayDeque<>();
    private ScheduledFuture<?> heartbeat;
    private boolean closed;

    private SessionSync(EventLoop loop, StickTables tables, SyncFrames frames) {
        this.loop = loop;
        this.tables = tables;
        this.frames = frames;
    }

    /**
     * Listens for the pair's master at {@code listen} (TCP) and restores what it sends into {@code tables}.
     *
     * @param peer the peer's address, the only one whose connections are taken
     * @throws IllegalStateException when the address cannot be bound
     */
    public static SessionSync start(EventLoopGroup group, String loadBalancer, InetSocketAddress listen,
            InetAddress peer, byte[] key, StickTables tables) throws InterruptedException {
        SessionSync self = new SessionSync(group.next(), tables, new SyncFrames(loadBalancer, key));
        self.expectedPeer = peer;
        self.source = listen.getAddress().isAnyLocalAddress() ? null : listen.getAddress();
        var bound = new ServerBootstrap()
                .group(group)
                .channel(Transport.CURRENT.serverSocketChannel())
                .option(ChannelOption.SO_REUSEADDR, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel channel) {
                        self.accept(channel);
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

    private void accept(SocketChannel channel) {
        InetAddress from = channel.remoteAddress().getAddress();
        if (!from.equals(expectedPeer) || accepted.size() >= MAX_CONNECTIONS) {
            LOG.debug("session sync: connection from {} refused (the peer is {}, {} connections open)", from,
                    expectedPeer, accepted.size());
            channel.close();
            return;
        }
        accepted.add(channel);
        channel.pipeline().addLast(
                new ReadTimeoutHandler(IDLE_SECONDS),
                new LengthFieldBasedFrameDecoder(SyncFrames.MAX_FRAME, 0, 4, 0, 4),
                new Receiver(this, nextNonce()));
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

    /** The peer moved (it was replaced): connections are taken from its new address only. */
    public void expectPeer(InetAddress newPeer) {
        expectedPeer = newPeer;
    }

    /**
     * Streams this amphora's bindings to the peer listening at {@code peer} from now on (the
     * amphora became master, or its peer moved); null stops streaming (it is master no more).
     */
    public void publishTo(InetSocketAddress newPeer) {
        publishing = newPeer != null;
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
        publishing = false;
        loop.execute(() -> {
            closed = true;
            peer = null;
            tables.publishTo(StickTables.Sink.NONE);
            disconnect();
        });
        server.close().awaitUninterruptibly();
        accepted.close().awaitUninterruptibly();
    }

    /** Whether a binding is told to the standby: one whose key is too long for a frame is not. */
    private static boolean syncable(String key) {
        return key.length() <= SyncFrames.MAX_KEY_CHARS;
    }

    /** From any event loop: a binding made or used again. */
    private void enqueue(String poolId, String key, String memberId) {
        if (!syncable(key)) {
            return;
        }
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
        Bootstrap bootstrap = new Bootstrap();
        if (source != null) {
            bootstrap.localAddress(source, 0);
        }
        Channel channel = bootstrap
                .group(loop)
                .channel(Transport.CURRENT.socketChannel())
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 1_000)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.WRITE_BUFFER_WATER_MARK, WATER_MARK)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel channel) {
                        // The greeting comes at once; a peer that says nothing is not our standby.
                        channel.pipeline().addLast(new ReadTimeoutHandler(IDLE_SECONDS), new Publisher());
                    }
                })
                .connect(target).channel();
        connection = channel;
        channel.closeFuture().addListener(closedFuture -> {
            if (connection == channel) {
                connection = null;
                nonce = null;
                dump.clear();
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
        dump.clear();
        if (heartbeat != null) {
            heartbeat.cancel(false);
            heartbeat = null;
        }
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
        tables.forEach((poolId, key, memberId) -> {
            if (syncable(key)) {
                dump.add(new Binding(poolId, key, memberId));
            }
        });
        LOG.info("session sync: sending {} bindings to the standby at {}", dump.size(), channel.remoteAddress());
        heartbeat = loop.scheduleAtFixedRate(() -> {
            if (channel == connection && nonce != null && channel.isWritable()) {
                write(channel, List.of());
            }
        }, HEARTBEAT_SECONDS, HEARTBEAT_SECONDS, TimeUnit.SECONDS);
        flush();
    }

    /** Writes what waits, the first dump first, while the connection takes it. */
    private void flush() {
        flushScheduled.set(false);
        Channel channel = connection;
        if (channel == null || nonce == null) {
            return; // sent with everything else once connected
        }
        while (channel.isWritable() && !dump.isEmpty()) {
            write(channel, take(dump, false));
        }
        while (channel.isWritable() && !queue.isEmpty()) {
            write(channel, take(queue, true));
        }
    }

    /** Up to one frame's worth of bindings from {@code from}. */
    private List<Binding> take(Queue<Binding> from, boolean counted) {
        List<Binding> batch = new ArrayList<>();
        int size = 2;
        for (Binding next = from.peek(); next != null && batch.size() < 0xffff; next = from.peek()) {
            int bytes = SyncFrames.size(next);
            if (!batch.isEmpty() && size + bytes > MAX_BODY) {
                break;
            }
            from.poll();
            if (counted) {
                queued.decrementAndGet();
            }
            batch.add(next);
            size += bytes;
        }
        return batch;
    }

    private void write(Channel channel, List<Binding> bindings) {
        int size = 2 + bindings.stream().mapToInt(SyncFrames::size).sum();
        ByteBuf out = channel.alloc().buffer(4 + size + SyncFrames.MAC_LENGTH);
        frames.writeFrame(out, nonce, nextFrame++, bindings);
        channel.writeAndFlush(out, channel.voidPromise());
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
                // Greeted: from now on the standby says nothing, and silence is no fault.
                ctx.pipeline().remove(ReadTimeoutHandler.class);
            } catch (SyncFrames.Rejected e) {
                LOG.warn("session sync: {} at {}", e.getMessage(), ctx.channel().remoteAddress());
                ctx.close();
            } finally {
                greeting.release();
                greeting = null;
            }
        }

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) {
            if (ctx.channel().isWritable()) {
                flush();
            }
            ctx.fireChannelWritabilityChanged();
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
                if (sync.publishing) {
                    return; // a master's own bindings are the newest; a stale master's are not taken
                }
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
