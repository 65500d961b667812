package dev.lbaas.amphora.balancing;

import dev.lbaas.amphora.config.MemberHealth;
import dev.lbaas.amphora.config.SessionPersistenceConfig;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A pool's session persistence as one configuration generation serves it, over a {@link
 * StickTable} that outlives generations.
 *
 * <p>A client bound to a member keeps it while the member is enabled and not down, even when the
 * member drains (weight 0: existing sessions finish there) or is a backup that primaries have come
 * back from. A bound member that went down, was disabled or left the pool is replaced by a fresh
 * pick, and the binding follows the new member.
 */
public final class SessionPersistence {

    /**
     * The cookie an HTTP_COOKIE pool inserts; its value is the member's id. Octavia's HAProxy
     * configuration uses the same name, so clients migrated from Octavia keep their members.
     */
    public static final String INSERTED_COOKIE = "SRV";

    /** No persistence: every connection or request is picked afresh. */
    public static final SessionPersistence NONE = new SessionPersistence(null, null, List.of());

    private final SessionPersistenceConfig config;
    private final StickTable table;
    private final Map<String, PoolMember> membersById = new HashMap<>();
    private final int sourcePrefixLength;

    /**
     * @param table the pool's table, kept from the previous generation when the persistence did not
     *     change; unused (may be null) for HTTP_COOKIE, whose state lives in the clients' cookies
     */
    SessionPersistence(SessionPersistenceConfig config, StickTable table, List<PoolMember> members) {
        this.config = config;
        this.table = table;
        members.forEach(member -> membersById.put(member.id(), member));
        this.sourcePrefixLength = config != null && config.granularity() != null
                ? SessionPersistenceConfig.prefixLength(config.granularity())
                : 32;
    }

    /** The type, or null without persistence. */
    public SessionPersistenceConfig.Type type() {
        return config == null ? null : config.type();
    }

    /** The cookie whose value a request's member is looked up by, or null when no cookie matters. */
    public String cookieName() {
        if (config == null) {
            return null;
        }
        return switch (config.type()) {
            case HTTP_COOKIE -> INSERTED_COOKIE;
            case APP_COOKIE -> config.cookieName();
            case SOURCE_IP -> null;
        };
    }

    /**
     * The member this client or request is bound to, if it may still serve it.
     *
     * @param cookieValue the value of {@link #cookieName()} in the request, or null
     */
    PoolMember bound(InetSocketAddress client, String cookieValue) {
        if (config == null) {
            return null;
        }
        String memberId = switch (config.type()) {
            case SOURCE_IP -> table.get(sourceKey(client));
            case HTTP_COOKIE -> cookieValue;
            case APP_COOKIE -> cookieValue == null ? null : table.get(cookieValue);
        };
        PoolMember member = memberId == null ? null : membersById.get(memberId);
        return member != null && mayKeep(member) ? member : null;
    }

    /**
     * A fresh pick for this client or request: SOURCE_IP remembers it; APP_COOKIE remembers it
     * for a session cookie the client already has (after an amphora restart, for example).
     */
    void picked(InetSocketAddress client, String cookieValue, PoolMember member) {
        if (config == null) {
            return;
        }
        switch (config.type()) {
            case SOURCE_IP -> table.put(sourceKey(client), member.id());
            case APP_COOKIE -> {
                if (cookieValue != null) {
                    table.put(cookieValue, member.id());
                }
            }
            case HTTP_COOKIE -> {
                // the response carries the binding to the client
            }
        }
    }

    /** APP_COOKIE: the member set the application's session cookie to {@code value}. */
    public void sessionStarted(String value, PoolMember member) {
        if (config != null && config.type() == SessionPersistenceConfig.Type.APP_COOKIE && !value.isEmpty()) {
            table.put(value, member.id());
        }
    }

    private static boolean mayKeep(PoolMember member) {
        return member.config().adminStateUp() && member.health() != MemberHealth.DOWN;
    }

    private String sourceKey(InetSocketAddress client) {
        InetAddress address = client.getAddress();
        byte[] bytes = address.getAddress();
        if (bytes.length == 4 && sourcePrefixLength < 32) {
            int bits = ((bytes[0] & 0xff) << 24 | (bytes[1] & 0xff) << 16 | (bytes[2] & 0xff) << 8 | (bytes[3] & 0xff))
                    & (int) (0xffffffffL << (32 - sourcePrefixLength));
            return Integer.toHexString(bits);
        }
        return address.getHostAddress();
    }
}
