package dev.lbaas.amphora.l7;

import java.util.Comparator;
import java.util.List;

/**
 * A listener's L7 policies in the order they are tried: by position, and among equal positions
 * in the order given (as the operator lists them, by creation). Built once per configuration
 * generation; {@link #route} is what each request asks.
 */
public final class L7Router {

    /** No policies: every request goes to the listener's default pool. */
    public static final L7Router NONE = new L7Router(List.of());

    private final List<L7Policy> policies;

    private L7Router(List<L7Policy> policies) {
        this.policies = policies;
    }

    public static L7Router of(List<L7Policy> policies) {
        return policies.isEmpty() ? NONE
                : new L7Router(policies.stream().sorted(Comparator.comparingInt(L7Policy::position)).toList());
    }

    /** The first policy that matches the request, or null: the default pool serves it. */
    public L7Policy route(RequestFacts request) {
        for (L7Policy policy : policies) {
            if (policy.matches(request)) {
                return policy;
            }
        }
        return null;
    }

    /** The policies in the order they are tried. */
    public List<L7Policy> policies() {
        return policies;
    }
}
