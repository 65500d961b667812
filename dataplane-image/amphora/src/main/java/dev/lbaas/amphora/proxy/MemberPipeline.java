package dev.lbaas.amphora.proxy;

import dev.lbaas.amphora.balancing.Pool;
import dev.lbaas.amphora.balancing.PoolMember;
import dev.lbaas.amphora.proxy.tls.MemberTls;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.haproxy.HAProxyMessageEncoder;
import java.util.function.Consumer;

/** The handlers every member connection starts with, before the listener kind's own. */
public final class MemberPipeline {

    private MemberPipeline() {
    }

    /**
     * @param member the member connected to
     * @param listener the listener generation the connection serves
     * @param pool the member's pool: the listener's default pool, or the one an L7 policy chose
     * @param client the client connection served, whose addresses a PROXY header carries
     * @param proxyHandlers adds the listener kind's own handlers
     */
    public static ChannelHandler create(PoolMember member, ListenerRuntime listener, Pool pool, Channel client,
            Consumer<ChannelPipeline> proxyHandlers) {
        return new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel ch) {
                listener.connections().add(ch);
                ChannelPipeline pipeline = ch.pipeline();
                pipeline.addLast("member-traffic", TrafficCountingHandler.memberSide(member.counters()));
                // Octavia's member data timeout: the connection is closed when nothing moves either way.
                pipeline.addLast("member-idle", new InactivityTimeout(listener.config().timeouts().memberDataMillis()));
                ProxyProtocolSender proxyHeader = ProxyProtocolSender.forPool(pool.config().protocol(), client);
                if (proxyHeader != null) {
                    pipeline.addLast("proxy-protocol-encoder", HAProxyMessageEncoder.INSTANCE);
                    pipeline.addLast("proxy-protocol-header", proxyHeader);
                }
                // after the PROXY header, which members read before the handshake
                MemberTls tls = pool == null ? null : listener.memberTls().get(pool.config().id());
                if (tls != null) {
                    pipeline.addLast("member-tls", tls.newHandler(ch.alloc(), member.endpoint(),
                            listener.config().timeouts().memberConnectMillis()));
                }
                proxyHandlers.accept(pipeline);
            }
        };
    }
}
