package dev.lbaas.amphora.proxy.tls;

import io.netty.channel.Channel;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.ssl.SslHandler;

/**
 * What a client connection's TLS tells about its client, read once per connection when its first
 * request needs it (the handshake is over by then).
 *
 * @param certificate the certificate the client presented, or null for none
 */
public record ClientTls(ClientCertificate certificate) {

    /**
     * The TLS of the client connection {@code channel}, or of the connection of an HTTP/2 stream;
     * null on a connection without TLS, whatever its listener has become since it was accepted.
     */
    public static ClientTls of(Channel channel) {
        Channel connection = channel instanceof Http2StreamChannel ? channel.parent() : channel;
        return connection.pipeline().get(SslHandler.class) == null ? null
                : new ClientTls(ClientCertificate.of(connection));
    }
}
