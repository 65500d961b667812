package dev.lbaas.amphora.proxy.http;

import dev.lbaas.amphora.balancing.PoolMember;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.RejectedExecutionException;

/**
 * Idle HTTP member connections kept for the next request, one pool per event loop, so that a
 * connection is only ever touched by the thread it runs on (HAProxy's {@code http-reuse safe},
 * Zuul's per-server pools). A connection goes back to the pool of its event loop after a complete
 * response with keep-alive on the member side, and a request takes one for its member from the
 * pool of its client's event loop, or opens a new one.
 *
 * <p>Pools are bounded ({@link #MAX_IDLE_PER_MEMBER} per member and event loop), idle connections
 * keep reading so that one the member closes, or that says anything unasked, leaves its pool at
 * once, and they close after the listener's member data timeout. A configuration generation keeps
 * only the connections of the members it still serves ({@link #retain}); {@link #close} ends
 * them all.
 *
 * <p>A pool that speaks HTTP/2 to its members keeps no idle connections here: each loop has one
 * HTTP/2 connection per member that every exchange opens a stream on
 * ({@link LoopPool#http2Connection}, {@link Http2MemberConnections}).
 */
public final class MemberConnectionPools implements AutoCloseable {

    /** Idle connections kept per member and event loop; more are closed. */
    static final int MAX_IDLE_PER_MEMBER = 64;

    /**
     * A member at an address, reached as its pool says (its TLS settings): a configuration
     * generation keeps the idle connections of the endpoints it serves.
     */
    record Endpoint(String memberId, InetSocketAddress address, Object transport) {
        Endpoint(PoolMember member) {
            this(member.id(), member.endpoint(), member.transport());
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof Endpoint endpoint && memberId.equals(endpoint.memberId)
                    && address.equals(endpoint.address) && java.util.Objects.equals(transport, endpoint.transport);
        }

        @Override
        public int hashCode() {
            return 31 * memberId.hashCode() + address.hashCode();
        }
    }

    /**
     * Where a connection goes: connections are interchangeable only for the same endpoint and idle
     * timeout. Looked up for every request, so equality is written out here and in {@link Endpoint}:
     * a record's generated equals and hashCode go through method handles, which showed in profiles.
     */
    record Key(Endpoint endpoint, long idleMillis) {
        @Override
        public boolean equals(Object other) {
            return other instanceof Key key && idleMillis == key.idleMillis && endpoint.equals(key.endpoint);
        }

        @Override
        public int hashCode() {
            return 31 * endpoint.hashCode() + Long.hashCode(idleMillis);
        }
    }

    private final ConcurrentMap<EventLoop, LoopPool> loops = new ConcurrentHashMap<>();
    private volatile Set<Endpoint> retained = Set.of();
    private volatile boolean closed;

    LoopPool of(EventLoop loop) {
        LoopPool pool = loops.get(loop);
        return pool != null ? pool : loops.computeIfAbsent(loop, LoopPool::new);
    }

    /**
     * From now on only connections to these members are kept; idle connections to others are
     * closed. Called by the configuration thread whenever a generation goes live.
     */
    public void retain(Collection<PoolMember> members) {
        Set<Endpoint> endpoints = new HashSet<>();
        for (PoolMember member : members) {
            if (member.config().adminStateUp() && member.weight() > 0) {
                endpoints.add(new Endpoint(member));
            }
        }
        retained = Set.copyOf(endpoints);
        loops.values().forEach(pool -> pool.onLoop(pool::purge));
    }

    /** Total idle connections, for tests; safe from any thread only roughly. */
    int idleCount() {
        int count = 0;
        for (LoopPool pool : loops.values()) {
            count += pool.size;
        }
        return count;
    }

    /** Closes every idle connection and keeps no more. */
    @Override
    public void close() {
        closed = true;
        loops.values().forEach(pool -> pool.onLoop(pool::purge));
    }

    /** The idle connections of one event loop; used on that loop only. */
    final class LoopPool {

