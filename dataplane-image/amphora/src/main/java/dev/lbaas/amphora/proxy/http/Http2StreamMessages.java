package dev.lbaas.amphora.proxy.http;

import dev.lbaas.amphora.proxy.http.codec.RequestProgress;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValidationUtil;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.DefaultHttp2ResetFrame;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.HttpConversionUtil;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Between an HTTP/2 stream's codec and its {@link HttpProxyHandler}: the request as the stream's
 * HTTP/1.1 form carries it, made what an HTTP/1.1 client's would be, and the responses made what
 * the stream's codec can send.
 *
 * <ul>
 *   <li>The conversion's own fields ({@code x-http2-stream-id}, {@code x-http2-scheme}, ...) are
 *       removed, and so is any field of those names the client sent: members never see them.</li>
 *   <li>A request the conversion refuses (a Host field that differs from {@code :authority},
 *       RFC 9113, 8.3.1) is answered 400 with the reason; no member sees it.</li>
 *   <li>A method or path that a request line cannot carry is answered 400 before the conversion
 *       ({@link RequestLineCheck}); field values with control characters never get this far
 *       (Netty's codec refuses them as HTTP/1.1's decoder does).</li>
 *   <li>An interim response (100 Continue) goes to the client as a HEADERS frame of its own,
 *       without the end of message that follows it on a member connection, which on a stream
 *       would end the stream.</li>
 * </ul>
 */
final class Http2StreamMessages extends ChannelDuplexHandler implements RequestProgress {

    private static final List<CharSequence> CONVERSION_FIELDS = List.of(
            HttpConversionUtil.ExtensionHeaderNames.STREAM_ID.text(),
            HttpConversionUtil.ExtensionHeaderNames.SCHEME.text(),
            HttpConversionUtil.ExtensionHeaderNames.PATH.text(),
            HttpConversionUtil.ExtensionHeaderNames.STREAM_PROMISE_ID.text(),
            HttpConversionUtil.ExtensionHeaderNames.STREAM_DEPENDENCY_ID.text(),
            HttpConversionUtil.ExtensionHeaderNames.STREAM_WEIGHT.text(),
            HttpConversionUtil.ExtensionHeaderNames.PROTOCOL.text());

    private boolean requestSeen;
    private boolean inBody;
    /** The request is a HEAD: what the stream is answered carries no body. */
    private boolean head;
    /** The response's end was sent: the stream is over for the client. */
    private boolean responseEnded;
    /** An interim response was sent whole: the end of message the member's codec adds to it is dropped. */
    private boolean interimSent;

    @Override
    public boolean receivingHead() {
        // HTTP/2 hands over a request's headers whole, or not at all
        return false;
    }

