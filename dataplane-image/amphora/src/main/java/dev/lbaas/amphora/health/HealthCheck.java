package dev.lbaas.amphora.health;

import dev.lbaas.amphora.Transport;
import dev.lbaas.amphora.config.ExpectedCodes;
import dev.lbaas.amphora.config.HealthMonitorConfig;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ConnectTimeoutException;
import io.netty.channel.EventLoop;
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
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import io.netty.util.NetUtil;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Promise;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;

/**
 * One kind of active check. It completes its promise with the outcome; the monitor bounds its
 * time and, when the time is up, takes {@link #passesWhenSilent()} as the outcome.
 */
sealed interface HealthCheck {

    /**
     * Starts a check against {@code target}. Must not block: it runs on the monitor's event loop.
     *
     * @param loop the monitor's event loop, where the outcome's listeners run
     * @param timeoutMillis the monitor's timeout, for connects and probes that need their own
     * @return what to release (a connection to close) once the outcome is known
     */
    Runnable start(EventLoop loop, InetSocketAddress target, long timeoutMillis, Promise<Boolean> outcome);

    /** The outcome when the check heard nothing within the timeout. Only UDP takes silence for health. */
    default boolean passesWhenSilent() {
        return false;
    }

    /**
     * @param ping how this process can ping (see {@link PingMethod#detect()})
     * @param blockingProbes runs the ICMP probes, which block, away from the event loops
     */
    static HealthCheck of(HealthMonitorConfig monitor, PingMethod ping, Executor blockingProbes) {
        return switch (monitor.type()) {
            case TCP -> new Tcp();
            case HTTP -> new Http(monitor, null);
            case HTTPS -> new Http(monitor, untrustingClientTls());
            case TLS_HELLO -> new TlsHello(untrustingClientTls());
            case PING -> ping == PingMethod.ICMP_ECHO ? new IcmpEcho(blockingProbes) : new TcpReachability();
            case UDP_CONNECT -> new UdpConnect();
            case SCTP -> throw new IllegalArgumentException(
                    "healthMonitor.type: SCTP is not available on this platform");
        };
    }

