package dev.lbaas.amphora;

import java.net.StandardSocketOptions;
import io.netty.channel.socket.nio.NioChannelOption;
import io.netty.channel.unix.UnixChannelOption;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.ServerSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringDatagramChannel;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringServerSocketChannel;
import io.netty.channel.uring.IoUringSocketChannel;
import java.util.Locale;
import java.util.concurrent.ThreadFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The socket implementation under the amphora's event loops: Linux io_uring where the kernel
 * allows it, else Linux epoll, both through Netty's native transports, else Java NIO.
 *
 * <p>Most of a proxy's time is the kernel's (receiving and sending on both of its connections), and
 * how that time is asked for is what sets the transports apart. epoll, edge-triggered, makes one
 * system call per read and per write and one per wait. io_uring queues reads and writes in a ring
 * shared with the kernel and submits a whole event loop turn's worth with one call, which in the
 * benchmark (docs/benchmark.md) served about 10% more keep-alive HTTP requests per second than
 * epoll on the same CPU. Container runtimes' default seccomp profiles, and some kernels
 * ({@code kernel.io_uring_disabled}), refuse io_uring: the amphora then uses epoll, and says so.
 *
 * <p>A channel must come from the same transport as the event loop it is registered with, so every
 * bootstrap asks {@link #CURRENT} for its channel type. {@code -Dlbaas.amphora.transport=io_uring},
 * {@code epoll} or {@code nio} asks for one transport, and fails when it is not available; unset
 * or {@code auto} takes the first available.
 */
public enum Transport {
    IO_URING,
    EPOLL,
    NIO;

    private static final Logger LOG = LoggerFactory.getLogger(Transport.class);

    /** The system property naming the transport. */
    static final String PROPERTY = "lbaas.amphora.transport";

    /** The transport of this process, chosen once. */
    public static final Transport CURRENT = choose(System.getProperty(PROPERTY, "auto"));

    /** The transport asked for by {@code requested}; throws when it cannot be had. */
    static Transport choose(String requested) {
        switch (requested.toLowerCase(Locale.ROOT)) {
            case "auto", "" -> {
                if (IoUring.isAvailable()) {
                    return IO_URING;
                }
                LOG.info("io_uring unavailable ({}), trying epoll", IoUring.unavailabilityCause().toString());
                if (Epoll.isAvailable()) {
                    return EPOLL;
                }
                LOG.info("native epoll transport unavailable ({}), using Java NIO", Epoll.unavailabilityCause().toString());
                return NIO;
            }
            case "io_uring" -> {
                return required(IO_URING, "io_uring", IoUring.isAvailable(), IoUring.unavailabilityCause());
            }
            case "epoll" -> {
                return required(EPOLL, "epoll", Epoll.isAvailable(), Epoll.unavailabilityCause());
            }
            case "nio" -> {
                return NIO;
            }
            default -> throw new IllegalArgumentException(
                    "-D" + PROPERTY + " must be auto, io_uring, epoll or nio, got " + requested);
        }
    }

    /** {@code transport}, asked for by name, or why it cannot be had. */
    private static Transport required(Transport transport, String name, boolean available, Throwable cause) {
        if (!available) {
            throw new IllegalStateException(name + " was asked for but is not available", cause);
        }
        return transport;
    }

    public IoHandlerFactory ioHandlerFactory() {
        return switch (this) {
            case EPOLL -> EpollIoHandler.newFactory();
            case IO_URING -> IoUringIoHandler.newFactory();
            case NIO -> NioIoHandler.newFactory();
        };
    }

    /** Event loops of this transport; {@code threads} 0 means Netty's default. */
    public EventLoopGroup newEventLoopGroup(int threads) {
        return new MultiThreadIoEventLoopGroup(threads, ioHandlerFactory());
    }

    /** Event loops of this transport on threads of {@code threads} (see {@link CpuAffinity}). */
    public EventLoopGroup newEventLoopGroup(int threads, ThreadFactory threadFactory) {
        return new MultiThreadIoEventLoopGroup(threads, threadFactory, ioHandlerFactory());
    }

    public Class<? extends ServerSocketChannel> serverSocketChannel() {
        return switch (this) {
            case EPOLL -> EpollServerSocketChannel.class;
            case IO_URING -> IoUringServerSocketChannel.class;
            case NIO -> NioServerSocketChannel.class;
        };
    }

    public Class<? extends SocketChannel> socketChannel() {
        return switch (this) {
            case EPOLL -> EpollSocketChannel.class;
            case IO_URING -> IoUringSocketChannel.class;
            case NIO -> NioSocketChannel.class;
        };
    }

    /**
     * SO_REUSEPORT as this transport sets it: two sockets on one address and port, as the two
     * amphorae of a pair on one host hold the VIP together while it passes from one to the other.
     */
    public ChannelOption<Boolean> reusePort() {
        return switch (this) {
            case EPOLL, IO_URING -> UnixChannelOption.SO_REUSEPORT;
            case NIO -> NioChannelOption.of(StandardSocketOptions.SO_REUSEPORT);
        };
    }

    public Class<? extends DatagramChannel> datagramChannel() {
        return switch (this) {
            case EPOLL -> EpollDatagramChannel.class;
            case IO_URING -> IoUringDatagramChannel.class;
            case NIO -> NioDatagramChannel.class;
        };
    }
}
