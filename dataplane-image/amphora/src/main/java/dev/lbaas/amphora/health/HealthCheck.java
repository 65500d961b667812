package dev.lbaas.amphora.health;

import dev.lbaas.amphora.config.ExpectedCodes;
import dev.lbaas.amphora.config.HealthMonitorConfig;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.NetUtil;
import io.netty.util.concurrent.Promise;
import java.net.InetSocketAddress;

/** One kind of active check. It completes its promise with the outcome; the monitor bounds its time. */
sealed interface HealthCheck {

    /**
     * Starts a check against {@code target}.
     *
     * @param bootstrap a bootstrap on the monitor's event loop, connect timeout already set
     * @return the connection the check uses, closed by the monitor once the outcome is known
     */
    ChannelFuture start(Bootstrap bootstrap, InetSocketAddress target, Promise<Boolean> outcome);

    static HealthCheck of(HealthMonitorConfig monitor) {
        return switch (monitor.type()) {
            case TCP -> new Tcp();
            case HTTP -> new Http(monitor);
            default -> throw new IllegalArgumentException("healthMonitor.type: " + monitor.type() + " is not supported yet");
        };
    }

    /** Passes when a TCP connection opens. */
    record Tcp() implements HealthCheck {
        @Override
        public ChannelFuture start(Bootstrap bootstrap, InetSocketAddress target, Promise<Boolean> outcome) {
            // Nothing is read or written: the open connection is the answer.
            return bootstrap.handler(new ChannelInboundHandlerAdapter()).connect(target)
                    .addListener(connect -> outcome.trySuccess(connect.isSuccess()));
        }
    }

    /** Passes when the answer to one request has an expected status code. */
    record Http(HealthMonitorConfig monitor, ExpectedCodes expectedCodes) implements HealthCheck {

        Http(HealthMonitorConfig monitor) {
            this(monitor, ExpectedCodes.parse(monitor.expectedCodes()));
        }

        @Override
        public ChannelFuture start(Bootstrap bootstrap, InetSocketAddress target, Promise<Boolean> outcome) {
            return bootstrap.handler(new ChannelInitializer<>() {
                @Override
                protected void initChannel(Channel ch) {
                    ch.pipeline().addLast("http-codec", new HttpClientCodec());
                    ch.pipeline().addLast("http-check", new StatusCodeCheck(outcome));
                }
            }).connect(target).addListener((ChannelFuture connect) -> {
                if (connect.isSuccess()) {
                    connect.channel().writeAndFlush(request(target));
                } else {
                    outcome.trySuccess(false);
                }
            });
        }

        private FullHttpRequest request(InetSocketAddress target) {
            HttpVersion version = monitor.httpVersion().equals("1.1") ? HttpVersion.HTTP_1_1 : HttpVersion.HTTP_1_0;
            FullHttpRequest request = new DefaultFullHttpRequest(version, HttpMethod.valueOf(monitor.httpMethod()),
                    monitor.urlPath());
            if (version == HttpVersion.HTTP_1_1) {
                String host = monitor.domainName() != null ? monitor.domainName()
                        : NetUtil.toSocketAddressString(target.getAddress().getHostAddress(), target.getPort());
                request.headers().set(HttpHeaderNames.HOST, host);
            }
            request.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            return request;
        }

        private final class StatusCodeCheck extends SimpleChannelInboundHandler<HttpObject> {
            private final Promise<Boolean> outcome;

            StatusCodeCheck(Promise<Boolean> outcome) {
                this.outcome = outcome;
            }

            @Override
            protected void channelRead0(ChannelHandlerContext ctx, HttpObject msg) {
                if (msg instanceof HttpResponse response) {
                    outcome.trySuccess(response.decoderResult().isSuccess()
                            && expectedCodes.matches(response.status().code()));
                }
            }

            @Override
            public void channelInactive(ChannelHandlerContext ctx) {
                outcome.trySuccess(false);
            }

            @Override
            public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                outcome.trySuccess(false);
            }
        }
    }
}
