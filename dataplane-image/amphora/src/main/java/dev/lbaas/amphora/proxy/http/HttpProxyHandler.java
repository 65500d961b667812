package dev.lbaas.amphora.proxy.http;

import dev.lbaas.amphora.balancing.Pool;
import dev.lbaas.amphora.balancing.PoolMember;
import dev.lbaas.amphora.config.PoolProtocol;
import dev.lbaas.amphora.proxy.ListenerRuntime;
import dev.lbaas.amphora.proxy.MemberConnector;
import dev.lbaas.amphora.proxy.http.codec.RequestProgress;
import dev.lbaas.amphora.proxy.tls.ClientTls;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client connection of an HTTP listener, or one HTTP/2 stream of a client connection (see
 * {@link Http2Connections}), and the member connection serving it. Every request
 * picks its member afresh and takes an idle connection to it from the pool of its event loop
 * ({@link MemberConnectionPools}), or opens one; after a complete response with keep-alive the
 * member connection goes back to that pool. A bodyless idempotent request whose pooled
 * connection turns out closed before any answer is sent again on a new connection.
 *
 * <p>Requests are handled one at a time, in order: while a response is on its way, at most one
 * read's worth of what the client sends next (pipelined requests) waits in {@link #inbound}.
 * Reads on either side go on only while the other side is writable (its outbound buffer under
 * the high watermark) and resume when it drains, which is the backpressure; writes take void
 * promises, so no listener is added per message. Both channels run on the client's event loop,
 * so the state needs no locks.
 *
 * <p>A request reaches a member only as the amphora read it: {@link RequestRules} refuses what a
 * member could read otherwise before any of it is sent, and a body that turns out unreadable, or
 * stops arriving, ends its exchange with the member connection closed, never pooled, so that no
 * byte of one request can begin another. After an answer that ends the client connection nothing
 * more it sends is read as a request ({@link LingeringClose}).
 *
 * <p>Each request and its response are an {@link Exchange}, whose two sides say how far each has
 * come, and the member connection is a {@link MemberSide}: none, being opened, or attached.
 * {@link RequestHeads} admits and readies a request's head, {@link MemberChoice} picks the member
 * (and binds sessions), {@link ResponseHeads} refuses or frames what the member answers. This
 * class moves the messages and owns both connections.
 *
 * <p>A member's sessions are the exchanges it serves, not its connections, which outlive
 * exchanges in the pool: a member counts one active session from the moment a request is bound to
 * it until the exchange ends (see {@link dev.lbaas.amphora.stats.TrafficCounters}).
 */
final class HttpProxyHandler extends ChannelInboundHandlerAdapter implements MemberLink.Owner {

    private static final Logger LOG = LoggerFactory.getLogger(HttpProxyHandler.class);

    private final Supplier<ListenerRuntime> listeners;
    private final MemberConnectionPools pools;
    private final RequestProgress requests;
    /** The client side is an HTTP/2 stream, which carries one exchange and ends with it. */
    private final boolean singleExchange;
    private final Deque<HttpObject> inbound = new ArrayDeque<>();
    private MemberConnectionPools.LoopPool idleMembers;
    /** What the connection's TLS tells about the client, once a request needed it. */
    private ClientTls clientTls;
    private boolean clientTlsRead;
    private ChannelHandlerContext client;
    private Exchange exchange;
    private MemberSide memberSide = MemberSide.NONE;
    /** Whether a request of this client connection was forwarded already. */
    private boolean forwardedBefore;
    /** While a read from the client is being handled, writes to the member wait for its end to be flushed. */
    private boolean readingClient;
    /** The client shut its sending side: what it asked is answered, then the connection closes. */
    private boolean clientInputShut;
    /** Reading waits until the client drains what it was sent: a slow reader slows the member. */
    private boolean waitingForClientWritability;
    /** Reading a request body waits until the member took what it was sent: a slow member slows the client. */
    private boolean waitingForMemberWritability;
    private Channel unflushed;
    /** The client connection is ending: nothing it sends from now on is read as a request. */
    private boolean closing;

