package dev.lbaas.amphora.proxy.prometheus;

import dev.lbaas.amphora.proxy.ListenerRuntime;
import dev.lbaas.amphora.stats.PrometheusExposition;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufOutputStream;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers scrapes on one client connection, one request at a time: the request is read to its
 * end (a body is ignored), answered, and only then is the next one read, which is the
 * backpressure (auto-read is off on client connections). Any path but {@code /metrics} is 404,
 * any method but GET and HEAD 405; those and malformed requests are the listener's request errors.
 */
final class MetricsRequestHandler extends ChannelInboundHandlerAdapter {

    private static final Logger LOG = LoggerFactory.getLogger(MetricsRequestHandler.class);
    private static final String METRICS_PATH = "/metrics";

    private final ListenerRuntime listener;
    /** The request being read, until its last content arrives; null between requests. */
    private HttpRequest request;

    MetricsRequestHandler(ListenerRuntime listener) {
        this.listener = listener;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        ctx.read();
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            if (msg instanceof HttpRequest head) {
                if (head.decoderResult().isFailure()) {
                    respond(ctx, HttpResponseStatus.BAD_REQUEST, false, false);
                    return;
                }
                request = head;
            }
            if (msg instanceof LastHttpContent && request != null) {
                HttpRequest done = request;
                request = null;
                answer(ctx, done);
            }
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (request != null) {
            // the rest of the request is still to come
            ctx.read();
        }
    }

    private void answer(ChannelHandlerContext ctx, HttpRequest head) {
        boolean keepAlive = HttpUtil.isKeepAlive(head);
        boolean bodyless = head.method().equals(HttpMethod.HEAD);
        if (!new QueryStringDecoder(head.uri()).path().equals(METRICS_PATH)) {
            respond(ctx, HttpResponseStatus.NOT_FOUND, keepAlive, bodyless);
        } else if (!head.method().equals(HttpMethod.GET) && !bodyless) {
            respond(ctx, HttpResponseStatus.METHOD_NOT_ALLOWED, keepAlive, false);
        } else {
            ByteBuf body = ctx.alloc().buffer();
            try (ByteBufOutputStream out = new ByteBufOutputStream(body)) {
                PrometheusExposition.write(listener.metrics().get(), out);
            } catch (IOException | RuntimeException e) {
                body.release();
                LOG.warn("listener {}: cannot render the metrics", listener.config().name(), e);
                respond(ctx, HttpResponseStatus.INTERNAL_SERVER_ERROR, false, false);
                return;
            }
            FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                    bodyless ? Unpooled.EMPTY_BUFFER : body);
            response.headers()
                    .set(HttpHeaderNames.CONTENT_TYPE, PrometheusExposition.CONTENT_TYPE)
                    .set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_CACHE)
                    .setInt(HttpHeaderNames.CONTENT_LENGTH, body.readableBytes());
            if (bodyless) {
                body.release();
            }
            send(ctx, response, keepAlive);
        }
    }

    /** An answer of the amphora's own making; every error status counts as a request error. */
    private void respond(ChannelHandlerContext ctx, HttpResponseStatus status, boolean keepAlive, boolean bodyless) {
        listener.counters().requestFailed();
        ByteBuf text = Unpooled.copiedBuffer(status.reasonPhrase() + "\n", StandardCharsets.US_ASCII);
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
                bodyless ? Unpooled.EMPTY_BUFFER : text);
        response.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.TEXT_PLAIN)
                .setInt(HttpHeaderNames.CONTENT_LENGTH, text.readableBytes());
        if (bodyless) {
            text.release();
        }
        if (status.equals(HttpResponseStatus.METHOD_NOT_ALLOWED)) {
            response.headers().set(HttpHeaderNames.ALLOW, "GET, HEAD");
        }
        send(ctx, response, keepAlive);
    }

    private void send(ChannelHandlerContext ctx, FullHttpResponse response, boolean keepAlive) {
        if (!keepAlive) {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
            return;
        }
        ctx.writeAndFlush(response).addListener((ChannelFutureListener) written -> {
            if (written.isSuccess()) {
                ctx.read();
            } else {
                ctx.close();
            }
        });
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof IdleStateEvent) {
            ctx.close();
        } else {
            ctx.fireUserEventTriggered(evt);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        LOG.debug("listener {}: client connection failed", listener.config().name(), cause);
        ctx.close();
    }
}
