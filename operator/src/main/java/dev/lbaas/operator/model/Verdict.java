package dev.lbaas.operator.model;

/**
 * What the operator concluded about one object's spec in the context of its load balancer.
 *
 * @param accepted the spec can be served as written (Accepted condition)
 * @param resolvedRefs everything it names exists and can be used (ResolvedRefs condition)
 * @param error the object itself is at fault and a person must fix it (provisioningStatus ERROR), as
 *     opposed to waiting for another object
 * @param serving what of the object the amphorae are given
 * @param reason a CamelCase reason for the condition that is false, or the positive reason
 * @param message for people: what is wrong and how to fix it
 */
public record Verdict(boolean accepted, boolean resolvedRefs, boolean error, Serving serving, String reason,
        String message) {

    /** What of an object goes into the amphora configuration. */
    public enum Serving {
        /** Its current spec. */
        CURRENT,
        /** The spec it had in the last configuration, because the current one cannot be served. */
        PREVIOUS,
        /** Nothing. */
        NONE
    }

    public static final Verdict OK = new Verdict(true, true, false, Serving.CURRENT, "Accepted", "");

    /** The spec cannot be served and nothing of it was served before: the object is left out. */
    public static Verdict rejected(String reason, String message) {
        return new Verdict(false, true, true, Serving.NONE, reason, message);
    }

    /** The spec cannot be served; what was served of it before keeps being served. */
    public static Verdict rejectedKeepingPrevious(String reason, String message) {
        return new Verdict(false, true, true, Serving.PREVIOUS, reason, message);
    }

    /** The object names something that does not exist (yet): it is served without it. */
    public static Verdict unresolved(String reason, String message) {
        return new Verdict(true, false, false, Serving.CURRENT, reason, message);
    }

    /**
     * The object names something it cannot use: the mistake is its own, and it is served without
     * that reference (or with the one it had before).
     */
    public static Verdict misreferenced(String reason, String message) {
        return new Verdict(true, false, true, Serving.CURRENT, reason, message);
    }

    /** The object is fine but depends on one that cannot be served, so it is left out too. */
    public static Verdict blockedBy(String reason, String message) {
        return new Verdict(true, false, false, Serving.NONE, reason, message);
    }

    /** Whether the amphorae are given anything of the object. */
    public boolean served() {
        return serving != Serving.NONE;
    }

    /** Whether the object itself is at fault: provisioningStatus ERROR, as opposed to waiting. */
    public boolean isError() {
        return error;
    }
}