    private static Bootstrap tcp(EventLoop loop, long timeoutMillis, ChannelHandler handler) {
        return new Bootstrap().group(loop).channel(Transport.CURRENT.socketChannel())
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, timeoutMillis))
                .handler(handler);
    }

    /**
     * TLS for HTTPS and TLS-HELLO checks. Like Octavia (HAProxy's {@code check-ssl verify none}),
     * the member's certificate is not verified: the check asks whether the member serves, not
     * whether it is who it claims to be, and members commonly use self-signed or internal
     * certificates the amphora has no CA for. Clients' traffic is not affected by this choice.
     */
    private static SslContext untrustingClientTls() {
        try {
            return SslContextBuilder.forClient().trustManager(InsecureTrustManagerFactory.INSTANCE).build();
        } catch (SSLException e) {
            throw new IllegalStateException("cannot build the TLS context of health checks", e);
        }
    }

    /** A TLS client handler; with a domain name, it is sent as SNI so virtual-hosted members answer. */
    private static SslHandler tlsHandler(SslContext tls, Channel ch, InetSocketAddress target, String domainName) {
        SslHandler handler = tls.newHandler(ch.alloc(), target.getAddress().getHostAddress(), target.getPort());
        if (domainName != null) {
            SSLEngine engine = handler.engine();
            SSLParameters parameters = engine.getSSLParameters();
            parameters.setServerNames(List.of(new SNIHostName(domainName)));
            engine.setSSLParameters(parameters);
        }
        return handler;
    }

    /** Passes when a TCP connection opens. */
    record Tcp() implements HealthCheck {
        @Override
        public Runnable start(EventLoop loop, InetSocketAddress target, long timeoutMillis, Promise<Boolean> outcome) {
            // Nothing is read or written: the open connection is the answer.
            ChannelFuture connect = tcp(loop, timeoutMillis, new ChannelInboundHandlerAdapter()).connect(target)
                    .addListener(done -> outcome.trySuccess(done.isSuccess()));
            return () -> connect.channel().close();
        }
    }

    /**
     * HTTP and HTTPS: passes when the answer to one request has an expected status code.
     *
     * @param tls null for plain HTTP
     */
    record Http(HealthMonitorConfig monitor, ExpectedCodes expectedCodes, SslContext tls) implements HealthCheck {

        Http(HealthMonitorConfig monitor, SslContext tls) {
            this(monitor, ExpectedCodes.parse(monitor.expectedCodes()), tls);
        }

        @Override
        public Runnable start(EventLoop loop, InetSocketAddress target, long timeoutMillis, Promise<Boolean> outcome) {
            ChannelFuture connect = tcp(loop, timeoutMillis, new ChannelInitializer<>() {
                @Override
                protected void initChannel(Channel ch) {
                    if (tls != null) {
                        ch.pipeline().addLast("tls", tlsHandler(tls, ch, target, monitor.domainName()));
                    }
                    ch.pipeline().addLast("http-codec", new HttpClientCodec());
                    ch.pipeline().addLast("http-check", new StatusCodeCheck(outcome));
                }
            }).connect(target).addListener((ChannelFuture done) -> {
                if (done.isSuccess()) {
                    // With TLS the SslHandler holds the request until the handshake is done.
                    done.channel().writeAndFlush(request(target));
                } else {
                    outcome.trySuccess(false);
                }
            });
            return () -> connect.channel().close();
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
                // a failed handshake lands here too
                outcome.trySuccess(false);
            }
        }
    }

    /** TLS-HELLO: passes when a TLS handshake with the member completes; nothing is sent after it. */
    record TlsHello(SslContext tls) implements HealthCheck {
        @Override
        public Runnable start(EventLoop loop, InetSocketAddress target, long timeoutMillis, Promise<Boolean> outcome) {
            ChannelFuture connect = tcp(loop, timeoutMillis, new ChannelInitializer<>() {
                @Override
                protected void initChannel(Channel ch) {
                    SslHandler handler = tlsHandler(tls, ch, target, null);
                    handler.handshakeFuture().addListener(handshake -> outcome.trySuccess(handshake.isSuccess()));
                    ch.pipeline().addLast("tls", handler);
                    ch.pipeline().addLast("ignore-handshake-errors", new ChannelInboundHandlerAdapter() {
                        @Override
                        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                            // the handshake future already carries the outcome
                        }
                    });
                }
            }).connect(target).addListener(done -> {
                if (!done.isSuccess()) {
                    outcome.trySuccess(false);
                }
            });
            return () -> connect.channel().close();
        }
    }

    /**
     * PING where the process may send ICMP: one echo request through {@link
     * java.net.InetAddress#isReachable(int)}, which blocks for up to the timeout and so runs on
     * {@code blockingProbes}, never on the event loop. Only the address is used, not the port.
     */
    record IcmpEcho(Executor blockingProbes) implements HealthCheck {
        @Override
        public Runnable start(EventLoop loop, InetSocketAddress target, long timeoutMillis, Promise<Boolean> outcome) {
            int timeout = (int) Math.min(Integer.MAX_VALUE, timeoutMillis);
            CompletableFuture.supplyAsync(() -> {
                try {
                    return target.getAddress().isReachable(timeout);
                } catch (IOException e) {
                    return false;
                }
            }, blockingProbes).whenComplete((reachable, failure) -> outcome.trySuccess(Boolean.TRUE.equals(reachable)));
            // an echo in flight cannot be called back; it ends on its own within the timeout
            return () -> { };
        }
    }

    /**
     * PING where the process may not send ICMP (no CAP_NET_RAW, as in most containers): a TCP
     * connection to the member's monitor port. A connection that opens or is refused both prove
     * that the host is alive (a refusal is the host's own TCP stack answering), as the JDK's and
     * HAProxy's fallbacks reason; a timeout or an unreachable host fails.
     */
    record TcpReachability() implements HealthCheck {
        @Override
        public Runnable start(EventLoop loop, InetSocketAddress target, long timeoutMillis, Promise<Boolean> outcome) {
            ChannelFuture connect = tcp(loop, timeoutMillis, new ChannelInboundHandlerAdapter()).connect(target)
                    .addListener(done -> outcome.trySuccess(done.isSuccess() || refused(done.cause())));
            return () -> connect.channel().close();
        }

        /**
         * A reset in answer to the connection request; timeouts are ConnectExceptions too, but prove nothing.
         * NIO says "Connection refused: host/ip:port", epoll "finishConnect(..) failed: Connection refused: ...".
         */
        static boolean refused(Throwable cause) {
            return cause instanceof ConnectException && !(cause instanceof ConnectTimeoutException)
                    && cause.getMessage() != null && cause.getMessage().contains("Connection refused");
        }
    }

    /**
     * UDP-CONNECT, as keepalived's UDP_CHECK that Octavia uses: one datagram to the member on a
     * connected socket. An ICMP port unreachable comes back as a {@link java.net.PortUnreachableException}
     * and fails the check; an answer passes, and so does silence until the timeout, since most UDP
     * services ignore a datagram they do not understand.
     */
    record UdpConnect() implements HealthCheck {

        /** One byte: some stacks and Netty skip empty datagrams, and any payload draws the ICMP error. */
        private static final byte[] PROBE = {0};

        @Override
        public Runnable start(EventLoop loop, InetSocketAddress target, long timeoutMillis, Promise<Boolean> outcome) {
            ChannelFuture connect = new Bootstrap().group(loop).channel(Transport.CURRENT.datagramChannel())
                    .handler(new ChannelInboundHandlerAdapter() {
                        @Override
                        public void channelRead(ChannelHandlerContext ctx, Object msg) {
                            ReferenceCountUtil.release(msg);
                            outcome.trySuccess(true);
                        }

                        @Override
                        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                            outcome.trySuccess(false);
                        }
                    })
                    .connect(target).addListener((ChannelFuture done) -> {
                        if (done.isSuccess()) {
                            done.channel().writeAndFlush(Unpooled.wrappedBuffer(PROBE)).addListener(sent -> {
                                if (!sent.isSuccess()) {
                                    outcome.trySuccess(false);
                                }
                            });
                        } else {
                            outcome.trySuccess(false);
                        }
                    });
            return () -> connect.channel().close();
        }

        @Override
        public boolean passesWhenSilent() {
            return true;
        }
    }
}