        private final EventLoop loop;
        private final Map<Key, ArrayDeque<MemberLink>> idle = new HashMap<>();
        /**
         * The HTTP/2 connection new streams to each member go on: shared by every exchange of the
         * loop; one that cannot take another stream leaves the map and ends once idle.
         */
        private final Map<Key, Channel> http2 = new HashMap<>();
        /**
         * The key of each member served from this loop, made once rather than for every request (it
         * was a few percent of the garbage per request). Members are objects of one configuration
         * generation, so the cache starts afresh whenever a generation goes live ({@link #purge}).
         */
        private final Map<PoolMember, Key> keys = new IdentityHashMap<>();
        private volatile int size;

        LoopPool(EventLoop loop) {
            this.loop = loop;
        }

        /** Where connections to {@code member} go, for a listener whose member data timeout is {@code idleMillis}. */
        Key keyOf(PoolMember member, long idleMillis) {
            Key key = keys.get(member);
            if (key == null || key.idleMillis() != idleMillis) {
                key = new Key(new Endpoint(member), idleMillis);
                keys.put(member, key);
            }
            return key;
        }

        /** The most recently used idle connection for {@code key}, or null. */
        MemberLink take(Key key) {
            ArrayDeque<MemberLink> links = idle.get(key);
            if (links == null) {
                return null;
            }
            MemberLink link;
            while ((link = links.pollLast()) != null) {
                size--;
                link.pooled = false;
                if (link.channel().isActive()) {
                    return link;
                }
                link.channel().close();
            }
            return null;
        }

        /** The HTTP/2 connection to open a stream to {@code key}'s member on, or null to open a new connection. */
        Channel http2Connection(Key key) {
            Channel connection = http2.get(key);
            if (connection != null && !Http2MemberConnections.takesAnotherStream(connection)) {
                http2.remove(key);
                return null;
            }
            return connection;
        }

        /** New streams to {@code key}'s member go on {@code connection} from now on. */
        void addHttp2Connection(Key key, Channel connection) {
            if (closed) {
                // used for the stream it was opened for, then idle until it ends
                return;
            }
            http2.put(key, connection);
            connection.closeFuture().addListener(closedNow -> onLoop(() -> http2.remove(key, connection)));
        }

        /** Keeps the idle connection; false when it may not be kept and the caller is to close it. */
        boolean offer(MemberLink link) {
            Key key = link.key();
            if (closed || !link.channel().isActive()
                    || !retained.contains(key.endpoint())) {
                return false;
            }
            ArrayDeque<MemberLink> links = idle.computeIfAbsent(key, k -> new ArrayDeque<>());
            if (links.size() >= MAX_IDLE_PER_MEMBER) {
                return false;
            }
            link.pooled = true;
            links.addLast(link);
            size++;
            return true;
        }

        /** The idle connection closed or misbehaved: it leaves the pool. */
        void remove(MemberLink link) {
            ArrayDeque<MemberLink> links = idle.get(link.key());
            if (links != null && links.removeFirstOccurrence(link)) {
                link.pooled = false;
                size--;
                if (links.isEmpty()) {
                    idle.remove(link.key());
                }
            }
        }

        private void purge() {
            keys.clear();
            Set<Endpoint> keep = closed ? Set.of() : retained;
            List<MemberLink> dropped = new ArrayList<>();
            for (Iterator<Map.Entry<Key, ArrayDeque<MemberLink>>> it = idle.entrySet().iterator(); it.hasNext();) {
                var entry = it.next();
                Key key = entry.getKey();
                if (!keep.contains(key.endpoint())) {
                    dropped.addAll(entry.getValue());
                    size -= entry.getValue().size();
                    it.remove();
                }
            }
            for (MemberLink link : dropped) {
                link.pooled = false;
                link.channel().close();
            }
            // streams open on them finish; the connections end once idle
            http2.keySet().removeIf(key -> !keep.contains(key.endpoint()));
        }

        private void onLoop(Runnable task) {
            if (loop.inEventLoop()) {
                task.run();
                return;
            }
            try {
                loop.execute(task);
            } catch (RejectedExecutionException e) {
                // the event loop is shutting down and closes its channels itself
            }
        }
    }
}
