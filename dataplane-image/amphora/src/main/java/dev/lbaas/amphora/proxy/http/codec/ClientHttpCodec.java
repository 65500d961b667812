package dev.lbaas.amphora.proxy.http.codec;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.CombinedChannelDuplexHandler;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.DecoderResultProvider;
import io.netty.handler.codec.PrematureChannelClosureException;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseEncoder;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.AsciiString;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * The HTTP codec of a client connection: requests in, responses out. It does what Netty's
 * {@link HttpServerCodec} does for a proxy (a response to HEAD carries no body, so each response
 * is matched with the method of its request; CONNECT is refused, see {@link RequestRules}) and adds what a proxy in
 * front of other servers needs and Netty's decoder does not do:
 *
 * <ul>
 *   <li><b>A deadline for each request's head</b> (the listener's {@code httpRequest} timeout):
 *       counted from the connection's start for its first request and from the first byte of
 *       every later one, to the end of its headers. The client data timeout cannot bound a head,
 *       because every byte of a trickled head resets it. A late head becomes a failed request
 *       ({@link HeadTimeout}), answered in its turn, and nothing the connection
 *       sends after it is decoded; a connection that has sent nothing at all by then is closed
 *       without an answer, as it may be a browser's speculative connection.</li>
 *   <li><b>The request line and the lines after it read strictly</b> ({@link HeadScanner}, and
 *       the version spelled as RFC 9112 spells it, one Content-Length field): where Netty's
 *       decoder splits the request line on tabs and runs of spaces, takes {@code http/1.1} for
 *       HTTP/1.1, folds a header line that starts with whitespace into the one before and, in
 *       HTTP/1.0, takes the first of several Content-Length fields, other parsers read a
 *       different request, a new field or another length.</li>
 *   <li><b>A body cut short is a failure</b>: when the connection ends inside a request's body,
 *       Netty's decoder drops the request without a word; here it ends with a failed
 *       {@link LastHttpContent}, so that the proxy answers and closes the member connection
 *       that has part of the request.</li>
 * </ul>
 */
