package dev.lbaas.amphora.proxy.http;

import dev.lbaas.amphora.balancing.Pool;
import dev.lbaas.amphora.balancing.PoolMember;
import dev.lbaas.amphora.proxy.InactivityTimeout;
import dev.lbaas.amphora.proxy.ListenerRuntime;
import dev.lbaas.amphora.proxy.MemberPipeline;
import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http2.DefaultHttp2WindowUpdateFrame;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2GoAwayFrame;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2ResetFrame;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import io.netty.handler.codec.http2.HttpConversionUtil;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.AttributeKey;
import io.netty.util.concurrent.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * HTTP/2 connections to the members of a pool that speaks HTTP/2 to them (h2 by ALPN over TLS,
 * h2c with prior knowledge without). One connection per member and event loop carries a stream
 * per exchange ({@link MemberConnectionPools.LoopPool#http2Connection}); a stream is a member
 * connection to {@link HttpProxyHandler} like any other, behind Netty's conversion of its frames
 * to HTTP/1.1 messages, with a {@link MemberLink} that ends it with its exchange instead of
 * pooling it. A connection that cannot take another stream (the member's stream limit, or a
 * GOAWAY) gets no new ones and ends once it has none and the member data timeout passed.
 */
final class Http2MemberConnections {

    private static final Logger LOG = LoggerFactory.getLogger(Http2MemberConnections.class);

    /** What a member may send on a stream before the exchange's client reads on (HTTP/2's default). */
    private static final int STREAM_WINDOW = 65_535;

    /**
     * Streams one connection carries at once; more open another connection. Its window holds a
     * stream window for each, so that exchanges whose clients read slowly cannot stop the others.
     */
    static final int MAX_STREAMS = 16;

    /** Set on a connection on which a stream timed out: no new stream goes on it, since it may be dead. */
    private static final AttributeKey<Boolean> SUSPECT = AttributeKey.valueOf(Http2MemberConnections.class, "suspect");

    private Http2MemberConnections() {
    }

    /** The pipeline of a new HTTP/2 connection to {@code member}. */
    static ChannelHandler pipeline(PoolMember member, ListenerRuntime listener, Pool pool, Channel client) {
        return MemberPipeline.create(member, listener, pool, client, pipeline -> {
            pipeline.addLast("h2-codec", Http2FrameCodecBuilder.forClient()
                    .initialSettings(Http2Settings.defaultSettings()
                            .pushEnabled(false)
                            .initialWindowSize(STREAM_WINDOW)
                            .maxHeaderListSize(64 * 1024))
                    .validateHeaders(true)
                    // a response without :status is malformed, as a request without :path is
                    .validateRequiredPseudoHeaders(true)
                    .build());
            pipeline.addLast("h2-unknown-frames", Http2Connections.UnknownFrames.DROP);
            // members open no streams (push is off): the handler for them is never used
            pipeline.addLast("h2-streams", new Http2MultiplexHandler(new ChannelInboundHandlerAdapter()));
            pipeline.addLast("h2-member", new ConnectionLifetime());
            // Streams are read as their exchanges ask; the connection is read all the time, since
            // every stream's frames come through it and flow control bounds what they hold.
            pipeline.channel().config().setAutoRead(true);
        });
    }

    /** Whether new streams may go on {@code connection}. */
    static boolean takesAnotherStream(Channel connection) {
        Http2FrameCodec codec = connection.pipeline().get(Http2FrameCodec.class);
        return connection.isActive() && codec != null && !codec.connection().goAwayReceived()
                && !codec.connection().goAwaySent() && codec.connection().local().canOpenStream()
                && codec.connection().numActiveStreams() < MAX_STREAMS && !connection.hasAttr(SUSPECT);
    }

    /**
     * Opens a stream on {@code connection} for one exchange, ending in {@code link}.
     *
     * @param idleMillis the listener's member data timeout, which a stream's silence ends it after
     */
    static Future<Http2StreamChannel> openStream(Channel connection, MemberLink link, long idleMillis) {
        return new Http2StreamChannelBootstrap(connection)
                .option(ChannelOption.AUTO_READ, false)
                .handler(new ChannelInitializer<Http2StreamChannel>() {
                    @Override
                    protected void initChannel(Http2StreamChannel stream) {
                        stream.pipeline().addLast("member-idle", new InactivityTimeout(idleMillis));
                        stream.pipeline().addLast("h2-http", new Http2StreamFrameToHttpObjectCodec(false, true));
                        stream.pipeline().addLast("h2-messages", new StreamMessages(link));
                        stream.pipeline().addLast("member-link", link);
                    }
                })
                .open();
    }

    /**
     * A member stream's messages: every request says the amphora takes trailers (gRPC members
     * require it; the amphora passes trailers on); the conversion's own field leaves each
     * response before the client could see it; a response whose body differs from its
     * Content-Length is failed (Netty's codec lets a client take an empty one, which answers a
     * HEAD); and what the stream's end says about its request is noted on its link.
     */
    private static final class StreamMessages extends ChannelDuplexHandler {
        private final MemberLink link;
        private boolean head;
        private long contentLength = -1;
        private long received;

        StreamMessages(MemberLink link) {
            this.link = link;
        }

        @Override
        public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
            if (msg instanceof HttpRequest request) {
                head = HttpMethod.HEAD.equals(request.method());
                request.headers().set(HttpHeaderNames.TE, HttpHeaderValues.TRAILERS);
            }
            ctx.write(msg, promise);
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof HttpResponse response) {
                response.headers().remove(HttpConversionUtil.ExtensionHeaderNames.STREAM_ID.text());
                int code = response.status().code();
                boolean bodyless = head || code < 200 || code == 204 || code == 304;
                contentLength = bodyless ? -1 : HttpUtil.getContentLength(response, -1L);
                received = 0;
            }
            if (msg instanceof HttpContent content) {
                received += content.content().readableBytes();
                if (msg instanceof LastHttpContent && contentLength >= 0 && received != contentLength) {
                    ((HttpObject) msg).setDecoderResult(DecoderResult.failure(new IllegalStateException(
                            "the body's length differs from its Content-Length")));
                }
            }
            ctx.fireChannelRead(msg);
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof Http2ResetFrame reset && reset.errorCode() == Http2Error.REFUSED_STREAM.code()) {
                link.markUnprocessed();
            } else if (evt instanceof Http2GoAwayFrame goAway) {
                // fired at the streams the GOAWAY leaves out, which the member did not process
                link.markUnprocessed();
                goAway.release();
                return;
            } else if (evt instanceof IdleStateEvent) {
                // nothing came for the stream for the member data timeout: its connection may be dead
                ctx.channel().parent().attr(SUSPECT).set(Boolean.TRUE);
            }
            ctx.fireUserEventTriggered(evt);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            LOG.debug("member stream failed", cause);
            if (!Http2StreamMessages.endsStream(ctx, cause)) {
                ctx.fireExceptionCaught(cause);
            }
        }
    }

    /**
     * The connection as a whole: over TLS it must have agreed on h2, and it ends when the member
     * data timeout passes without a stream.
     */
    private static final class ConnectionLifetime extends ChannelInboundHandlerAdapter {
        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            ctx.fireChannelActive();
            // after the codec's preface: a connection window for MAX_STREAMS streams
            ctx.writeAndFlush(new DefaultHttp2WindowUpdateFrame((MAX_STREAMS - 1) * STREAM_WINDOW));
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof SslHandshakeCompletionEvent handshake && handshake.isSuccess()) {
                SslHandler tls = ctx.pipeline().get(SslHandler.class);
                if (!ApplicationProtocolNames.HTTP_2.equals(tls.applicationProtocol())) {
                    LOG.debug("member {} did not agree on h2 (ALPN: {})", ctx.channel().remoteAddress(),
                            tls.applicationProtocol());
                    ctx.close();
                    return;
                }
            } else if (evt instanceof IdleStateEvent) {
                Http2FrameCodec codec = ctx.pipeline().get(Http2FrameCodec.class);
                if (codec == null || codec.connection().numActiveStreams() == 0) {
                    ctx.close();
                }
                return;
            }
            ctx.fireUserEventTriggered(evt);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            LOG.debug("HTTP/2 member connection failed", cause);
            if (Http2CodecUtil.getEmbeddedHttp2Exception(cause) == null) {
                // a protocol error is the codec's to end, with a GOAWAY naming it
                ctx.close();
            }
        }
    }
}
