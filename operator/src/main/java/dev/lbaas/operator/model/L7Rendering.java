package dev.lbaas.operator.model;

import dev.lbaas.amphora.config.AmphoraConfig;
import dev.lbaas.amphora.config.L7PolicyConfig;
import dev.lbaas.amphora.config.L7RuleConfig;
import dev.lbaas.amphora.config.ListenerConfig;
import dev.lbaas.amphora.config.PoolConfig;
import dev.lbaas.api.v1alpha1.L7Policy;
import dev.lbaas.api.v1alpha1.L7PolicySpec;
import dev.lbaas.api.v1alpha1.L7Rule;
import dev.lbaas.api.v1alpha1.L7RuleSpec;
import dev.lbaas.api.v1alpha1.Listener;
import dev.lbaas.api.v1alpha1.Pool;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.BiFunction;

/**
 * The L7 policies and rules of a load balancer's served listeners, rendered after everything they
 * name is settled (listeners and pools). Each object gets a verdict, and a problem stays with the
 * object that made it, as in {@link ConfigRenderer}:
 *
 * <ul>
 *   <li>A rule whose spec cannot be served keeps its previous spec where one was served. A policy
 *       is never served without one of its enabled rules, which would make it match more requests
 *       than written: while a rule has nothing to serve, the policy keeps its previous spec and
 *       rules, or is left out.
 *   <li>A REDIRECT_TO_POOL policy whose pool is missing or cannot serve its listener is served
 *       with no pool: the requests it matches are answered 503, never sent to another pool.
 *   <li>Disabled policies and rules are given to the amphorae as disabled, which skip them (a
 *       policy whose rules are all disabled matches nothing). A disabled rule that cannot be served
 *       is left out without holding back its policy.
 * </ul>
 *
 * <p>A listener's policies are tried by position, then oldest first; those without a position
 * come last. The amphorae get that order as positions 1, 2, ...
 */
final class L7Rendering {

    private static final Comparator<L7Policy> BY_POSITION = Comparator.comparing(
            (L7Policy p) -> p.getSpec().getPosition(), Comparator.nullsLast(Comparator.naturalOrder()));

    private final LoadBalancerTree tree;
    private final AmphoraConfig previous;
    private final Map<String, Verdict> verdicts;
    private final Map<String, ListenerConfig> listeners;
    private final Map<String, PoolConfig> pools;
    private final BiFunction<ListenerConfig, PoolConfig, String> problemLinking;

    /** Each rule's record by uid: its current spec, its previous one, or null for none. */
    private final Map<String, L7RuleConfig> rules = new HashMap<>();
    /** The records of the policies the amphorae are given, by uid. */
    private final Map<String, L7PolicyConfig> servedPolicies = new HashMap<>();

    /**
     * @param listeners the served listeners' records by uid
     * @param pools the served pools' records by uid
     * @param problemLinking why a listener cannot use a pool, or null
     */
    L7Rendering(LoadBalancerTree tree, AmphoraConfig previous, Map<String, Verdict> verdicts,
            Map<String, ListenerConfig> listeners, Map<String, PoolConfig> pools,
            BiFunction<ListenerConfig, PoolConfig, String> problemLinking) {
        this.tree = tree;
        this.previous = previous;
        this.verdicts = verdicts;
        this.listeners = listeners;
        this.pools = pools;
        this.problemLinking = problemLinking;
    }

    /** Every served listener's policies, by listener uid, in the order they are tried. */
    Map<String, List<L7PolicyConfig>> render() {
        for (L7Rule rule : tree.l7Rules()) {
            renderRule(rule);
        }
        Map<String, List<L7Policy>> byListener = new HashMap<>();
        for (L7Policy policy : tree.l7Policies()) {
            byListener.computeIfAbsent(policy.getSpec().getListenerRef(), k -> new ArrayList<>()).add(policy);
        }
        Map<String, List<L7PolicyConfig>> result = new HashMap<>();
        for (Listener listener : tree.listeners()) {
            List<L7Policy> policies = new ArrayList<>(byListener.getOrDefault(name(listener), List.of()));
            // a stable sort: equal positions stay oldest first, as the tree lists them
            policies.sort(BY_POSITION);
            List<L7PolicyConfig> served = new ArrayList<>();
            for (L7Policy policy : policies) {
                L7PolicyConfig record = renderPolicy(policy, listener, served.size() + 1);
                if (record != null) {
                    served.add(record);
                }
            }
            if (listeners.containsKey(uid(listener))) {
                result.put(uid(listener), served);
            }
            served.forEach(record -> servedPolicies.put(record.id(), record));
        }
        for (L7Rule rule : tree.l7Rules()) {
            L7Policy policy = policyNamed(rule.getSpec().getL7PolicyRef());
            if (verdicts.containsKey(uid(rule))) {
                continue;
            }
            L7PolicyConfig served = servedPolicies.get(uid(policy));
            if (served == null) {
                verdicts.put(uid(rule), Verdict.blockedBy("PolicyNotServed", "policy " + name(policy)
                        + " is not served (see its conditions), and its rules with it"));
                continue;
            }
            L7RuleConfig servedRule = served.rules().stream().filter(r -> r.id().equals(uid(rule))).findFirst()
                    .orElse(null);
            if (!Objects.equals(servedRule, rules.get(uid(rule)))) {
                String message = "policy " + name(policy) + " serves its previous rules (see its conditions)";
                verdicts.put(uid(rule), servedRule == null ? Verdict.blockedBy("PolicyServesPreviousRules", message
                        + ", which this rule is not one of") : new Verdict(true, false, false, Verdict.Serving.PREVIOUS,
                        "PolicyServesPreviousRules", message + ", this rule's previous spec among them"));
            }
        }
        return result;
    }