    @Override
    public boolean receivingBody() {
        return inBody;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof HttpRequest request) {
            requestSeen = true;
            head = HttpMethod.HEAD.equals(request.method());
            HttpHeaders headers = request.headers();
            for (CharSequence name : CONVERSION_FIELDS) {
                headers.remove(name);
            }
            if (msg instanceof FullHttpRequest whole) {
                // As HTTP/1.1's decoder delivers every request: a head, then the end of its body.
                // The proxy may send a bodyless head twice (a retry on a new member connection),
                // which it can do with a head that owns no buffer.
                inBody = true;
                ctx.fireChannelRead(new DefaultHttpRequest(whole.protocolVersion(), whole.method(), whole.uri(),
                        whole.headers()));
                msg = new DefaultLastHttpContent(whole.content(), whole.trailingHeaders());
            }
        }
        if (msg instanceof LastHttpContent last) {
            inBody = false;
            refuseFramingTrailers(last);
        } else if (msg instanceof HttpRequest) {
            inBody = true;
        }
        ctx.fireChannelRead(msg);
    }

    /**
     * Trailers may not say how the body was framed (RFC 9110, 6.5.1): as on HTTP/1.1, such a
     * request is broken, and the member connection that has the rest of it is closed.
     */
    private static void refuseFramingTrailers(LastHttpContent last) {
        HttpHeaders trailers = last.trailingHeaders();
        if (!trailers.isEmpty() && (trailers.contains(HttpHeaderNames.CONTENT_LENGTH)
                || trailers.contains(HttpHeaderNames.TRANSFER_ENCODING) || trailers.contains(HttpHeaderNames.HOST))) {
            last.setDecoderResult(DecoderResult.failure(new IllegalArgumentException(
                    "the trailers name a framing field or Host")));
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof DecoderException && cause.getCause() instanceof Http2Exception) {
            if (!requestSeen) {
                // the conversion refused the request: its reason goes to the client
                requestSeen = true;
                respond(ctx, "malformed request: " + cause.getCause().getMessage(), head);
                return;
            }
        }
        if (!endsStream(ctx, cause)) {
            ctx.fireExceptionCaught(cause);
        }
    }

    /**
     * Ends a stream, client's or member's, on a protocol error, and says whether {@code cause}
     * was one: what the stream's conversion refused resets it with PROTOCOL_ERROR; an error the
     * connection's codec found is Netty's to reset, with the error's own code, right after
     * (closing it here would reset it as CANCEL); either way the proxy handler sees it close.
     */
    static boolean endsStream(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof DecoderException) {
            ctx.writeAndFlush(new DefaultHttp2ResetFrame(Http2Error.PROTOCOL_ERROR))
                    .addListener(ChannelFutureListener.CLOSE);
            return true;
        }
        return Http2CodecUtil.getEmbeddedHttp2Exception(cause) != null;
    }

    /** Answers the stream 400 with {@code reason} (a HEAD without it), straight in HTTP/2 frames, and ends it. */
    static void respond(ChannelHandlerContext ctx, String reason, boolean head) {
        ByteBuf body = Unpooled.copiedBuffer(reason + "\n", StandardCharsets.US_ASCII);
        Http2Headers headers = new DefaultHttp2Headers().status(HttpResponseStatus.BAD_REQUEST.codeAsText())
                .set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.TEXT_PLAIN)
                .setInt(HttpHeaderNames.CONTENT_LENGTH, body.readableBytes());
        if (head) {
            body.release();
            ctx.writeAndFlush(new DefaultHttp2HeadersFrame(headers, true)).addListener(ChannelFutureListener.CLOSE);
            return;
        }
        ctx.write(new DefaultHttp2HeadersFrame(headers));
        ctx.writeAndFlush(new DefaultHttp2DataFrame(body, true)).addListener(ChannelFutureListener.CLOSE);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (msg instanceof HttpResponse response && !(msg instanceof FullHttpResponse) && interim(response)) {
            interimSent = true;
            FullHttpResponse whole = new DefaultFullHttpResponse(response.protocolVersion(), response.status(),
                    Unpooled.EMPTY_BUFFER, response.headers(), HttpHeaders.EMPTY_HEADERS);
            ctx.write(whole, promise);
            return;
        }
        if (interimSent && msg instanceof LastHttpContent) {
            interimSent = false;
            ReferenceCountUtil.release(msg);
            promise.trySuccess();
            return;
        }
        if (head && msg instanceof FullHttpResponse whole && whole.content().isReadable() && !interim(whole)) {
            // the amphora's own answers carry a body; a HEAD's answer on a stream must not (members send none)
            msg = whole.replace(Unpooled.EMPTY_BUFFER);
            whole.release();
        }
        if (msg instanceof LastHttpContent && !(msg instanceof HttpResponse response && interim(response))) {
            responseEnded = true;
        }
        ctx.write(msg, promise);
    }

    private static boolean interim(HttpResponse response) {
        return response.status().codeClass() == HttpStatusClass.INFORMATIONAL;
    }

    /**
     * A stream closed after its whole response while the client still sends its request is reset
     * with NO_ERROR, which tells the client that the answer stands and the rest of its request is
     * not wanted (RFC 9113, 8.1); any other close is Netty's CANCEL.
     */
    @Override
    public void close(ChannelHandlerContext ctx, ChannelPromise promise) {
        if (responseEnded && inBody && ctx.channel().isActive()) {
            ctx.write(new DefaultHttp2ResetFrame(Http2Error.NO_ERROR));
        }
        ctx.close(promise);
    }

    /**
     * Placed before the stream's codec: HTTP/2 carries a method and a path as field values, which
     * may hold what a request line cannot (a method that is not a token, a path with spaces or
     * control characters would split or end the member's request line). Such a request is
     * answered 400 here, before the conversion, which would fail on it.
     */
    static final class RequestLineCheck extends ChannelInboundHandlerAdapter {
        private boolean checked;

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (!checked && msg instanceof Http2HeadersFrame frame) {
                checked = true;
                String refusal = refusal(frame.headers());
                if (refusal != null) {
                    ReferenceCountUtil.release(msg);
                    respond(ctx, refusal, HttpMethod.HEAD.asciiName().contentEquals(frame.headers().method()));
                    return;
                }
            }
            ctx.fireChannelRead(msg);
        }

        private static String refusal(Http2Headers headers) {
            CharSequence method = headers.method();
            if (method != null && HttpHeaderValidationUtil.validateToken(method) != -1) {
                return "the method is not a token";
            }
            CharSequence path = headers.path();
            if (path != null) {
                for (int i = 0; i < path.length(); i++) {
                    char c = path.charAt(i);
                    if (c <= ' ' || c >= 0x7f) {
                        return "the request target has characters a URI cannot have";
                    }
                }
            }
            return null;
        }
    }
}
