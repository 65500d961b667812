package dev.lbaas.amphora.agent;

import dev.lbaas.amphora.Transport;
import dev.lbaas.amphora.runtime.Dataplane;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/**
 * Plain-HTTP probes for the kubelet, which cannot present the operator's client certificate:
 * {@code GET /healthz} answers 200 while the process serves its agent API (liveness), and {@code
 * GET /readyz} answers 200 once a configuration is served, 503 before (readiness: a new amphora
 * gets VIP traffic only once the operator has programmed it); {@code GET /readyz/master} 200 only
 * while it is its pair's master, listeners bound (a VIP Service that selects both amphorae of a
 * pair reaches the master alone). They tell nothing else: no
 * configuration, no member, no address.
 */
public final class ProbeServer {

    private ProbeServer() {
    }

    public static ChannelFuture bind(EventLoopGroup group, InetSocketAddress address, Dataplane dataplane) {
        ChannelHandler handler = new Probes(dataplane);
        return new ServerBootstrap()
                .group(group)
                .channel(Transport.CURRENT.serverSocketChannel())
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new HttpServerCodec(1024, 4096, 1024), new HttpObjectAggregator(0), handler);
                    }
                })
                .bind(address);
    }

    @ChannelHandler.Sharable
    private static final class Probes extends SimpleChannelInboundHandler<FullHttpRequest> {

        private final Dataplane dataplane;

        Probes(Dataplane dataplane) {
            this.dataplane = dataplane;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
            String path = new QueryStringDecoder(request.uri()).path();
            HttpResponseStatus status;
            String body;
            if (path.equals("/healthz")) {
                status = HttpResponseStatus.OK;
                body = "ok\n";
            } else if (path.equals("/readyz/master")) {
                boolean master = dataplane.servesAsMaster();
                status = master ? HttpResponseStatus.OK : HttpResponseStatus.SERVICE_UNAVAILABLE;
                body = master ? "master of its pair, serving the VIP\n" : "not the master of its pair\n";
            } else if (path.equals("/readyz")) {
                long generation = dataplane.appliedGeneration();
                status = generation > 0 ? HttpResponseStatus.OK : HttpResponseStatus.SERVICE_UNAVAILABLE;
                body = generation > 0 ? "serving configuration generation " + generation + "\n"
                        : "no configuration yet\n";
            } else {
                status = HttpResponseStatus.NOT_FOUND;
                body = "probes: /healthz, /readyz, /readyz/master\n";
            }
            FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
                    Unpooled.copiedBuffer(body, StandardCharsets.US_ASCII));
            response.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain")
                    .setInt(HttpHeaderNames.CONTENT_LENGTH, response.content().readableBytes())
                    .set(HttpHeaderNames.CONNECTION, "close");
            ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}