    /**
     * @param requests how far the request being received has come
     * @param singleExchange whether the client side is an HTTP/2 stream, which carries one exchange
     * @param forwardedBefore whether the client connection had a request forwarded already (by an
     *     earlier stream of the same HTTP/2 connection)
     */
    HttpProxyHandler(Supplier<ListenerRuntime> listeners, MemberConnectionPools pools, RequestProgress requests,
            boolean singleExchange, boolean forwardedBefore) {
        this.listeners = listeners;
        this.pools = pools;
        this.requests = requests;
        this.singleExchange = singleExchange;
        this.forwardedBefore = forwardedBefore;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        client = ctx;
        idleMembers = pools.of(ctx.channel().eventLoop());
        ctx.read();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (closing) {
            ReferenceCountUtil.release(msg);
            return;
        }
        readingClient = true;
        inbound.add((HttpObject) msg);
        pump();
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        readingClient = false;
        flushMember();
    }

    private void flushMember() {
        Channel pending = unflushed;
        if (pending != null) {
            unflushed = null;
            pending.flush();
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        endExchange();
        releaseInbound();
        closeMember();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof IdleStateEvent) {
            clientIdle(ctx);
        } else if (evt instanceof ChannelInputShutdownEvent) {
            // A client may send its request and shut its side (HTTP/1.0 tools do): it still gets the answer.
            clientInputShut = true;
            if (closing) {
                // The last answer may still be on its way (an io_uring write completes later), and
                // closing now would drop it: LingeringClose closes once it is out.
                LingeringClose.clientEnded(ctx.channel());
            } else if (exchange == null && inbound.isEmpty()) {
                ctx.close();
            }
        } else {
            ctx.fireUserEventTriggered(evt);
        }
    }

    /** Nothing moved on the client connection for the listener's clientData timeout. */
    private void clientIdle(ChannelHandlerContext ctx) {
        if (exchange != null && exchange.requestSent() && !exchange.responseStarted()) {
            // the member works on the request: the member side's timeout is the one that applies
            return;
        }
        if (exchange != null && !exchange.requestSent() && requests.receivingBody() && !requestQueued()) {
            // the client stopped inside this exchange's body
            requestBroken(RequestRules.BODY_TIMEOUT);
            return;
        }
        if (exchange == null && requests.receivingHead()) {
            fail(listeners.get(), HttpResponseStatus.REQUEST_TIMEOUT, "the request's headers stopped arriving");
            return;
        }
        if (exchange != null && !exchange.requestSent()) {
            // a whole request waits for its member connection, whose own timeout applies
            return;
        }
        ctx.close();
    }