    // ---- rules -----------------------------------------------------------------------------------

    private void renderRule(L7Rule rule) {
        L7RuleSpec spec = rule.getSpec();
        L7RuleConfig before = previousRule(uid(rule));
        String problem = ruleProblem(rule);
        if (problem == null) {
            try {
                rules.put(uid(rule), new L7RuleConfig(uid(rule), L7RuleConfig.Type.valueOf(spec.getType().name()),
                        L7RuleConfig.CompareType.valueOf(spec.getCompareType().name()), spec.getKey(),
                        unquoted(spec.getValue()), Boolean.TRUE.equals(spec.getInvert()),
                        !Boolean.FALSE.equals(spec.getAdminStateUp())));
                return;
            } catch (IllegalArgumentException e) {
                problem = withoutRecordPrefix(e.getMessage());
            }
        }
        if (before != null) {
            verdicts.put(uid(rule), Verdict.rejectedKeepingPrevious("InvalidRule", problem
                    + "; its previous spec keeps being served"));
            rules.put(uid(rule), before);
        } else {
            verdicts.put(uid(rule), Verdict.rejected("InvalidRule", problem));
        }
    }

    /** What the rule's listener cannot serve: client certificate rules need TLS termination. */
    private String ruleProblem(L7Rule rule) {
        String type = rule.getSpec().getType().name();
        if (!type.startsWith("SSL_")) {
            return null;
        }
        Listener listener = listenerOf(policyNamed(rule.getSpec().getL7PolicyRef()));
        if (listener == null || "TERMINATED_HTTPS".equals(listener.getSpec().getProtocol().name())) {
            return null;
        }
        return "type: " + type + " looks at the client certificate, which only a TERMINATED_HTTPS listener sees; "
                + "listener " + name(listener) + " is " + listener.getSpec().getProtocol();
    }

    /**
     * Octavia's quoted form of a value that holds spaces ({@code "a b"}) compares the text between
     * the quotes, as HAProxy reads it from its configuration.
     */
    static String unquoted(String value) {
        // "" alone is the two characters: nothing between quotes is no value
        return value != null && value.length() > 2 && value.startsWith("\"") && value.endsWith("\"")
                ? value.substring(1, value.length() - 1) : value;
    }

    // ---- policies --------------------------------------------------------------------------------

    private L7PolicyConfig renderPolicy(L7Policy policy, Listener listener, int rank) {
        L7PolicySpec spec = policy.getSpec();
        ListenerConfig listenerRecord = listeners.get(uid(listener));
        if (listenerRecord == null) {
            verdicts.put(uid(policy), Verdict.blockedBy("ListenerNotServed", "listener " + name(listener)
                    + " is not served (see its conditions), and its policies with it"));
            return null;
        }
        if (!listenerRecord.protocol().readsHttp()) {
            verdicts.put(uid(policy), Verdict.rejected("IncompatibleListener", "listenerRef: listener "
                    + name(listener) + " is " + listenerRecord.protocol() + "; L7 policies need an HTTP or "
                    + "TERMINATED_HTTPS listener, which reads requests"));
            return null;
        }
        L7PolicyConfig before = previousPolicy(uid(policy), uid(listener));
        List<L7RuleConfig> policyRules = new ArrayList<>();
        for (L7Rule rule : tree.l7Rules()) {
            if (!rule.getSpec().getL7PolicyRef().equals(name(policy))) {
                continue;
            }
            L7RuleConfig record = rules.get(uid(rule));
            if (record == null && Boolean.FALSE.equals(rule.getSpec().getAdminStateUp())) {
                continue;
            }
            if (record == null) {
                String message = "rule " + name(rule) + " is not accepted (see its conditions), and without it the "
                        + "policy would match more than it says; ";
                if (before != null) {
                    verdicts.put(uid(policy), new Verdict(true, false, false, Verdict.Serving.PREVIOUS,
                            "RuleNotAccepted", message + "the policy's previous spec and rules keep being served"));
                    return kept(policy, before, rank, listenerRecord);
                }
                verdicts.put(uid(policy), Verdict.blockedBy("RuleNotAccepted", message + "the policy is left out "
                        + "until it is fixed"));
                return null;
            }
            policyRules.add(record);
        }
        String poolId = redirectPool(policy, listenerRecord);
        boolean redirects = spec.getAction() == L7PolicySpec.Action.REDIRECT_TO_URL
                || spec.getAction() == L7PolicySpec.Action.REDIRECT_PREFIX;
        try {
            return new L7PolicyConfig(uid(policy), name(policy), rank,
                    L7PolicyConfig.Action.valueOf(spec.getAction().name()), poolId, spec.getRedirectUrl(),
                    spec.getRedirectPrefix(), redirects ? Objects.requireNonNullElse(spec.getRedirectHttpCode(), 302) : 0,
                    policyRules, !Boolean.FALSE.equals(spec.getAdminStateUp()));
        } catch (IllegalArgumentException e) {
            String problem = withoutRecordPrefix(e.getMessage());
            if (before != null) {
                verdicts.put(uid(policy), Verdict.rejectedKeepingPrevious("InvalidPolicy", problem
                        + "; its previous spec keeps being served"));
                return kept(policy, before, rank, listenerRecord);
            }
            verdicts.put(uid(policy), Verdict.rejected("InvalidPolicy", problem));
            return null;
        }
    }

