package dev.lbaas.amphora.testing;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.DefaultHttp2PingFrame;
import io.netty.handler.codec.http2.DefaultHttp2UnknownFrame;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Flags;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2FrameLogger;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2ResetFrame;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.handler.codec.http2.Http2StreamFrame;
import io.netty.handler.logging.LogLevel;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An HTTP/2 client over cleartext (prior knowledge) that sends what a test tells it, field names
 * and values unchecked, so that a test can send what a well-behaved client never would: the
 * requests an intermediary must refuse rather than pass on to an HTTP/1.1 member.
 */
public final class RawHttp2 implements AutoCloseable {

    /** What came back on a stream: the final response's status and body, or the reset that ended it. */
    public record Response(String status, Http2Headers headers, String body, Http2Headers trailers, Http2Error reset,
            boolean connectionGone) {
    }

    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final Channel connection;
    private final CompletableFuture<Long> goAway = new CompletableFuture<>();
    private final Map<Integer, Long> resets = new ConcurrentHashMap<>();

    public RawHttp2(String host, int port) throws InterruptedException {
        connection = new Bootstrap().group(group).channel(NioSocketChannel.class)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(Http2FrameCodecBuilder.forClient().validateHeaders(false)
                                .encoderIgnoreMaxHeaderListSize(true)
                                .frameLogger(new ResetRecorder()).build());
                        ch.pipeline().addLast(new Http2MultiplexHandler(new ChannelInboundHandlerAdapter()));
                    }
                })
                .connect(host, port).sync().channel();
    }

    /** Request headers without validation: any name, any value. */
    public static Http2Headers request(String method, String path, String authority) {
        Http2Headers headers = new DefaultHttp2Headers(false);
        headers.method(method).path(path).scheme("http");
        if (authority != null) {
            headers.authority(authority);
        }
        return headers;
    }

    /** Sends one request on a new stream: its headers, then each of {@code data} as a DATA frame, the last ending the stream. */
    public Response exchange(Http2Headers headers, String... data) throws Exception {
        return exchange(headers, null, false, data);
    }

    /**
     * Sends one request on a new stream: its headers, a frame of an unknown type if asked, each of
     * {@code data} as a DATA frame, then {@code trailers} (null: the last DATA frame ends the stream).
     */
    public Response exchange(Http2Headers headers, Http2Headers trailers, boolean unknownFrame, String... data)
            throws Exception {
        CompletableFuture<Response> done = new CompletableFuture<>();
        Http2StreamChannel stream = new Http2StreamChannelBootstrap(connection)
                .handler(new Collector(done)).open().sync().getNow();
        boolean bodyless = data.length == 0 && trailers == null && !unknownFrame;
        ChannelFuture sent = stream.writeAndFlush(new DefaultHttp2HeadersFrame(headers, bodyless)).await();
        if (!sent.isSuccess()) {
            throw new IllegalStateException("the request could not be sent", sent.cause());
        }
        if (unknownFrame) {
            stream.writeAndFlush(new DefaultHttp2UnknownFrame((byte) 0x7a, new Http2Flags(),
                    Unpooled.copiedBuffer("grease", StandardCharsets.US_ASCII)));
        }
        for (int i = 0; i < data.length; i++) {
            ByteBuf content = Unpooled.copiedBuffer(data[i], StandardCharsets.UTF_8);
            stream.writeAndFlush(new DefaultHttp2DataFrame(content, trailers == null && i == data.length - 1));
        }
        if (trailers != null) {
            stream.writeAndFlush(new DefaultHttp2HeadersFrame(trailers, true));
        } else if (data.length == 0 && unknownFrame) {
            stream.writeAndFlush(new DefaultHttp2DataFrame(true));
        }
        return done.get(10, TimeUnit.SECONDS);
    }

    /** Sends a PING on the connection, which says nothing of whether the connection is used. */
    public void ping() {
        connection.writeAndFlush(new DefaultHttp2PingFrame(System.nanoTime()));
    }

    /** A stream whose response the client reads only once told to: until then it gives the server no window. */
    public static final class HeldStream {
        private final Http2StreamChannel channel;
        /** Bytes of the response body read so far. */
        public final AtomicLong received = new AtomicLong();
        /** Completes with the response's status when its end is read. */
        public final CompletableFuture<String> ended = new CompletableFuture<>();
        private volatile String status;

        HeldStream(Http2StreamChannel channel) {
            this.channel = channel;
        }

        /** Reads everything from now on, giving the window back as it goes. */
        public void readOn() {
            channel.config().setAutoRead(true);
        }
    }

    /** Sends a bodyless request whose response is held until {@link HeldStream#readOn()}. */
    public HeldStream hold(Http2Headers headers) throws Exception {
        HeldStream[] held = new HeldStream[1];
        Http2StreamChannel stream = new Http2StreamChannelBootstrap(connection)
                .option(ChannelOption.AUTO_READ, false)
                .handler(new SimpleChannelInboundHandler<Http2StreamFrame>() {
                    @Override
                    protected void channelRead0(ChannelHandlerContext ctx, Http2StreamFrame frame) {
                        HeldStream it = held[0];
                        boolean end = false;
                        if (frame instanceof Http2HeadersFrame headersFrame) {
                            if (headersFrame.headers().status() != null) {
                                it.status = headersFrame.headers().status().toString();
                            }
                            end = headersFrame.isEndStream();
                        } else if (frame instanceof Http2DataFrame data) {
                            it.received.addAndGet(data.content().readableBytes());
                            end = data.isEndStream();
                        }
                        if (end) {
                            it.ended.complete(it.status);
                        }
                    }

                    @Override
                    public void channelInactive(ChannelHandlerContext ctx) {
                        held[0].ended.complete(held[0].status);
                    }
                }).open().sync().getNow();
        held[0] = new HeldStream(stream);
        stream.writeAndFlush(new DefaultHttp2HeadersFrame(headers, true)).sync();
        // the response's headers, but none of its body beyond what the first window lets through
        stream.read();
        return held[0];
    }

    /** The error code of the GOAWAY the server sent, or null if none came within {@code millis}. */
    public Long goAway(long millis) {
        try {
            return goAway.get(millis, TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            return null;
        }
    }

    public boolean isOpen() {
        return connection.isActive();
    }

    /**
     * Notes the RST_STREAM and GOAWAY frames that come in: Netty's multiplexer closes a stream
     * that is reset, or beyond a GOAWAY, before its handler sees the frame.
     */
    private final class ResetRecorder extends Http2FrameLogger {
        ResetRecorder() {
            super(LogLevel.TRACE);
        }

        @Override
        public void logRstStream(Direction direction, ChannelHandlerContext ctx, int streamId, long errorCode) {
            if (direction == Direction.INBOUND) {
                resets.put(streamId, errorCode);
            }
        }

        @Override
        public void logGoAway(Direction direction, ChannelHandlerContext ctx, int lastStreamId, long errorCode,
                ByteBuf debugData) {
            if (direction == Direction.INBOUND) {
                goAway.complete(errorCode);
            }
        }
    }

    private final class Collector extends SimpleChannelInboundHandler<Http2StreamFrame> {
        private final CompletableFuture<Response> done;
        private final ByteArrayOutputStream body = new ByteArrayOutputStream();
        private Http2Headers headers;
        private Http2Headers trailers;

        Collector(CompletableFuture<Response> done) {
            this.done = done;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, Http2StreamFrame frame) {
            boolean end = false;
            if (frame instanceof Http2HeadersFrame headersFrame) {
                CharSequence status = headersFrame.headers().status();
                if (status != null && status.charAt(0) != '1') {
                    headers = headersFrame.headers();
                } else if (status == null) {
                    trailers = headersFrame.headers();
                }
                end = headersFrame.isEndStream();
            } else if (frame instanceof Http2DataFrame data) {
                body.writeBytes(ByteBufUtil.getBytes(data.content()));
                end = data.isEndStream();
            } else if (frame instanceof Http2ResetFrame reset) {
                done.complete(new Response(status(), headers, body(), trailers, Http2Error.valueOf(reset.errorCode()),
                        false));
                return;
            }
            if (end) {
                done.complete(new Response(status(), headers, body(), trailers, null, false));
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            Long reset = resets.get(((Http2StreamChannel) ctx.channel()).stream().id());
            done.complete(new Response(status(), headers, body(), trailers, reset == null ? null : Http2Error.valueOf(reset),
                    goAway.isDone() || !ctx.channel().parent().isActive()));
        }

        private String status() {
            return headers == null ? null : headers.status().toString();
        }

        private String body() {
            return body.toString(StandardCharsets.UTF_8);
        }
    }

    @Override
    public void close() {
        connection.close().awaitUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
    }
}