    /** Whether a request after the current exchange's waits in {@link #inbound}. */
    private boolean requestQueued() {
        for (HttpObject queued : inbound) {
            if (queued instanceof HttpRequest) {
                return true;
            }
        }
        return false;
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (ctx.channel().isWritable() && waitingForClientWritability) {
            waitingForClientWritability = false;
            if (exchange != null && memberSide instanceof MemberSide.Attached attached) {
                attached.channel().read();
            } else {
                pump();
            }
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        LOG.debug("client connection failed", cause);
        ctx.close();
    }

    /** Moves client messages on as far as the state allows, then asks for more if it can take them. */
    private void pump() {
        Channel wroteTo = null;
        while (!inbound.isEmpty() && !closing && client.channel().isActive()) {
            if (exchange == null) {
                HttpObject next = inbound.poll();
                if (next instanceof HttpRequest request) {
                    begin(request);
                } else {
                    // the rest of a request that was already answered with an error
                    ReferenceCountUtil.release(next);
                }
                continue;
            }
            if (exchange.requestSent()) {
                break;
            }
            if (inbound.peek().decoderResult().isFailure()) {
                // The body turned out unreadable: whatever of it a member connection has, the
                // connection closes with the exchange, and nothing it has not sent goes out.
                HttpObject broken = inbound.poll();
                ReferenceCountUtil.release(broken);
                requestBroken(RequestRules.ofUnreadableBody(broken.decoderResult().cause()));
                return;
            }
            if (!(memberSide instanceof MemberSide.Attached attached)) {
                break;
            }
            HttpObject next = inbound.poll();
            if (next instanceof LastHttpContent last) {
                exchange.requestSentWhole();
                if (exchange.retryHead != null
                        && (last.content().isReadable() || !last.trailingHeaders().isEmpty())) {
                    exchange.retryHead = null;
                }
            } else if (!(next instanceof HttpRequest)) {
                // a body: the request cannot be sent again
                exchange.retryHead = null;
            }
            // A failed write reaches the member's exceptionCaught, which closes it (memberInactive).
            wroteTo = attached.channel();
            wroteTo.write(next, wroteTo.voidPromise());
        }
        if (wroteTo != null) {
            if (unflushed != null && unflushed != wroteTo) {
                flushMember();
            }
            unflushed = wroteTo;
            if (!readingClient) {
                flushMember();
            }
        }
        readClientIfReady();
    }

    private void readClientIfReady() {
        boolean wantsMore;
        if (exchange == null || exchange.requestSent()) {
            // Once the request is sent, the next one may be read while the answer comes: it waits in
            // inbound (one read's worth at most), and the client's socket stays armed for reading,
            // which spares two epoll_ctl calls per request.
            wantsMore = true;
        } else if (!(memberSide instanceof MemberSide.Attached attached)) {
            wantsMore = false;
        } else {
            // A request body goes on only as fast as the member takes it.
            wantsMore = attached.channel().isWritable();
            waitingForMemberWritability = !wantsMore;
        }
        if (inbound.isEmpty() && wantsMore && !clientInputShut && client.channel().isActive()) {
            client.read();
        }
    }

    private void begin(HttpRequest request) {
        ListenerRuntime listener = listeners.get();
        RequestRules.Refusal refusal = RequestHeads.refusal(request);
        if (refusal != null) {
            ReferenceCountUtil.release(request);
            fail(listener, refusal.status(), refusal.reason());
            return;
        }
        // The policies look at the request as the client sent it, before the amphora adds to it.
        ClientTls tls = clientTls();
        L7Routing.Route route = L7Routing.route(listener, request, tls);
        if (route instanceof L7Routing.Answer answer) {
            ReferenceCountUtil.release(request);
            answer(answer);
            return;
        }
        Pool pool = ((L7Routing.ToPool) route).pool();
        exchange = new Exchange(listener, pool, request);
        exchange.strictTransportSecurity = tls == null || listener.tls() == null ? null
                : listener.tls().strictTransportSecurity();
        InetSocketAddress clientAddress = (InetSocketAddress) client.channel().remoteAddress();
        RequestHeads.adapt(request, listener.config().insertHeaders(), clientAddress,
                (InetSocketAddress) client.channel().localAddress(), tls);
        PoolMember chosen = MemberChoice.pick(pool, request, clientAddress, exchange);
        if (chosen == null) {
            if (pool != null) {
                pool.counters().requestFailed();
            }
            ReferenceCountUtil.release(request);
            fail(listener, HttpResponseStatus.SERVICE_UNAVAILABLE, "no server is available to handle this request");
            return;
        }
        inbound.addFirst(request);
        if (RequestHeads.retryable(request)) {
            exchange.retryHead = request;
        }
        if (memberSide instanceof MemberSide.Attached attached && attached.channel().isActive()
                && chosen.sameEndpoint(attached.target())) {
            exchange.servedBy(chosen);
            return;
        }
        closeMember();
        // As HAProxy's http-reuse safe: a request that could not be sent again if its pooled
        // connection turned out dead is the first of its client connection only on a new connection.
        // (A pool that speaks HTTP/2 to its members pools no idle connections: see reach.)
        boolean mayReuse = (forwardedBefore || exchange.retryHead != null) && !privateMembers(pool)
                && !pool.config().http2();
        forwardedBefore = true;
        MemberLink idle = mayReuse
                ? idleMembers.take(idleMembers.keyOf(chosen, listener.config().timeouts().memberDataMillis()))
                : null;
        if (idle != null) {
            attach(idle, chosen, true);
            return;
        }
        reach(listener, pool, chosen);
    }

    /**
     * Sends the exchange to {@code target} other than on a pooled idle connection: on a stream of
     * the loop's HTTP/2 connection to it for a pool that speaks HTTP/2 to its members, else on a
     * new HTTP/1.1 connection.
     */
    private void reach(ListenerRuntime listener, Pool pool, PoolMember target) {
        if (pool.config().http2()) {
            openStream(listener, pool, target);
        } else {
            connect(listener, pool, target);
        }
    }

    /** The connection's TLS, read at its first request; null on plain HTTP. */
    private ClientTls clientTls() {
        if (!clientTlsRead) {
            clientTls = ClientTls.of(client.channel());
            clientTlsRead = true;
        }
        return clientTls;
    }

    private void attach(MemberLink chosenLink, PoolMember target, boolean reused) {
        exchange.servedBy(target);
        memberSide = new MemberSide.Attached(chosenLink, target, reused);
        chosenLink.attach(this);
        chosenLink.channel().read();
    }

    /** Opens a new HTTP/1.1 member connection to {@code chosen} (or the next member the pool picks) for the exchange. */
    private void connect(ListenerRuntime listener, Pool pool, PoolMember chosen) {
        memberSide = new MemberSide.Connecting(chosen);
        Channel clientChannel = client.channel();
        long idleMillis = listener.config().timeouts().memberDataMillis();
        MemberConnector.connect(clientChannel, pool, chosen, listener.config().timeouts().memberConnectMillis(),
                target -> HttpListenerInitializer.memberPipeline(target, listener, pool, clientChannel,
                        new MemberLink(idleMembers.keyOf(target, idleMillis), idleMembers)))
                .addListener((Future<MemberConnector.Connected> done) -> {
                    if (goesOn(listener, done, () -> done.getNow().channel().close())) {
                        attach(done.getNow().channel().pipeline().get(MemberLink.class), done.getNow().member(),
                                false);
                        pump();
                    }
                });
    }

    /**
     * Sends the exchange to {@code chosen} on a stream of this event loop's HTTP/2 connection to
     * it, after opening one (to it, or to the next member the pool picks) if there is none that
     * takes another stream.
     */
    private void openStream(ListenerRuntime listener, Pool pool, PoolMember chosen) {
        long idleMillis = listener.config().timeouts().memberDataMillis();
        Channel connection = idleMembers.http2Connection(idleMembers.keyOf(chosen, idleMillis));
        if (connection != null) {
            // a stream on a connection that served before, which the member may be ending meanwhile
            openStreamOn(listener, connection, chosen, true);
            return;
        }
        memberSide = new MemberSide.Connecting(chosen);
        Channel clientChannel = client.channel();
        MemberConnector.connect(clientChannel, pool, chosen, listener.config().timeouts().memberConnectMillis(),
                target -> Http2MemberConnections.pipeline(target, listener, pool, clientChannel))
                .addListener((Future<MemberConnector.Connected> done) -> {
                    if (done.isSuccess()) {
                        // other exchanges of the loop may use it too, even if this one has ended meanwhile
                        idleMembers.addHttp2Connection(idleMembers.keyOf(done.getNow().member(), idleMillis),
                                done.getNow().channel());
                    }
                    if (goesOn(listener, done, () -> { })) {
                        openStreamOn(listener, done.getNow().channel(), done.getNow().member(), false);
                    }
                });
    }

    private void openStreamOn(ListenerRuntime listener, Channel connection, PoolMember target, boolean reused) {
        memberSide = new MemberSide.Connecting(target);
        long idleMillis = listener.config().timeouts().memberDataMillis();
        MemberLink link = new MemberLink(idleMembers.keyOf(target, idleMillis), idleMembers, true);
        Http2MemberConnections.openStream(connection, link, idleMillis).addListener(
                (Future<Http2StreamChannel> done) -> {
                    if (goesOn(listener, done, () -> done.getNow().close())) {
                        attach(link, target, reused);
                        pump();
                    }
                });
    }

    /**
     * A member connection or stream asked for is open, or could not be: whether the exchange goes
     * on with it. It does not when the client has gone or the exchange ended meanwhile (then
     * {@code discard} lets go of what was opened), nor when none could be opened (then the client
     * is answered).
     */
    private boolean goesOn(ListenerRuntime listener, Future<?> opened, Runnable discard) {
        if (memberSide instanceof MemberSide.Connecting) {
            memberSide = MemberSide.NONE;
        }
        if (!client.channel().isActive() || (opened.isSuccess() && exchange == null)) {
            // the client went, or its exchange ended meanwhile (it went quiet or failed)
            if (opened.isSuccess()) {
                discard.run();
            }
            return false;
        }
        if (!opened.isSuccess()) {
            LOG.debug("listener {}: {}", listener.config().name(), opened.cause().getMessage());
            fail(listener, HttpResponseStatus.SERVICE_UNAVAILABLE, "no server is available to handle this request");
            return false;
        }
        return true;
    }

    private void forwardResponse(MemberSide.Attached from, HttpObject msg) {
        if (!(msg instanceof HttpResponse) && msg.decoderResult().isFailure()) {
            // a body the member framed wrongly: what the client has of it is cut, and the
            // member connection, whose next bytes nobody could place, is closed
            ReferenceCountUtil.release(msg);
            failOnMember(from.target(), HttpResponseStatus.BAD_GATEWAY, "the server sent an invalid response");
            return;
        }
        if (msg instanceof HttpResponse response) {
            String refusal = ResponseHeads.refusal(response);
            if (refusal != null) {
                ReferenceCountUtil.release(msg);
                failOnMember(from.target(), HttpResponseStatus.BAD_GATEWAY, refusal);
                return;
            }
            // 100 Continue and friends precede the real response
            boolean interim = response.status().codeClass() == HttpStatusClass.INFORMATIONAL;
            exchange.responseHead(interim);
            if (!interim) {
                ResponseHeads.adapt(exchange, response);
                MemberChoice.bindSession(exchange.pool, from.target(), exchange, response);
            }
        }
        if (msg instanceof LastHttpContent) {
            exchange.responseEnded();
        }
        if (!exchange.responseReceived()) {
            // A failed write reaches exceptionCaught, which closes the client.
            client.write(msg, client.voidPromise());
            if (client.channel().isWritable()) {
                from.channel().read();
            } else {
                waitingForClientWritability = true;
            }
            return;
        }
        // The whole response is read: the member connection is free even before the client has it.
        // Flushed here, as the member's read-complete no longer reaches this handler once released.
        if (closesClientAfter(exchange)) {
            closing = true;
            LingeringClose.after(client.writeAndFlush(msg));
        } else {
            client.writeAndFlush(msg, client.voidPromise());
        }
        finishExchange();
    }

    /** Whether the client connection (or HTTP/2 stream, always) ends with this exchange's response. */
    private boolean closesClientAfter(Exchange done) {
        return singleExchange || !done.clientKeepAlive || !done.requestSent() || (clientInputShut && inbound.isEmpty());
    }

    /** The current exchange, if any, is over: its member session ends. */
    private void endExchange() {
        if (exchange != null) {
            exchange.end();
        }
        exchange = null;
    }

    private void finishExchange() {
        Exchange done = exchange;
        endExchange();
        if (!done.memberReusable || !done.requestSent()) {
            closeMember();
        } else if (privateMembers(done.pool)) {
            keepMember();
        } else {
            releaseMember();
        }
        if (closesClientAfter(done)) {
            // closed by the listener of the response's last write
            return;
        }
        if (client.channel().isWritable()) {
            pump();
        } else {
            waitingForClientWritability = true;
        }
    }

    /** Answers the client with an error and closes its connection. */
    private void fail(ListenerRuntime listener, HttpResponseStatus status, String message) {
        listener.counters().requestFailed();
        respondAndClose(status, message + "\n", null);
    }

    /**
     * Answers the client for an L7 policy (403, or a redirect) and closes its connection, so that
     * whatever body the request has is never read.
     */
    private void answer(L7Routing.Answer answer) {
        respondAndClose(answer.status(), answer.location() == null ? "request forbidden by administrative rules\n"
                : "", answer.location());
    }

    private void respondAndClose(HttpResponseStatus status, String body, String location) {
        endExchange();
        releaseInbound();
        closeMember();
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
                Unpooled.copiedBuffer(body, StandardCharsets.US_ASCII));
        response.headers()
                .setInt(HttpHeaderNames.CONTENT_LENGTH, response.content().readableBytes())
                .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        if (!body.isEmpty()) {
            response.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.TEXT_PLAIN);
        }
        if (location != null) {
            response.headers().set(HttpHeaderNames.LOCATION, location);
        }
        closing = true;
        LingeringClose.after(client.writeAndFlush(response));
    }

    /**
     * The client's current request cannot go on (unreadable, or stopped arriving): the member
     * connection closes, and the client gets the refusal, or a cut if it has part of an answer.
     */
    private void requestBroken(RequestRules.Refusal refusal) {
        if (exchange.responseStarted()) {
            exchange.listener.counters().requestFailed();
            endExchange();
            releaseInbound();
            closeMember();
            closeClient();
        } else {
            fail(exchange.listener, refusal.status(), refusal.reason());
        }
    }

    /** {@code target} failed the current exchange: an error if the client has no response yet, else a cut. */
    private void failOnMember(PoolMember target, HttpResponseStatus status, String message) {
        target.counters().requestFailed();
        if (exchange.responseStarted()) {
            exchange.listener.counters().requestFailed();
            closeMember();
            closeClient();
        } else {
            fail(exchange.listener, status, message);
        }
    }

    /** Cuts the client connection: what it was sent of an answer is all it gets. */
    private void closeClient() {
        closing = true;
        client.close();
    }

    private void closeMember() {
        if (memberSide instanceof MemberSide.Attached attached) {
            if (unflushed == attached.channel()) {
                unflushed = null;
            }
            attached.link().discard();
            detach();
        }
    }

    /** The member connection goes back to the pool of this event loop. */
    private void releaseMember() {
        if (memberSide instanceof MemberSide.Attached attached) {
            if (unflushed == attached.channel()) {
                flushMember();
            }
            detach();
            // keep reading while idle, so that the member closing the connection is noticed
            attached.channel().read();
            attached.link().release();
        }
    }

    /**
     * Whether member connections serve this client connection only. A PROXY header at the start
     * of a member connection tells the member which client the whole connection is for, so such a
     * connection never goes to the shared pool, where another client's request could take it:
     * it stays with its client connection for the next request (to the same member) and closes
     * with it. Keying the pool by client address instead would save nothing, because a client
     * connection keeps its own member connection anyway, and would hold idle connections for
     * clients that are gone.
     */
    private static boolean privateMembers(Pool pool) {
        PoolProtocol protocol = pool.config().protocol();
        return protocol == PoolProtocol.PROXY || protocol == PoolProtocol.PROXYV2;
    }

    /** The member connection stays attached, idle, for this client's next request; see {@link #privateMembers}. */
    private void keepMember() {
        if (memberSide instanceof MemberSide.Attached attached) {
            if (unflushed == attached.channel()) {
                flushMember();
            }
            // the next request goes on a used connection, which the member may close meanwhile
            memberSide = new MemberSide.Attached(attached.link(), attached.target(), true);
            // keep reading while idle, so that the member closing the connection is noticed
            attached.channel().read();
        }
    }

    private void detach() {
        memberSide = MemberSide.NONE;
    }

    /** The member connection attached now, if {@code link} is it; else null. */
    private MemberSide.Attached attachedAs(MemberLink link) {
        return memberSide instanceof MemberSide.Attached attached && attached.link() == link ? attached : null;
    }

    private void releaseInbound() {
        HttpObject msg;
        while ((msg = inbound.poll()) != null) {
            ReferenceCountUtil.release(msg);
        }
    }

    @Override
    public void memberRead(MemberLink from, Object msg) {
        MemberSide.Attached attached = attachedAs(from);
        if (attached == null || exchange == null || exchange.responseReceived() || !(msg instanceof HttpObject)) {
            // nothing was asked: a member talking out of turn loses its connection
            ReferenceCountUtil.release(msg);
            if (attached != null) {
                closeMember();
            } else {
                from.discard();
            }
            return;
        }
        forwardResponse(attached, (HttpObject) msg);
    }

    @Override
    public void memberReadComplete(MemberLink from) {
        client.flush();
    }

    @Override
    public void memberWritabilityChanged(MemberLink from) {
        if (attachedAs(from) != null && waitingForMemberWritability && from.channel().isWritable()) {
            waitingForMemberWritability = false;
            readClientIfReady();
        }
    }

    @Override
    public void memberInactive(MemberLink from) {
        MemberSide.Attached gone = attachedAs(from);
        if (gone == null) {
            return;
        }
        if (unflushed == gone.channel()) {
            unflushed = null;
        }
        detach();
        // a body that ends with the connection has been received whole by now
        if (exchange != null && !exchange.responseReceived()) {
            if (from.unprocessed() && !exchange.responseStarted() && !exchange.interimResponse()) {
                // An HTTP/2 member refused the stream, or went away before it (REFUSED_STREAM, GOAWAY):
                // it did not act on the request, which may therefore be sent again.
                if (exchange.retryHead != null && exchange.requestSent()) {
                    retry(gone.target());
                } else {
                    failOnMember(gone.target(), HttpResponseStatus.SERVICE_UNAVAILABLE,
                            "the server did not take the request; it may be sent again");
                }
                return;
            }
            if (gone.reused() && !exchange.responseStarted() && !exchange.interimResponse()) {
                // The pooled connection was closed by the member before it answered.
                if (exchange.retryHead != null && exchange.requestSent()) {
                    retry(gone.target());
                    return;
                }
                if (exchange.retryHead == null) {
                    // as with any keep-alive connection the server closes, the client may retry
                    exchange.listener.counters().requestFailed();
                    closeClient();
                    return;
                }
            }
            failOnMember(gone.target(), HttpResponseStatus.BAD_GATEWAY, "the server closed the connection");
        }
    }

    /** Sends the bodyless request of the current exchange again, to {@code target}, on a new member connection. */
    private void retry(PoolMember target) {
        HttpRequest head = exchange.retryHead;
        exchange.retryHead = null;
        exchange.requestToBeSentAgain();
        inbound.addFirst(LastHttpContent.EMPTY_LAST_CONTENT);
        inbound.addFirst(head);
        reach(exchange.listener, exchange.pool, target);
    }

    @Override
    public void memberIdle(MemberLink from) {
        MemberSide.Attached attached = attachedAs(from);
        if (attached == null || exchange == null) {
            from.discard();
            if (attached != null) {
                detach();
            }
        } else if (exchange.requestSent()) {
            // While the client still sends the request, the client side's timeout applies.
            failOnMember(attached.target(), HttpResponseStatus.GATEWAY_TIMEOUT, "the server did not answer in time");
        }
    }
}
