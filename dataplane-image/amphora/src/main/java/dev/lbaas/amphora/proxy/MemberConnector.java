package dev.lbaas.amphora.proxy;

import dev.lbaas.amphora.Transport;
import dev.lbaas.amphora.balancing.Pool;
import dev.lbaas.amphora.balancing.PoolMember;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelOption;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import java.net.InetSocketAddress;
import java.util.function.Function;

/**
 * Opens the member side of a proxied connection on the client's own event loop, so both sides of
 * a connection share one thread and never need locks. A member that refuses is reported to its
 * health tracker, which takes it out of rotation at once (passive detection), and the client is
 * tried on the next member the pool picks, a bounded number of times.
 *
 * <p>Counts each failed connect as a connection error of its member, and a pool with no member to
 * take the connection as a request error of the pool. What an open connection counts as (a TCP
 * session, or the carrier of HTTP requests) is left to the caller.
 */
public final class MemberConnector {

    /** An open member connection. */
    public record Connected(PoolMember member, Channel channel) {
    }

    /** Why no member connection could be opened; the message is fit for a log line. */
    public static final class NoMemberException extends Exception {
        NoMemberException(String message, Throwable cause) {
            super(message, cause, false, false);
        }
    }

    private static final int ATTEMPTS = 3;

    private MemberConnector() {
    }

    /** The member the pool picks for this client, or null when the listener has no pool or it has no member up. */
    public static PoolMember pick(Channel client, Pool pool) {
        return pool == null ? null : pool.pick((InetSocketAddress) client.remoteAddress());
    }

    /**
     * @param first the member to try first, usually {@link #pick}; retries ask the pool again
     * @param memberPipeline builds the pipeline of a member connection (auto-read is off on it)
     */
    public static Future<Connected> connect(Channel client, Pool pool, PoolMember first, long connectTimeoutMillis,
            Function<PoolMember, ChannelHandler> memberPipeline) {
        Promise<Connected> result = client.eventLoop().newPromise();
        attempt(client, pool, first, connectTimeoutMillis, memberPipeline, 1, result);
        return result;
    }

    private static void attempt(Channel client, Pool pool, PoolMember member, long connectTimeoutMillis,
            Function<PoolMember, ChannelHandler> memberPipeline, int attempt, Promise<Connected> result) {
        if (member == null) {
            // On a retry the failed connect already counted as an error of the pool, through its member.
            if (pool != null && attempt == 1) {
                pool.counters().requestFailed();
            }
            result.tryFailure(new NoMemberException("no member available", null));
            return;
        }
        ChannelFuture connect = new Bootstrap()
                .group(client.eventLoop())
                .channel(Transport.CURRENT.socketChannel())
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, connectTimeoutMillis))
                .option(ChannelOption.AUTO_READ, false)
                .option(ChannelOption.TCP_NODELAY, true)
                // The connection's port, in TIME_WAIT once the amphora closes it, must not keep a
                // listener or the pair's session sync from binding the same number later.
                .option(ChannelOption.SO_REUSEADDR, true)
                .handler(memberPipeline.apply(member))
                .connect(member.endpoint());
        connect.addListener((ChannelFuture done) -> {
            if (done.isSuccess()) {
                if (!result.trySuccess(new Connected(member, done.channel()))) {
                    done.channel().close();
                }
            } else {
                member.counters().connectFailed();
                // before the next pick, so that the pick already avoids this member
                member.connectionFailed();
                if (attempt < ATTEMPTS && !result.isDone()) {
                    attempt(client, pool, pick(client, pool), connectTimeoutMillis, memberPipeline, attempt + 1,
                            result);
                } else {
                    result.tryFailure(new NoMemberException("cannot connect to member " + member + ": "
                            + done.cause().getMessage(), done.cause()));
                }
            }
        });
    }
}