public final class ClientHttpCodec extends CombinedChannelDuplexHandler<ClientHttpCodec.RequestDecoder, ClientHttpCodec.ResponseEncoder>
        implements RequestProgress {

    private static final int CONTENT_LENGTH_CHARS = HttpHeaderNames.CONTENT_LENGTH.length();

    /** A request that breaks a rule of {@link HeadScanner} or {@link ChunkedBodyScanner}: refused, the rule named. */
    public static final class MalformedRequest extends RuntimeException {
        MalformedRequest(String reason) {
            super(reason, null, false, false);
        }
    }

    /** A request's head arrived too slowly: the listener's httpRequest timeout passed first. */
    public static final class HeadTimeout extends RuntimeException {
        HeadTimeout() {
            super("the request's headers did not arrive within the listener's httpRequest timeout", null, false, false);
        }
    }

    /**
     * @param config the decoder's limits and strictness
     * @param headDeadlineMillis the listener's current httpRequest timeout, read when a deadline starts
     */
    public ClientHttpCodec(HttpDecoderConfig config, LongSupplier headDeadlineMillis) {
        Queue<HttpMethod> methods = new ArrayDeque<>(2);
        init(new RequestDecoder(config, methods, headDeadlineMillis), new ResponseEncoder(methods));
    }

    @Override
    public boolean receivingHead() {
        return inboundHandler().headStarted && !inboundHandler().discarding;
    }

    @Override
    public boolean receivingBody() {
        return inboundHandler().inBody;
    }

    /**
     * Decodes requests, keeps the methods of those to be answered, watches each head's deadline
     * and refuses folded header lines. Between requests and while a head comes in it is "in a
     * head"; from the head's end to the body's end, in a body.
     */
    static final class RequestDecoder extends HttpRequestDecoder {
        private final Queue<HttpMethod> methods;
        private final LongSupplier headDeadlineMillis;
        private final HeadScanner scanner = new HeadScanner();
        private final ChunkedBodyScanner chunks = new ChunkedBodyScanner();
        /** The body being read is chunked: {@link #chunks} checks it. */
        private boolean chunkedBody;
        private ChannelHandlerContext ctx;
        private boolean inBody;
        /** A byte of the head being waited for has arrived. */
        private boolean headStarted;
        /** Bytes at the reader index that {@link #scanner} has seen already. */
        private int scannedAhead;
        private ScheduledFuture<?> deadline;
        /** A head was refused or late: everything after it is discarded. */
        private boolean discarding;
        /** The Content-Length fields of the head being read. */
        private int contentLengthFields;

        RequestDecoder(HttpDecoderConfig config, Queue<HttpMethod> methods, LongSupplier headDeadlineMillis) {
            super(config);
            this.methods = methods;
            this.headDeadlineMillis = headDeadlineMillis;
        }

        @Override
        public void handlerAdded(ChannelHandlerContext ctx) throws Exception {
            this.ctx = ctx;
            super.handlerAdded(ctx);
            if (ctx.channel().isActive()) {
                startDeadline();
            }
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) throws Exception {
            startDeadline();
            super.channelActive(ctx);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) throws Exception {
            stopDeadline();
            super.channelInactive(ctx);
        }

        @Override
        protected void handlerRemoved0(ChannelHandlerContext ctx) throws Exception {
            stopDeadline();
            super.handlerRemoved0(ctx);
        }

        @Override
        protected void decode(ChannelHandlerContext ctx, ByteBuf buffer, List<Object> out) throws Exception {
            if (discarding) {
                buffer.skipBytes(buffer.readableBytes());
                return;
            }
            if (!inBody) {
                int from = buffer.readerIndex() + scannedAhead;
                int scanned = scanner.scan(buffer, from, buffer.writerIndex());
                if (scanned < 0) {
                    refuse(buffer, out, new MalformedRequest(scanner.violation()));
                    return;
                }
                scannedAhead += scanned;
                if (buffer.isReadable()) {
                    headStarted = true;
                }
            } else if (chunkedBody) {
                int from = buffer.readerIndex() + scannedAhead;
                int scanned = chunks.scan(buffer, from, buffer.writerIndex());
                if (scanned < 0) {
                    cutBody(buffer, out, new MalformedRequest(chunks.violation()));
                    return;
                }
                scannedAhead += scanned;
            }
            int readable = buffer.readableBytes();
            int first = out.size();
            super.decode(ctx, buffer, out);
            scannedAhead = Math.max(0, scannedAhead - (readable - buffer.readableBytes()));
            follow(out, first);
            if (!inBody && buffer.isReadable()) {
                // the next request has begun within what came with the end of this one
                headArrives();
            } else if (!inBody && headStarted) {
                // A head that has not ended yet must end within the deadline. (One that came whole
                // became its request above: no timer is scheduled and cancelled for it.)
                startDeadline();
            }
        }

        /**
         * The version exactly as RFC 9112 spells it, {@code HTTP/} and a digit on either side of
         * the dot: Netty reads {@code http/1.1} as HTTP/1.1 too, which would reach the member in a
         * spelling its own parser never saw.
         */
        @Override
        protected String splitThirdWordInitialLine(byte[] bytes, int start, int length) {
            if (length != 8 || bytes[start] != 'H' || bytes[start + 1] != 'T' || bytes[start + 2] != 'T'
                    || bytes[start + 3] != 'P' || bytes[start + 4] != '/' || !isDigit(bytes[start + 5])
                    || bytes[start + 6] != '.' || !isDigit(bytes[start + 7])) {
                throw new MalformedRequest("the version must be HTTP/<digit>.<digit>");
            }
            return super.splitThirdWordInitialLine(bytes, start, length);
        }

        /**
         * One Content-Length field at most, in every version: for HTTP/1.0 Netty's decoder takes
         * the first of several and drops the others, where another parser may take the last.
         */
        @Override
        protected AsciiString splitHeaderName(byte[] bytes, int start, int length) {
            AsciiString name = super.splitHeaderName(bytes, start, length);
            if (name.length() == CONTENT_LENGTH_CHARS && HttpHeaderNames.CONTENT_LENGTH.contentEqualsIgnoreCase(name)
                    && ++contentLengthFields > 1) {
                throw new MalformedRequest("more than one Content-Length field");
            }
            return name;
        }

        private static boolean isDigit(byte b) {
            return b >= '0' && b <= '9';
        }

        @Override
        protected void decodeLast(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) throws Exception {
            int first = out.size();
            super.decodeLast(ctx, in, out);
            follow(out, first);
            if (inBody && !discarding) {
                out.add(failedBody(new PrematureChannelClosureException("the connection ended inside the request's body")));
            }
        }

        /** The body refused: it ends with a failed last content, answered by the proxy, and the rest is dropped. */
        private void cutBody(ByteBuf buffer, List<Object> out, Exception cause) {
            buffer.skipBytes(buffer.readableBytes());
            discarding = true;
            out.add(failedBody(cause));
        }

        private LastHttpContent failedBody(Exception cause) {
            inBody = false;
            LastHttpContent cut = new DefaultLastHttpContent(Unpooled.EMPTY_BUFFER);
            cut.setDecoderResult(DecoderResult.failure(cause));
            return cut;
        }

        /** Updates the state by the messages the decoder added to {@code out} from {@code first} on. */
        private void follow(List<Object> out, int first) {
            for (int i = first; i < out.size(); i++) {
                Object msg = out.get(i);
                if (msg instanceof HttpRequest request) {
                    methods.add(request.method());
                    stopDeadline();
                    headStarted = false;
                    inBody = true;
                    scanner.reset();
                    scannedAhead = 0;
                    contentLengthFields = 0;
                    chunkedBody = request.headers().contains(HttpHeaderNames.TRANSFER_ENCODING)
                            && HttpUtil.isTransferEncodingChunked(request);
                    chunks.reset();
                }
                if (msg instanceof LastHttpContent) {
                    inBody = false;
                }
                if (((DecoderResultProvider) msg).decoderResult().isFailure()) {
                    // Netty's decoder discards the rest of the connection after a failure; so does this.
                    inBody = false;
                    discarding = true;
                    stopDeadline();
                }
            }
        }

        /** The head refused: it becomes a failed request, answered in its turn, and the rest is dropped. */
        private void refuse(ByteBuf buffer, List<Object> out, Exception cause) {
            buffer.skipBytes(buffer.readableBytes());
            out.add(refusedHead(cause));
        }

        private HttpRequest refusedHead(Exception cause) {
            discarding = true;
            stopDeadline();
            HttpRequest refused = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/bad-request");
            refused.setDecoderResult(DecoderResult.failure(cause));
            methods.add(refused.method());
            return refused;
        }

        private void headArrives() {
            headStarted = true;
            startDeadline();
        }

        private void startDeadline() {
            if (deadline == null && !discarding) {
                deadline = ctx.executor().schedule(this::headLate, headDeadlineMillis.getAsLong(), TimeUnit.MILLISECONDS);
            }
        }

        private void stopDeadline() {
            if (deadline != null) {
                deadline.cancel(false);
                deadline = null;
            }
        }

        private void headLate() {
            deadline = null;
            if (!ctx.channel().isActive() || discarding) {
                return;
            }
            if (!headStarted) {
                // Nothing of the first request arrived: a connection kept for later, or a probe.
                ctx.close();
                return;
            }
            // Answered after the requests before it, as a head that could not be read would be.
            ctx.fireChannelRead(refusedHead(new HeadTimeout()));
            ctx.fireChannelReadComplete();
        }
    }

    /** Encodes responses, each matched with the method of the request it answers. */
    static final class ResponseEncoder extends HttpResponseEncoder {
        private final Queue<HttpMethod> methods;

        ResponseEncoder(Queue<HttpMethod> methods) {
            this.methods = methods;
        }

        @Override
        protected boolean isContentAlwaysEmpty(HttpResponse msg) {
            if (msg.status().codeClass() == HttpStatusClass.INFORMATIONAL) {
                // an interim response precedes the final one to the same request
                return super.isContentAlwaysEmpty(msg);
            }
            return HttpMethod.HEAD.equals(methods.poll()) || super.isContentAlwaysEmpty(msg);
        }
    }
}
