package dev.lbaas.amphora.proxy.http;

import dev.lbaas.amphora.proxy.InactivityTimeout;
import dev.lbaas.amphora.proxy.ListenerRuntime;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.http2.DefaultHttp2WindowUpdateFrame;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import io.netty.handler.codec.http2.Http2UnknownFrame;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * HTTP/2 client connections of an HTTP or TERMINATED_HTTPS listener: chosen by ALPN after a TLS
 * handshake ({@link #negotiation()}), or recognised by HTTP/2's connection preface on a
 * cleartext listener that takes h2c with prior knowledge ({@link #priorKnowledge()}). A
 * connection starts as HTTP/1.1 and its HTTP/1.1 handlers are swapped for Netty's HTTP/2 frame
 * codec and stream multiplexer once it turns out to speak HTTP/2.
 *
 * <p>Each stream is one exchange, served by its own {@link HttpProxyHandler} exactly as an
 * HTTP/1.1 connection's requests are (the same request rules, L7 policies, member choice, pooled
 * HTTP/1.1 member connections), its messages turned into HTTP/1.1's by
 * {@link Http2StreamFrameToHttpObjectCodec}. Backpressure is HTTP/2's flow control: a stream's
 * window is given back to the client only as its handler reads, which it does only while the
 * member connection takes what it is sent, and a stream is writable only while the client's
 * window for it is open, which is when the handler reads on from the member.
 *
 * <p>What HTTP/2 may carry that HTTP/1.1 cannot (connection-specific fields, a Content-Length
 * that differs from the DATA frames, field values with CR, LF or NUL, more header bytes than
 * {@link #MAX_HEADER_LIST_SIZE}) is refused by Netty's codec or by the conversion, before any
 * member is chosen; what remains is checked by {@link RequestRules} as an HTTP/1.1 request is.
 */
public final class Http2Connections {

    private static final Logger LOG = LoggerFactory.getLogger(Http2Connections.class);

    /** Streams a client may have open at once (HAProxy's default). */
    static final int MAX_CONCURRENT_STREAMS = 100;

    /** The header section a client may send, as on HTTP/1.1 connections. */
    static final int MAX_HEADER_LIST_SIZE = 32 * 1024;

    /** What a client may send on a stream before its handler reads (HTTP/2's default). */
    static final int STREAM_WINDOW = 65_535;

    /**
     * What a client may send on all its streams before their handlers read: sixteen streams' worth,
     * so that one stream waiting for a slow member does not stop the others' uploads, while what
     * a connection can make the amphora buffer stays bounded.
     */
    static final int CONNECTION_WINDOW = 16 * STREAM_WINDOW;

    /** HTTP/2's connection preface (RFC 9113, 3.4), with which an h2c client with prior knowledge begins. */
    private static final byte[] PREFACE = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

    private final ListenerRuntime listener;
    private final Supplier<ListenerRuntime> latest;

    /**
     * @param listener the generation that accepted the connections
     * @param latest the listener's current generation, which each stream's exchange follows
     */
    Http2Connections(ListenerRuntime listener, Supplier<ListenerRuntime> latest) {
        this.listener = listener;
        this.latest = latest;
    }

    /** Placed after the TLS handler: turns the connection to HTTP/2 if its handshake chose h2. */
    ChannelHandler negotiation() {
        return new AlpnSelection();
    }

    /** Placed before the HTTP/1.1 codec: turns the connection to HTTP/2 if it begins with the preface. */
    ChannelHandler priorKnowledge() {
        return new PrefaceDetection();
    }

    /** Replaces the HTTP/1.1 handlers of a connection that speaks HTTP/2 with the HTTP/2 ones. */
    private void serve(ChannelPipeline pipeline) {
        pipeline.remove("http-proxy");
        pipeline.remove("http-codec");
        Http2FrameCodec codec = Http2FrameCodecBuilder.forServer()
                .initialSettings(Http2Settings.defaultSettings()
                        .maxConcurrentStreams(MAX_CONCURRENT_STREAMS)
                        .maxHeaderListSize(MAX_HEADER_LIST_SIZE)
                        .initialWindowSize(STREAM_WINDOW))
                .validateHeaders(true)
                // a request without :method, :scheme or :path is malformed (RFC 9113, 8.3.1)
                .validateRequiredPseudoHeaders(true)
                .build();
        pipeline.addAfter("client-traffic", "h2-lingering-close", new LingeringClose.OnEveryClose());
        pipeline.addLast("h2-codec", codec);
        pipeline.addLast("h2-unknown-frames", UnknownFrames.DROP);
        pipeline.addLast("h2-streams", new Http2MultiplexHandler(new StreamInitializer()));
        pipeline.addLast("h2-connection", new ConnectionLifetime(listener.config().timeouts().httpRequestMillis(),
                listener.config().timeouts().clientDataMillis()));
        // Streams are read as their handlers ask; the connection is read all the time, since
        // every stream's frames come through it and flow control bounds what they hold.
        pipeline.channel().config().setAutoRead(true);
    }

    /** Each stream's pipeline: an exchange of its own. */
    @ChannelHandler.Sharable
    private final class StreamInitializer extends ChannelInitializer<Http2StreamChannel> {

        /** Whether a stream of the connection came before: later ones may go on pooled member connections. */
        private boolean streamBefore;

        @Override
        protected void initChannel(Http2StreamChannel stream) {
            stream.config().setAutoRead(false);
            ChannelPipeline pipeline = stream.pipeline();
            // a stream whose request stops arriving ends as an HTTP/1.1 request would
            pipeline.addLast("stream-idle", new InactivityTimeout(listener.config().timeouts().clientDataMillis()));
            pipeline.addLast("h2-request-line", new Http2StreamMessages.RequestLineCheck());
            pipeline.addLast("h2-http", new Http2StreamFrameToHttpObjectCodec(true, true));
            Http2StreamMessages messages = new Http2StreamMessages();
            pipeline.addLast("stream-messages", messages);
            pipeline.addLast("http-proxy", new HttpProxyHandler(latest, listener.memberConnections(), messages, true,
                    streamBefore));
            streamBefore = true;
            ChannelHandler lifetime = stream.parent().pipeline().get("h2-connection");
            if (lifetime instanceof ConnectionLifetime connection) {
                connection.streamOpened();
                stream.closeFuture().addListener(closed -> connection.streamClosed());
            }
        }
    }

    /**
     * The connection as a whole, whose frames (PING, SETTINGS, WINDOW_UPDATE) say nothing of
     * whether it is used: it must open its first stream within the listener's httpRequest
     * timeout, and may go without an open stream for at most the clientData timeout; then it is
     * closed, with a GOAWAY. A header block trickled in without end opens no stream, so it is
     * bounded too. A client that shuts its sending side while no stream is open ends it at once.
     */
    private static final class ConnectionLifetime extends ChannelInboundHandlerAdapter {
        private final long firstRequestMillis;
        private final long idleMillis;
        private ChannelHandlerContext ctx;
        private ScheduledFuture<?> deadline;
        private int openStreams;
        private boolean inputShut;

        ConnectionLifetime(long firstRequestMillis, long idleMillis) {
            this.firstRequestMillis = firstRequestMillis;
            this.idleMillis = idleMillis;
        }

        @Override
        public void handlerAdded(ChannelHandlerContext ctx) {
            this.ctx = ctx;
            // A larger connection window than the protocol's initial one (see CONNECTION_WINDOW);
            // the codec sends its SETTINGS first, as it did when it was added.
            ctx.writeAndFlush(new DefaultHttp2WindowUpdateFrame(CONNECTION_WINDOW - STREAM_WINDOW));
            expectStreamWithin(firstRequestMillis);
        }

        private void expectStreamWithin(long millis) {
            deadline = ctx.executor().schedule(() -> {
                LOG.debug("HTTP/2 connection from {} went without a stream", ctx.channel().remoteAddress());
                ctx.close();
            }, millis, TimeUnit.MILLISECONDS);
        }

        void streamOpened() {
            openStreams++;
            cancelDeadline();
        }

        void streamClosed() {
            if (--openStreams == 0 && ctx.channel().isActive()) {
                if (inputShut) {
                    ctx.close();
                } else {
                    expectStreamWithin(idleMillis);
                }
            }
        }

        private void cancelDeadline() {
            if (deadline != null) {
                deadline.cancel(false);
                deadline = null;
            }
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof IdleStateEvent) {
                // the deadline above bounds a connection without streams; a stream has timeouts of its own
                return;
            }
            if (evt instanceof ChannelInputShutdownEvent) {
                inputShut = true;
                if (openStreams == 0) {
                    ctx.close();
                }
                return;
            }
            ctx.fireUserEventTriggered(evt);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            cancelDeadline();
            ctx.fireChannelInactive();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            LOG.debug("HTTP/2 client connection failed", cause);
            if (Http2CodecUtil.getEmbeddedHttp2Exception(cause) == null) {
                // A protocol error is the codec's to end, with a GOAWAY naming it: closing here
                // first would send one that says NO_ERROR.
                ctx.close();
            }
        }
    }

    /**
     * Placed between a connection's codec and its streams: frames of a type HTTP/2 does not
     * define are ignored (RFC 9113, 5.5); the codec hands those of a stream on, and no stream's
     * handler would know them.
     */
    @ChannelHandler.Sharable
    static final class UnknownFrames extends ChannelInboundHandlerAdapter {
        static final UnknownFrames DROP = new UnknownFrames();

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof Http2UnknownFrame) {
                ReferenceCountUtil.release(msg);
                return;
            }
            ctx.fireChannelRead(msg);
        }
    }

    /** Swaps in HTTP/2 after a handshake whose ALPN chose h2; else leaves HTTP/1.1 in place. */
    private final class AlpnSelection extends ChannelInboundHandlerAdapter {
        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof SslHandshakeCompletionEvent handshake) {
                // before any of the connection's data is read past the handshake
                ChannelPipeline pipeline = ctx.pipeline();
                SslHandler tls = pipeline.get(SslHandler.class);
                pipeline.remove(this);
                if (handshake.isSuccess() && tls != null
                        && ApplicationProtocolNames.HTTP_2.equals(tls.applicationProtocol())) {
                    serve(pipeline);
                }
            }
            ctx.fireUserEventTriggered(evt);
        }
    }

    /**
     * Reads a cleartext connection's first bytes: HTTP/2's preface makes it an HTTP/2
     * connection, any other byte leaves it to HTTP/1.1 (the Upgrade: h2c handshake is not
     * served: Upgrade never reaches a member, see {@link ProxyHeaders}). What was read goes on
     * to whichever codec follows.
     */
    private final class PrefaceDetection extends ByteToMessageDecoder {
        @Override
        protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
            int seen = Math.min(in.readableBytes(), PREFACE.length);
            for (int i = 0; i < seen; i++) {
                if (in.getByte(in.readerIndex() + i) != PREFACE[i]) {
                    ctx.pipeline().remove(this);
                    return;
                }
            }
            if (seen == PREFACE.length) {
                serve(ctx.pipeline());
                ctx.pipeline().remove(this);
            }
        }
    }
}
