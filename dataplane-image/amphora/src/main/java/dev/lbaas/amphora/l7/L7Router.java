package dev.lbaas.amphora.l7;

import dev.lbaas.amphora.config.L7PolicyConfig;
import dev.lbaas.amphora.config.L7RuleConfig;
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

    /**
     * Compiles a listener's enabled policies, each with its enabled rules, as its configuration
     * gives them.
     *
     * @throws L7Rule.Invalid when a rule cannot be compiled (the records refuse such rules first)
     */
    public static L7Router compile(List<L7PolicyConfig> policies) {
        return of(policies.stream().filter(L7PolicyConfig::adminStateUp).map(L7Router::compile).toList());
    }

    private static L7Policy compile(L7PolicyConfig policy) {
        List<L7Rule> rules = policy.rules().stream().filter(L7RuleConfig::adminStateUp).map(L7Router::compile)
                .toList();
        L7Policy.Action action = switch (policy.action()) {
            case REJECT -> new L7Policy.Reject();
            case REDIRECT_TO_URL -> new L7Policy.RedirectToUrl(policy.redirectUrl(), policy.redirectHttpCode());
            case REDIRECT_PREFIX -> new L7Policy.RedirectPrefix(policy.redirectPrefix(), policy.redirectHttpCode());
            case REDIRECT_TO_POOL -> new L7Policy.RedirectToPool(policy.redirectPoolId());
        };
        return new L7Policy(policy.id(), policy.position(), rules, action);
    }

    private static L7Rule compile(L7RuleConfig rule) {
        return L7Rule.compile(rule.id(), L7Rule.Type.valueOf(rule.type().name()),
                L7Rule.Compare.valueOf(rule.compareType().name()), rule.key(), rule.value(), rule.invert());
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
