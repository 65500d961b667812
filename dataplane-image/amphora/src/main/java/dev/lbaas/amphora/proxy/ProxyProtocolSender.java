package dev.lbaas.amphora.proxy;

import dev.lbaas.amphora.config.PoolProtocol;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.haproxy.HAProxyCommand;
import io.netty.handler.codec.haproxy.HAProxyMessage;
import io.netty.handler.codec.haproxy.HAProxyProtocolVersion;
import io.netty.handler.codec.haproxy.HAProxyProxiedProtocol;
import io.netty.util.NetUtil;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.net.SocketAddress;

/**
 * Starts a member connection of a PROXY or PROXYV2 pool with the PROXY protocol header: the
 * client's address as source, the VIP and listener port as destination. Netty's
 * {@code HAProxyMessageEncoder}, just before this handler, writes the v1 text or v2 binary form.
 *
 * <p>The header is written, unflushed, just before the connection is opened: it is then the first
 * thing in the connection's outbound buffer, ahead of whatever the proxy writes once it learns the
 * connection is up (whichever listener of the connect is told first), and it is flushed as soon as
 * the connection is up, so that members that speak first (a greeting) are not kept waiting for it.
 */
final class ProxyProtocolSender extends ChannelOutboundHandlerAdapter {

    private final HAProxyProtocolVersion version;
    private final Channel client;

    private ProxyProtocolSender(HAProxyProtocolVersion version, Channel client) {
        this.version = version;
        this.client = client;
    }

    /** The sender for a pool of this protocol, or null when the pool's members get no PROXY header. */
    static ProxyProtocolSender forPool(PoolProtocol protocol, Channel client) {
        return switch (protocol) {
            case PROXY -> new ProxyProtocolSender(HAProxyProtocolVersion.V1, client);
            case PROXYV2 -> new ProxyProtocolSender(HAProxyProtocolVersion.V2, client);
            default -> null;
        };
    }

    @Override
    public void connect(ChannelHandlerContext ctx, SocketAddress remoteAddress, SocketAddress localAddress,
            ChannelPromise promise) {
        // queued before the connect even starts; a failed connect releases it with the outbound buffer
        ctx.write(header(version, (InetSocketAddress) client.remoteAddress(),
                (InetSocketAddress) client.localAddress()));
        ctx.connect(remoteAddress, localAddress, promise).addListener((ChannelFutureListener) connected -> {
            if (connected.isSuccess()) {
                ctx.flush();
                ctx.pipeline().remove(this);
            }
        });
    }

    static HAProxyMessage header(HAProxyProtocolVersion version, InetSocketAddress client, InetSocketAddress vip) {
        HAProxyProxiedProtocol family;
        if (client.getAddress() instanceof Inet4Address && vip.getAddress() instanceof Inet4Address) {
            family = HAProxyProxiedProtocol.TCP4;
        } else if (client.getAddress() instanceof Inet6Address && vip.getAddress() instanceof Inet6Address) {
            family = HAProxyProxiedProtocol.TCP6;
        } else {
            // The format cannot mix families; UNKNOWN tells the member to use the connection's own addresses.
            return new HAProxyMessage(version, HAProxyCommand.PROXY, HAProxyProxiedProtocol.UNKNOWN, null, null, 0, 0);
        }
        // NetUtil rather than getHostAddress(): no IPv6 scope suffix, which the format does not allow
        return new HAProxyMessage(version, HAProxyCommand.PROXY, family, NetUtil.toAddressString(client.getAddress()),
                NetUtil.toAddressString(vip.getAddress()), client.getPort(), vip.getPort());
    }
}
