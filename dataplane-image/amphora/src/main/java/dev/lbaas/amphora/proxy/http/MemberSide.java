package dev.lbaas.amphora.proxy.http;

import dev.lbaas.amphora.balancing.PoolMember;
import io.netty.channel.Channel;

/**
 * Where a client connection of an HTTP listener stands with a member: no member connection, one
 * being opened for the current exchange, or one attached (from the pool of idle connections or
 * opened for it). A request's parts go to a member only once one is attached.
 */
sealed interface MemberSide {

    /** No member connection. */
    MemberSide NONE = new None();

    /** No member connection. */
    record None() implements MemberSide {
    }

    /** A connection to {@code target} is being opened for the current exchange. */
    record Connecting(PoolMember target) implements MemberSide {
    }

    /**
     * A member connection serves this client connection.
     *
     * @param reused whether it served a request before (from the pool, or kept from this client's
     *     previous request), so that the member may have closed it meanwhile
     */
    record Attached(MemberLink link, PoolMember target, boolean reused) implements MemberSide {

        Channel channel() {
            return link.channel();
        }
    }
}
