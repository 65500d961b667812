package dev.lbaas.amphora.balancing;

import dev.lbaas.amphora.config.PoolConfig;
import dev.lbaas.amphora.config.SessionPersistenceConfig;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The persistence tables of the amphora's pools. A pool keeps its table across configuration
 * generations while its session persistence settings stay the same, so a reload moves no
 * client; a pool whose settings changed starts a new table. Used by the configuration thread only.
 */
public final class StickTables {

    private record Kept(SessionPersistenceConfig settings, StickTable table) {
    }

    private final Map<String, Kept> byPool = new HashMap<>();

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
                kept = new Kept(settings, new StickTable(StickTable.DEFAULT_CAPACITY, timeoutMillis, System::nanoTime));
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
