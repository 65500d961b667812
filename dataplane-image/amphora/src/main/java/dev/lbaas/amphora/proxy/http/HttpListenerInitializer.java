package dev.lbaas.amphora.proxy.http;

import dev.lbaas.amphora.balancing.Pool;
import dev.lbaas.amphora.balancing.PoolMember;
import dev.lbaas.amphora.proxy.ListenerInitializer;
import dev.lbaas.amphora.proxy.ListenerRuntime;
import dev.lbaas.amphora.proxy.MemberPipeline;
import dev.lbaas.amphora.proxy.http.codec.ClientHttpCodec;
import dev.lbaas.amphora.proxy.http.codec.CompactHttpHeaders;
import dev.lbaas.amphora.proxy.http.codec.LazyTrailers;
import dev.lbaas.amphora.proxy.http.codec.MemberHttpCodec;
import dev.lbaas.amphora.proxy.tls.TlsTermination;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.ssl.SniHandler;
import io.netty.handler.ssl.SslContext;
import java.util.function.Supplier;

/**
 * HTTP and TERMINATED_HTTPS listeners: a streaming reverse proxy. Requests and responses pass
 * through as {@code HttpObject}s, never aggregated, so bodies of any size flow with backpressure.
 * A connection starts as HTTP/1.1 and becomes HTTP/2 when its TLS handshake chooses h2, or, where
 * the listener takes h2c with prior knowledge, when it begins with HTTP/2's preface
 * ({@link Http2Connections}).
 */
public final class HttpListenerInitializer extends ListenerInitializer {

    /** Bounds on what a client may send, and strict framing against request smuggling. */
    private static final HttpDecoderConfig CLIENT_DECODER = new HttpDecoderConfig()
            .setMaxInitialLineLength(8 * 1024)
            .setMaxHeaderSize(32 * 1024)
            .setMaxChunkSize(64 * 1024)
            .setValidateHeaders(true)
            .setStrictLineParsing(true)
            // Content-Length with Transfer-Encoding, or differing Content-Lengths: rejected, not guessed.
            .setAllowDuplicateContentLengths(false)
            .setUseRfc9112TransferEncoding(true)
            // after setValidateHeaders, which resets both factories to Netty's
            .setHeadersFactory(CompactHttpHeaders.FACTORY)
            .setTrailersFactory(LazyTrailers.FACTORY);

    private static final HttpDecoderConfig MEMBER_DECODER = new HttpDecoderConfig()
            .setMaxInitialLineLength(8 * 1024)
            .setMaxHeaderSize(64 * 1024)
            .setMaxChunkSize(64 * 1024)
            .setValidateHeaders(true)
            .setAllowDuplicateContentLengths(false)
            .setUseRfc9112TransferEncoding(true)
            // after setValidateHeaders, which resets both factories to Netty's
            .setHeadersFactory(CompactHttpHeaders.FACTORY)
            .setTrailersFactory(LazyTrailers.FACTORY);

    /** The largest ClientHello read to find the server name (TLS record limit). */
    private static final int MAX_CLIENT_HELLO = 16 * 1024;

    private final Supplier<ListenerRuntime> latest;
    private final Http2Connections http2;

    /**
     * @param listener the generation current when the connection was accepted
     * @param latest the listener's current generation, consulted for every request, so that a
     *     keep-alive connection follows configuration changes
     */
    public HttpListenerInitializer(ListenerRuntime listener, Supplier<ListenerRuntime> latest) {
        super(listener);
        this.latest = latest;
        this.http2 = new Http2Connections(listener, latest);
    }

    @Override
    protected void addProxyHandlers(ChannelPipeline pipeline) {
        // A client that shuts its sending side after its request still reads the answer (see HttpProxyHandler).
        pipeline.channel().config().setOption(ChannelOption.ALLOW_HALF_CLOSURE, true);
        if (listener.tls() != null) {
            // Each handshake takes the certificates of the generation current when it starts, so a
            // rotated certificate serves new connections while open ones keep their sessions.
            pipeline.addLast("tls", new SniHandler(this::contextFor, MAX_CLIENT_HELLO,
                    listener.config().timeouts().httpRequestMillis()));
            if (listener.tls().offersHttp2()) {
                pipeline.addLast("alpn", http2.negotiation());
            }
        } else if (listener.config().h2cPriorKnowledge()) {
            pipeline.addLast("h2c-preface", http2.priorKnowledge());
        }
        ClientHttpCodec codec = new ClientHttpCodec(CLIENT_DECODER,
                () -> latest.get().config().timeouts().httpRequestMillis());
        pipeline.addLast("http-codec", codec);
        pipeline.addLast("http-proxy", new HttpProxyHandler(latest, listener.memberConnections(), codec, false, false));
    }

    /**
     * The server context for a handshake naming {@code serverName}: the current generation's, or
     * the accepting one's should the port have stopped terminating TLS meanwhile.
     */
    private SslContext contextFor(String serverName) {
        TlsTermination current = latest.get().tls();
        return (current != null ? current : listener.tls()).contextFor(serverName);
    }

    /**
     * The pipeline of a member connection of {@code pool} (the listener's default pool or an L7
     * policy's); {@code responses} receives what the member answers.
     */
    static ChannelHandler memberPipeline(PoolMember member, ListenerRuntime listener, Pool pool, Channel client,
            ChannelHandler responses) {
        return MemberPipeline.create(member, listener, pool, client, pipeline -> {
            pipeline.addLast("http-codec", new MemberHttpCodec(MEMBER_DECODER));
            pipeline.addLast("http-responses", responses);
        });
    }
}
