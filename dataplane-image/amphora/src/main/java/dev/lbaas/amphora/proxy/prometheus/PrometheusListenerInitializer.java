package dev.lbaas.amphora.proxy.prometheus;

import dev.lbaas.amphora.proxy.ListenerInitializer;
import dev.lbaas.amphora.proxy.ListenerRuntime;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpServerCodec;

/**
 * PROMETHEUS listeners (Octavia 2023.2): {@code GET /metrics} answers the whole load balancer's
 * metrics in the Prometheus text format. Allowed CIDRs, the connection limit and the client data
 * timeout apply as on every listener; a scrape is counted in the listener's own statistics.
 */
public final class PrometheusListenerInitializer extends ListenerInitializer {

    /** A scrape is a short GET: anything longer is refused by the decoder. */
    private static final HttpDecoderConfig DECODER = new HttpDecoderConfig()
            .setMaxInitialLineLength(4 * 1024)
            .setMaxHeaderSize(16 * 1024)
            .setValidateHeaders(true)
            .setStrictLineParsing(true)
            .setAllowDuplicateContentLengths(false)
            .setUseRfc9112TransferEncoding(true);

    public PrometheusListenerInitializer(ListenerRuntime listener) {
        super(listener);
    }

    @Override
    protected void addProxyHandlers(ChannelPipeline pipeline) {
        pipeline.addLast("http-codec", new HttpServerCodec(DECODER));
        pipeline.addLast("metrics", new MetricsRequestHandler(listener));
    }
}
