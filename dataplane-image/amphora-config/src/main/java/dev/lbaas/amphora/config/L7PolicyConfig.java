package dev.lbaas.amphora.config;

import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * One L7 policy of a listener: tried in the order of {@code position} (1 first), it
 * matches a request that matches every one of its rules (never without rules), and then decides
 * what the request gets.
 *
 * @param redirectPoolId REDIRECT_TO_POOL: the pool that serves matching requests; null when that
 *     pool cannot be served, and matching requests are answered 503 rather than sent elsewhere
 * @param redirectUrl REDIRECT_TO_URL: the Location sent
 * @param redirectPrefix REDIRECT_PREFIX: what the request's path and query are appended to
 * @param redirectHttpCode the redirects' status code: 301, 302, 303, 307 or 308
 * @param rules the policy's rules, the disabled ones included
 * @param adminStateUp false takes the policy out: requests are not tried against it (null reads as true)
 */
public record L7PolicyConfig(
        String id,
        String name,
        int position,
        Action action,
        String redirectPoolId,
        String redirectUrl,
        String redirectPrefix,
        int redirectHttpCode,
        List<L7RuleConfig> rules,
        Boolean adminStateUp) {

    /** The same policy at another position (its place among its listener's policies). */
    public L7PolicyConfig atPosition(int newPosition) {
        return new L7PolicyConfig(id, name, newPosition, action, redirectPoolId, redirectUrl, redirectPrefix,
                redirectHttpCode, rules, adminStateUp);
    }

    /** The same REDIRECT_TO_POOL policy with another pool, or none (matching requests are then answered 503). */
    public L7PolicyConfig withRedirectPool(String poolId) {
        return new L7PolicyConfig(id, name, position, action, poolId, redirectUrl, redirectPrefix, redirectHttpCode,
                rules, adminStateUp);
    }

    /** Octavia's actions. */
    public enum Action {
        REJECT, REDIRECT_TO_URL, REDIRECT_TO_POOL, REDIRECT_PREFIX
    }

    /** The redirect codes Octavia allows. */
    public static final Set<Integer> REDIRECT_CODES = Set.of(301, 302, 303, 307, 308);

    /** An enabled policy. */
    public L7PolicyConfig(String id, String name, int position, Action action, String redirectPoolId,
            String redirectUrl, String redirectPrefix, int redirectHttpCode, List<L7RuleConfig> rules) {
        this(id, name, position, action, redirectPoolId, redirectUrl, redirectPrefix, redirectHttpCode, rules, true);
    }

    public L7PolicyConfig {
        Validation.requireText(id, "l7policy.id");
        adminStateUp = !Boolean.FALSE.equals(adminStateUp);
        String field = "l7policy[" + id + "]";
        name = Objects.requireNonNullElse(name, id);
        Validation.requireRange(position, 1, Integer.MAX_VALUE, field + ".position");
        Objects.requireNonNull(action, field + ".action: must be set");
        rules = List.copyOf(Objects.requireNonNullElse(rules, List.of()));
        Set<String> ruleIds = new HashSet<>();
        for (L7RuleConfig rule : rules) {
            if (!ruleIds.add(rule.id())) {
                throw new IllegalArgumentException(field + ".rules: duplicate rule id " + rule.id());
            }
        }
        only(action == Action.REDIRECT_TO_POOL, redirectPoolId, field + ".redirectPoolId", action);
        only(action == Action.REDIRECT_TO_URL, redirectUrl, field + ".redirectUrl", action);
        only(action == Action.REDIRECT_PREFIX, redirectPrefix, field + ".redirectPrefix", action);
        if (action == Action.REDIRECT_TO_URL) {
            requireHttpUrl(redirectUrl, field + ".redirectUrl");
        }
        if (action == Action.REDIRECT_PREFIX) {
            requireHttpUrl(redirectPrefix, field + ".redirectPrefix");
        }
        boolean redirects = action == Action.REDIRECT_TO_URL || action == Action.REDIRECT_PREFIX;
        if (redirects && !REDIRECT_CODES.contains(redirectHttpCode)) {
            throw new IllegalArgumentException(field + ".redirectHttpCode: must be 301, 302, 303, 307 or 308, got "
                    + redirectHttpCode);
        }
        if (!redirects && redirectHttpCode != 0) {
            throw new IllegalArgumentException(field + ".redirectHttpCode: only allowed with REDIRECT_TO_URL or "
                    + "REDIRECT_PREFIX, not " + action);
        }
    }

    private static void only(boolean allowed, String value, String field, Action action) {
        if (!allowed && value != null) {
            throw new IllegalArgumentException(field + ": not allowed with action " + action);
        }
    }

    /**
     * An absolute http or https URL in printable ASCII: it becomes a Location header, where a
     * space, a line break or a control character would break the response or forge another header.
     */
    private static void requireHttpUrl(String url, String field) {
        Validation.requireText(url, field);
        String lower = url.toLowerCase(java.util.Locale.ROOT);
        boolean printable = url.chars().allMatch(c -> c > 0x20 && c < 0x7f);
        int hostStart = lower.startsWith("https://") ? 8 : lower.startsWith("http://") ? 7 : -1;
        if (!printable || hostStart < 0 || hostStart == url.length() || "/?#".indexOf(url.charAt(hostStart)) >= 0) {
            throw new IllegalArgumentException(field + ": must be an absolute http or https URL with a host, in "
                    + "printable ASCII without spaces, got \"" + url.replace("\r", "\\r").replace("\n", "\\n") + "\"");
        }
    }
}