    /**
     * The policy's previous record, served again at {@code rank}: its pool is checked afresh, for
     * that pool may have gone or changed since (it is served with none then, answering 503).
     */
    private L7PolicyConfig kept(L7Policy policy, L7PolicyConfig before, int rank, ListenerConfig listener) {
        L7PolicyConfig record = before.atPosition(rank);
        String poolId = record.redirectPoolId();
        if (poolId == null) {
            return record;
        }
        PoolConfig pool = pools.get(poolId);
        String problem = pool == null ? "is no longer served" : problemLinking.apply(listener, pool);
        if (problem == null) {
            return record;
        }
        Verdict verdict = verdicts.get(uid(policy));
        verdicts.put(uid(policy), new Verdict(verdict.accepted(), false, verdict.error(), verdict.serving(),
                verdict.reason(), verdict.message() + "; its previous pool " + (pool == null ? poolId : pool.name())
                        + (pool == null ? " " : " cannot serve listener " + listener.name() + ": ") + problem
                        + ", so the requests it matches are answered 503"));
        return record.withRedirectPool(null);
    }

    /**
     * The served pool a REDIRECT_TO_POOL policy sends to, or null (with the policy's verdict saying
     * why) when that pool cannot serve: the matching requests are then answered 503.
     */
    private String redirectPool(L7Policy policy, ListenerConfig listener) {
        String poolName = policy.getSpec().getRedirectPoolRef();
        if (policy.getSpec().getAction() != L7PolicySpec.Action.REDIRECT_TO_POOL || poolName == null) {
            return null;
        }
        String meanwhile = "; the requests it matches are answered 503 meanwhile";
        Pool pool = tree.pools().stream().filter(p -> name(p).equals(poolName)).findFirst().orElse(null);
        if (pool == null) {
            verdicts.put(uid(policy), Verdict.unresolved("PoolNotFound", "redirectPoolRef: Pool " + poolName
                    + " does not exist in namespace " + policy.getMetadata().getNamespace()
                    + " (or belongs to another load balancer)" + meanwhile));
            return null;
        }
        PoolConfig record = pools.get(uid(pool));
        if (record == null) {
            verdicts.put(uid(policy), Verdict.unresolved("PoolNotAccepted", "redirectPoolRef: pool " + poolName
                    + " is not accepted (see its conditions)" + meanwhile));
            return null;
        }
        String problem = problemLinking.apply(listener, record);
        if (problem != null) {
            verdicts.put(uid(policy), Verdict.misreferenced("IncompatiblePool", "redirectPoolRef: pool " + poolName
                    + " cannot serve listener " + listener.name() + ": " + problem + meanwhile));
            return null;
        }
        return uid(pool);
    }

    // ---- lookups ---------------------------------------------------------------------------------

    private L7Policy policyNamed(String name) {
        return tree.l7Policies().stream().filter(p -> name(p).equals(name)).findFirst().orElse(null);
    }

    private Listener listenerOf(L7Policy policy) {
        return policy == null ? null : tree.listeners().stream()
                .filter(l -> name(l).equals(policy.getSpec().getListenerRef())).findFirst().orElse(null);
    }

    private L7PolicyConfig previousPolicy(String uid, String listenerUid) {
        if (previous == null) {
            return null;
        }
        return previous.listeners().stream().filter(l -> l.id().equals(listenerUid))
                .flatMap(l -> l.l7Policies().stream()).filter(p -> p.id().equals(uid)).findFirst().orElse(null);
    }

    private L7RuleConfig previousRule(String uid) {
        if (previous == null) {
            return null;
        }
        return previous.listeners().stream().flatMap(l -> l.l7Policies().stream()).flatMap(p -> p.rules().stream())
                .filter(r -> r.id().equals(uid)).findFirst().orElse(null);
    }

    /** A record's message without its "l7rule[uid]." prefix: the object's conditions name it already. */
    private static String withoutRecordPrefix(String message) {
        int dot = message.indexOf("].");
        return message.startsWith("l7") && dot > 0 ? message.substring(dot + 2) : message;
    }

    private static String uid(HasMetadata object) {
        return object.getMetadata().getUid();
    }

    private static String name(HasMetadata object) {
        return object.getMetadata().getName();
    }
}
