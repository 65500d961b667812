package dev.lbaas.operator.model;

/**
 * What the operator concluded about one object's spec in the context of its load balancer.
 *
 * @param accepted the spec can be served (Accepted condition)
 * @param resolvedRefs every object it names exists (ResolvedRefs condition)
 * @param reason a CamelCase reason for the condition that is false, or the positive reason
 * @param message for people: what is wrong and how to fix it
 * @param served the object is part of the configuration pushed to the amphorae
 */
public record Verdict(boolean accepted, boolean resolvedRefs, String reason, String message, boolean served) {

    public static final Verdict OK = new Verdict(true, true, "Accepted", "", true);

    /** The object cannot be served as specified; it is left out of the configuration. */
    public static Verdict rejected(String reason, String message) {
        return new Verdict(false, true, reason, message, false);
    }

    /** The object names something that does not exist; it is served without it. */
    public static Verdict unresolved(String reason, String message) {
        return new Verdict(true, false, reason, message, true);
    }

    /** The object is fine but depends on one that cannot be served, so it is left out too. */
    public static Verdict blockedBy(String reason, String message) {
        return new Verdict(true, false, reason, message, false);
    }

    /** An error that must be shown as provisioningStatus ERROR (as opposed to waiting). */
    public boolean isError() {
        return !accepted;
    }
}
