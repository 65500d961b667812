package dev.lbaas.amphora.testing;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.haproxy.HAProxyMessage;
import io.netty.handler.codec.haproxy.HAProxyMessageDecoder;
import io.netty.handler.codec.haproxy.HAProxyProtocolVersion;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A member behind a PROXY or PROXYV2 pool: Netty's {@link HAProxyMessageDecoder} reads the PROXY
 * header (either version) every connection must start with, and the member tells what it saw,
 * as "v1 TCP4 127.0.0.1:40000 -> 127.1.2.3:8080". In TCP mode that line greets the connection,
 * then everything is echoed; in HTTP mode it is the body of every response. A connection without
 * a valid header is closed.
 */
public final class ProxyProtocolBackend implements AutoCloseable {

    public enum Mode { TCP, HTTP }

    /** Connections accepted, to tell whether member connections were reused. */
    public final AtomicInteger accepted = new AtomicInteger();
    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final Channel server;
    private final Mode mode;

    public ProxyProtocolBackend(Mode mode) throws InterruptedException {
        this.mode = mode;
        server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        accepted.incrementAndGet();
                        ch.pipeline().addLast("proxy-decoder", new HAProxyMessageDecoder());
                        ch.pipeline().addLast("header", new HeaderReader());
                    }
                })
                .bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
    }

    public int port() {
        return ((InetSocketAddress) server.localAddress()).getPort();
    }

    /** What the member reports for a header from {@code client} to {@code vip}. */
    public static String seen(String version, InetSocketAddress client, InetSocketAddress vip) {
        return version + " TCP4 " + client.getAddress().getHostAddress() + ":" + client.getPort() + " -> "
                + vip.getAddress().getHostAddress() + ":" + vip.getPort();
    }

    private final class HeaderReader extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (!(msg instanceof HAProxyMessage header)) {
                // the decoder passes nothing else before a header: anything else is a protocol error
                ReferenceCountUtil.release(msg);
                ctx.close();
                return;
            }
            String seen = (header.protocolVersion() == HAProxyProtocolVersion.V1
                    ? "v1" : "v2") + " " + header.proxiedProtocol() + " " + header.sourceAddress() + ":"
                    + header.sourcePort() + " -> " + header.destinationAddress() + ":" + header.destinationPort();
            header.release();
            if (mode == Mode.TCP) {
                ctx.pipeline().replace(this, "echo", new Echo());
                ctx.writeAndFlush(Unpooled.copiedBuffer(seen + "\n", StandardCharsets.UTF_8));
            } else {
                ctx.pipeline().replace(this, "http-codec", new HttpServerCodec());
                ctx.pipeline().addLast("http-aggregator", new HttpObjectAggregator(64 * 1024));
                ctx.pipeline().addLast("answer", new Answer(seen));
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }

    private static final class Echo extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ctx.writeAndFlush(msg);
        }
    }

    private static final class Answer extends ChannelInboundHandlerAdapter {
        private final String seen;

        Answer(String seen) {
            this.seen = seen;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ((FullHttpRequest) msg).release();
            ByteBuf body = Unpooled.copiedBuffer(seen, StandardCharsets.UTF_8);
            FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK, body);
            response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, body.readableBytes());
            ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
        }
    }

    @Override
    public void close() {
        server.close().syncUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
