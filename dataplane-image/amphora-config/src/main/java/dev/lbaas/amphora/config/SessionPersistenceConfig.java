package dev.lbaas.amphora.config;

import java.util.Objects;

/**
 * Octavia's session persistence of a pool: a client keeps the member it had while that member
 * can serve.
 *
 * @param type how the client is recognised
 * @param cookieName APP_COOKIE only: the application's cookie whose value identifies the session
 * @param timeoutMillis how long a SOURCE_IP or APP_COOKIE entry is kept after its last use; null
 *     keeps entries until the table is full (Octavia's HAProxy stick tables have no expiry)
 * @param granularity SOURCE_IP only: an IPv4 netmask ("255.255.255.0") applied to client
 *     addresses, so that a whole network shares a member; null means the whole address
 */
public record SessionPersistenceConfig(Type type, String cookieName, Long timeoutMillis, String granularity) {

    /** Octavia's session persistence types. */
    public enum Type {
        /** By client address, in a table the amphora keeps. */
        SOURCE_IP,
        /** The amphora inserts a cookie naming the member. */
        HTTP_COOKIE,
        /** The member is learnt from the application's own session cookie. */
        APP_COOKIE
    }

    public SessionPersistenceConfig {
        Objects.requireNonNull(type, "sessionPersistence.type: must be set");
        if (type == Type.APP_COOKIE) {
            Validation.requireText(cookieName, "sessionPersistence.cookieName");
        } else if (cookieName != null) {
            throw new IllegalArgumentException("sessionPersistence.cookieName: only allowed with type APP_COOKIE");
        }
        if (timeoutMillis != null) {
            Validation.requireRange(timeoutMillis, 1, 31L * 86_400_000, "sessionPersistence.timeoutMillis");
        }
        if (granularity != null) {
            if (type != Type.SOURCE_IP) {
                throw new IllegalArgumentException("sessionPersistence.granularity: only allowed with type SOURCE_IP");
            }
            prefixLength(granularity);
        }
    }

    /** The prefix length of an IPv4 netmask such as "255.255.255.0" (24). */
    public static int prefixLength(String netmask) {
        long bits = dottedQuad(netmask);
        int prefix = Long.bitCount(Math.max(bits, 0));
        // a netmask is ones followed by zeros only
        if (bits < 0 || bits != (0xffffffffL << (32 - prefix) & 0xffffffffL)) {
            throw new IllegalArgumentException("sessionPersistence.granularity: \"" + netmask
                    + "\" is not an IPv4 netmask such as 255.255.255.0");
        }
        return prefix;
    }

    /** The 32 bits of "a.b.c.d", or -1 when it is not one. */
    private static long dottedQuad(String text) {
        String[] octets = text.split("\\.", -1);
        if (octets.length != 4) {
            return -1;
        }
        long bits = 0;
        for (String octet : octets) {
            if (!octet.matches("[0-9]{1,3}") || Integer.parseInt(octet) > 255) {
                return -1;
            }
            bits = bits << 8 | Integer.parseInt(octet);
        }
        return bits;
    }
}
