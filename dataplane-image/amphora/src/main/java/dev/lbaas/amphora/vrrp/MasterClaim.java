package dev.lbaas.amphora.vrrp;

import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A mastership as the network outside the pair records it, where more than the pair's own
 * adverts decide who receives the VIP's traffic (a Kubernetes EndpointSlice that the master
 * writes): the amphora that wrote it, with the term and priority it was master under. The same
 * order as between two masters' adverts decides which of two claims stands.
 *
 * @param term the writer's term when it wrote
 * @param priority the writer's priority, which settles equal terms
 * @param amphoraId the writer
 */
public record MasterClaim(long term, int priority, String amphoraId) {

    private static final Pattern TEXT = Pattern.compile("(\\S+) term=(\\d{1,18}) priority=(\\d{1,3})");

    public MasterClaim {
        Objects.requireNonNull(amphoraId, "amphoraId");
        if (term < 0) {
            throw new IllegalArgumentException("term " + term + " is negative");
        }
    }

    /**
     * Whether this claim stands over {@code other}: a newer term, or at an equal term another
     * amphora of higher priority, then of the greater id. A claim never outranks one of its own
     * amphora's at the same term.
     */
    public boolean outranks(MasterClaim other) {
        if (term != other.term) {
            return term > other.term;
        }
        if (amphoraId.equals(other.amphoraId)) {
            return false;
        }
        return priority > other.priority || priority == other.priority && amphoraId.compareTo(other.amphoraId) > 0;
    }

    /** As written into an annotation: {@code "<amphora id> term=<term> priority=<priority>"}. */
    public String text() {
        return amphoraId + " term=" + term + " priority=" + priority;
    }

    /** The claim {@link #text} wrote; null for null, or for text that is not a claim (written by hand). */
    public static MasterClaim parse(String text) {
        if (text == null) {
            return null;
        }
        Matcher claim = TEXT.matcher(text.strip());
        if (!claim.matches() || Integer.parseInt(claim.group(3)) > 255) {
            return null;
        }
        return new MasterClaim(Long.parseLong(claim.group(2)), Integer.parseInt(claim.group(3)), claim.group(1));
    }

    @Override
    public String toString() {
        return text();
    }
}
