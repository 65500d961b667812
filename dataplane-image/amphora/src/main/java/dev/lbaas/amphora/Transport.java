package dev.lbaas.amphora;

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
import java.util.Locale;
import java.util.concurrent.ThreadFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The socket implementation under the amphora's event loops: Linux epoll through Netty's native
 * transport where it loads, Java NIO elsewhere. epoll is edge-triggered, avoids the JDK selector's
 * garbage and locks, and reads and writes with fewer copies, which is most of what a proxy does.
 *
 * <p>A channel must come from the same transport as the event loop it is registered with, so every
 * bootstrap asks {@link #CURRENT} for its channel type. {@code -Dlbaas.amphora.transport=nio}
 * forces NIO, for comparison or when the native library misbehaves.
 */
public enum Transport {
    EPOLL,
    NIO;

    private static final Logger LOG = LoggerFactory.getLogger(Transport.class);

    /** The transport of this process, chosen once. */
    public static final Transport CURRENT = choose();

    private static Transport choose() {
        String forced = System.getProperty("lbaas.amphora.transport", "").toLowerCase(Locale.ROOT);
        if (forced.equals("nio")) {
            return NIO;
        }
        if (Epoll.isAvailable()) {
            return EPOLL;
        }
        if (forced.equals("epoll")) {
            throw new IllegalStateException("epoll was asked for but is not available", Epoll.unavailabilityCause());
        }
        LOG.info("native epoll transport unavailable ({}), using Java NIO", Epoll.unavailabilityCause().toString());
        return NIO;
    }

    public IoHandlerFactory ioHandlerFactory() {
        return this == EPOLL ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
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
        return this == EPOLL ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
    }

    public Class<? extends SocketChannel> socketChannel() {
        return this == EPOLL ? EpollSocketChannel.class : NioSocketChannel.class;
    }

    public Class<? extends DatagramChannel> datagramChannel() {
        return this == EPOLL ? EpollDatagramChannel.class : NioDatagramChannel.class;
    }
}
