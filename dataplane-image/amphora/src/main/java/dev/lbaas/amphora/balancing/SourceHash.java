package dev.lbaas.amphora.balancing;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * SOURCE_IP and SOURCE_IP_PORT: weighted rendezvous hashing of the client's address over the
 * eligible members. A client keeps its member while that member stays eligible, and when a member
 * leaves or joins only the clients that hash to it move.
 */
final class SourceHash implements MemberPicker {

    private final EligibleMembers eligible;
    private final boolean includePort;

    SourceHash(EligibleMembers eligible, boolean includePort) {
        this.eligible = eligible;
        this.includePort = includePort;
    }

    @Override
    public PoolMember pick(InetSocketAddress client) {
        List<PoolMember> members = eligible.current();
        long key = clientKey(client);
        PoolMember best = null;
        double bestScore = Double.NEGATIVE_INFINITY;
        for (PoolMember member : members) {
            double score = score(key, member);
            if (score > bestScore) {
                best = member;
                bestScore = score;
            }
        }
        return best;
    }

    private long clientKey(InetSocketAddress client) {
        long hash = fnv1a(client.getAddress().getAddress());
        return includePort ? mix(hash ^ client.getPort()) : hash;
    }

    /** weight / -ln(u) with u uniform in (0, 1): the largest score wins in proportion to the weights. */
    private static double score(long key, PoolMember member) {
        long hash = mix(key ^ fnv1a(member.id().getBytes(StandardCharsets.UTF_8)));
        double uniform = ((hash >>> 11) + 0.5) / (1L << 53);
        return member.weight() / -Math.log(uniform);
    }

    private static long fnv1a(byte[] bytes) {
        long hash = 0xcbf29ce484222325L;
        for (byte b : bytes) {
            hash ^= b & 0xff;
            hash *= 0x100000001b3L;
        }
        return hash;
    }

    /** SplitMix64's finalizer, so that nearby keys land far apart. */
    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }
}
