package dev.lbaas.amphora;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.uring.IoUringServerSocketChannel;
import io.netty.channel.uring.IoUring;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class TransportTest {

    @Test
    void linuxGetsIoUringWhereTheKernelAllowsItAndEpollOnRequest() throws IOException {
        assumeNativeLibrariesPackaged();
        assertThat(Epoll.unavailabilityCause()).isNull();
        assertThat(Transport.choose("epoll")).isEqualTo(Transport.EPOLL);
        Path disabled = Path.of("/proc/sys/kernel/io_uring_disabled");
        assumeTrue(!Files.exists(disabled) || Files.readString(disabled).trim().equals("0"),
                "the kernel refuses io_uring here");
        assertThat(IoUring.unavailabilityCause()).isNull();
        assertThat(Transport.choose("auto")).isEqualTo(Transport.IO_URING);
        assertThat(Transport.choose("io_uring")).isEqualTo(Transport.IO_URING);
    }

    @Test
    void theProcessServesConnectionsOnTheTransportItsPropertyNames() throws Exception {
        assumeNativeLibrariesPackaged();
        String named = System.getProperty(Transport.PROPERTY, "auto");
        boolean ioUring = IoUring.isAvailable();
        Class<?> expected = switch (named) {
            case "epoll" -> EpollServerSocketChannel.class;
            case "nio" -> NioServerSocketChannel.class;
            default -> ioUring ? IoUringServerSocketChannel.class : EpollServerSocketChannel.class;
        };
        EventLoopGroup group = Transport.CURRENT.newEventLoopGroup(1);
        try {
            Channel server = new ServerBootstrap().group(group).channel(Transport.CURRENT.serverSocketChannel())
                    .childHandler(new ChannelInboundHandlerAdapter())
                    .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)).sync().channel();
            assertThat(server).isInstanceOf(expected);
            server.close().sync();
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
        assertThat(Transport.choose("NIO")).isEqualTo(Transport.NIO);
    }

    @Test
    void anUnknownTransportIsRefusedNamingTheProperty() {
        assertThatThrownBy(() -> Transport.choose("kqueue"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("-Dlbaas.amphora.transport must be auto, io_uring, epoll or nio, got kqueue");
    }

    private static void assumeNativeLibrariesPackaged() {
        String os = System.getProperty("os.name").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch");
        assumeTrue(os.contains("linux") && (arch.equals("amd64") || arch.equals("aarch64")),
                "the native libraries are packaged for Linux x86_64 and aarch64 only");
    }
}
