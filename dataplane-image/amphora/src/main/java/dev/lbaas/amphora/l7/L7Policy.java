package dev.lbaas.amphora.l7;

import java.util.List;
import java.util.Objects;

/**
 * One L7 policy of a listener, compiled: its place among the listener's policies, its rules (all
 * must match; a policy without rules never matches) and what happens to a request that matches.
 *
 * @param position 1 for the first; the listener's policies are tried in this order
 * @param rules the enabled rules (disabled ones are not evaluated at all)
 */
public record L7Policy(String id, int position, List<L7Rule> rules, Action action) {

    /** What a matching policy does with the request. */
    public sealed interface Action {
    }

    /** Answered 403 Forbidden; no member sees it. */
    public record Reject() implements Action {
    }

    /**
     * Answered with a redirect to {@code url} (the request's path and query dropped), with {@code
     * code} (301, 302, 303, 307 or 308).
     */
    public record RedirectToUrl(String url, int code) implements Action {
    }

    /** Answered with a redirect to {@code prefix} followed by the request's path and query. */
    public record RedirectPrefix(String prefix, int code) implements Action {
    }

    /**
     * Sent to the pool {@code poolId} instead of the listener's default pool; with a null {@code
     * poolId} (the pool cannot be served) answered 503, never sent elsewhere.
     */
    public record RedirectToPool(String poolId) implements Action {
    }

    public L7Policy {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(action, "action");
        rules = List.copyOf(rules);
        if (position < 1) {
            throw new IllegalArgumentException("policy " + id + ": position " + position + " is not 1 or more");
        }
    }

    /** Whether the request matches every rule; never without rules. */
    public boolean matches(RequestFacts request) {
        if (rules.isEmpty()) {
            return false;
        }
        for (L7Rule rule : rules) {
            if (!rule.matches(request)) {
                return false;
            }
        }
        return true;
    }
}
