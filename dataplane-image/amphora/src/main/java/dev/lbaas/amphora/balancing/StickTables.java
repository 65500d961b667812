package dev.lbaas.amphora.balancing;

import dev.lbaas.amphora.config.PoolConfig;
import dev.lbaas.amphora.config.SessionPersistenceConfig;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The persistence tables of the amphora's pools. A pool keeps its table across configuration
 * generations while its session persistence settings stay the same, so a reload moves no
 * client; a pool whose settings changed starts a new table. Tables are made and dropped by the
 * configuration thread; a pair's session sync reads and fills them from its event loop.
 *
 * <p>In an ACTIVE_STANDBY pair the master's bindings are told to a {@link Sink} as they are made
 * (and again while in use, before the standby's copy would expire), and the standby {@link
 * #restore}s them: a client keeps its member across a failover.
 */
public final class StickTables {

    /** Where a master's bindings go: the pair's session sync. */
    public interface Sink {
        Sink NONE = (poolId, key, memberId) -> { };

        /** Called on event loops, often: must not block. */
        void bound(String poolId, String key, String memberId);
    }

    private record Kept(SessionPersistenceConfig settings, StickTable table) {
    }

    private final Map<String, Kept> byPool = new ConcurrentHashMap<>();
    private volatile Sink sink = Sink.NONE;

    /** Bindings made from now on go to {@code sink} ({@link Sink#NONE}: nowhere). */
    public void publishTo(Sink sink) {
        this.sink = sink;
    }

    /** Binds {@code key} in pool {@code poolId}'s table, if the pool has one, as the pair's master told. */
    public void restore(String poolId, String key, String memberId) {
        Kept kept = byPool.get(poolId);
        if (kept != null) {
            kept.table().restore(key, memberId);
        }
    }

    /** Every binding in force in every table, for a standby that has just connected. */
    public void forEach(Sink action) {
        byPool.forEach((poolId, kept) -> kept.table().forEach((key, memberId) -> action.bound(poolId, key, memberId)));
    }

    /** The session persistence of {@code pool} for a new generation whose members are {@code members}. */
    public SessionPersistence persistence(PoolConfig pool, List<PoolMember> members) {
        SessionPersistenceConfig settings = pool.sessionPersistence();
        if (settings == null) {
            return SessionPersistence.NONE;
        }
        StickTable table = null;
        if (settings.type() != SessionPersistenceConfig.Type.HTTP_COOKIE) {
            Kept kept = byPool.get(pool.id());
            if (kept == null || !kept.settings().equals(settings)) {
                long timeoutMillis = settings.timeoutMillis() == null ? 0 : settings.timeoutMillis();
                String poolId = pool.id();
                kept = new Kept(settings, new StickTable(StickTable.DEFAULT_CAPACITY, timeoutMillis, System::nanoTime,
                        (key, memberId) -> sink.bound(poolId, key, memberId)));
                byPool.put(pool.id(), kept);
            }
            table = kept.table();
        }
        return new SessionPersistence(settings, table, members);
    }

    /** Drops the tables of pools the generation that went live no longer has. */
    public void retain(Collection<String> poolIds) {
        Set<String> keep = Set.copyOf(poolIds);
        byPool.keySet().removeIf(id -> !keep.contains(id));
    }
}
