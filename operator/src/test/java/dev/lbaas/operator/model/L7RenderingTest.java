package dev.lbaas.operator.model;

import static dev.lbaas.operator.model.Fixtures.l7Policy;
import static dev.lbaas.operator.model.Fixtures.l7Rule;
import static dev.lbaas.operator.model.Fixtures.listener;
import static dev.lbaas.operator.model.Fixtures.loadBalancer;
import static dev.lbaas.operator.model.Fixtures.pool;
import static org.assertj.core.api.Assertions.assertThat;

import dev.lbaas.amphora.config.AmphoraConfig;
import dev.lbaas.amphora.config.L7PolicyConfig;
import dev.lbaas.amphora.config.L7RuleConfig;
import dev.lbaas.api.v1alpha1.L7Policy;
import dev.lbaas.api.v1alpha1.L7PolicySpec.Action;
import dev.lbaas.api.v1alpha1.L7Rule;
import dev.lbaas.api.v1alpha1.L7RuleSpec.CompareType;
import dev.lbaas.api.v1alpha1.L7RuleSpec.Type;
import dev.lbaas.api.v1alpha1.Listener;
import dev.lbaas.api.v1alpha1.ListenerProtocol;
import dev.lbaas.api.v1alpha1.LoadBalancer;
import dev.lbaas.api.v1alpha1.Pool;
import dev.lbaas.api.v1alpha1.PoolProtocol;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * L7 policies and rules rendered into their listeners' configuration: order, defaults, and every
 * problem kept with the object that made it while the rest keeps serving.
 */
class L7RenderingTest {

    private static final String VIP = "127.0.0.9";

    private final LoadBalancer lb = loadBalancer("lb");
    private final Listener http = listener("web", "lb", ListenerProtocol.HTTP, 80, "default");
    private final Pool defaultPool = pool("default", "lb", PoolProtocol.HTTP);
    private final Pool api = pool("api", "lb", PoolProtocol.HTTP);

    private RenderedConfig render(List<Listener> listeners, List<L7Policy> policies, List<L7Rule> rules,
            AmphoraConfig previous) {
        LoadBalancerTree tree = LoadBalancerTree.select(lb, listeners, List.of(defaultPool, api), List.of(), List.of(),
                policies, rules);
        return ConfigRenderer.render(tree, VIP, previous == null ? 1 : previous.generation() + 1, previous);
    }

    private static L7Policy toPool(String name, String pool, Integer position) {
        L7Policy policy = l7Policy(name, "web", Action.REDIRECT_TO_POOL, position);
        policy.getSpec().setRedirectPoolRef(pool);
        return policy;
    }

    private static List<L7PolicyConfig> policies(RenderedConfig rendered) {
        return rendered.config().listeners().get(0).l7Policies();
    }

    @Test
    void policiesAreTriedByPositionThenOldestFirstWithThoseWithoutPositionLast() {
        L7Policy unplaced = l7Policy("unplaced", "web", Action.REJECT, null);
        L7Policy second = toPool("second", "api", 5);
        L7Policy firstOld = l7Policy("first-old", "web", Action.REDIRECT_TO_URL, 1);
        firstOld.getSpec().setRedirectUrl("https://example.com/");
        L7Policy firstNew = l7Policy("first-new", "web", Action.REDIRECT_PREFIX, 1);
        firstNew.getSpec().setRedirectPrefix("https://example.com");
        firstNew.getSpec().setRedirectHttpCode(308);
        RenderedConfig rendered = render(List.of(http), List.of(unplaced, second, firstOld, firstNew),
                List.of(l7Rule("api-path", "second", Type.PATH, CompareType.STARTS_WITH, "/api")), null);

        assertThat(policies(rendered)).extracting(L7PolicyConfig::name, L7PolicyConfig::position)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("first-old", 1),
                        org.assertj.core.groups.Tuple.tuple("first-new", 2),
                        org.assertj.core.groups.Tuple.tuple("second", 3),
                        org.assertj.core.groups.Tuple.tuple("unplaced", 4));
        assertThat(policies(rendered).get(0).redirectHttpCode()).as("Octavia's default").isEqualTo(302);
        assertThat(policies(rendered).get(1).redirectHttpCode()).isEqualTo(308);
        assertThat(policies(rendered).get(2).redirectPoolId()).isEqualTo("api");
        assertThat(policies(rendered).get(2).rules()).singleElement()
                .isEqualTo(new L7RuleConfig("api-path", L7RuleConfig.Type.PATH, L7RuleConfig.CompareType.STARTS_WITH,
                        null, "/api", false));
        assertThat(rendered.verdict("second")).isEqualTo(Verdict.OK);
    }

    @Test
    void octaviasQuotedValuesCompareTheTextBetweenTheQuotes() {
        L7Rule quoted = l7Rule("agent", "p", Type.HEADER, CompareType.CONTAINS, "\"Mobile Safari\"");
        quoted.getSpec().setKey("User-Agent");
        RenderedConfig rendered = render(List.of(http), List.of(toPool("p", "api", 1)), List.of(quoted), null);
        assertThat(policies(rendered).get(0).rules().get(0).value()).isEqualTo("Mobile Safari");
    }

    @Test
    void disabledPoliciesAndRulesAreGivenDisabledAndABrokenDisabledRuleHoldsNothingBack() {
        L7Policy off = toPool("off", "api", 1);
        off.getSpec().setAdminStateUp(false);
        L7Rule disabledRule = l7Rule("disabled", "on", Type.PATH, CompareType.EQUAL_TO, "/x");
        disabledRule.getSpec().setAdminStateUp(false);
        L7Rule brokenDisabled = l7Rule("broken", "on", Type.SSL_VERIFY_RESULT, CompareType.EQUAL_TO, "0");
        brokenDisabled.getSpec().setAdminStateUp(false);
        RenderedConfig rendered = render(List.of(http), List.of(off, toPool("on", "api", 2)),
                List.of(disabledRule, brokenDisabled, l7Rule("enabled", "on", Type.PATH, CompareType.EQUAL_TO, "/y")),
                null);
        assertThat(policies(rendered)).extracting(L7PolicyConfig::name, L7PolicyConfig::adminStateUp)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("off", false),
                        org.assertj.core.groups.Tuple.tuple("on", true));
        assertThat(policies(rendered).get(1).rules()).extracting(L7RuleConfig::id, L7RuleConfig::adminStateUp)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("disabled", false),
                        org.assertj.core.groups.Tuple.tuple("enabled", true));
        assertThat(rendered.verdict("off")).isEqualTo(Verdict.OK);
        assertThat(rendered.verdict("on")).isEqualTo(Verdict.OK);
        assertThat(rendered.verdict("broken").reason()).isEqualTo("InvalidRule");
    }

    @Test
    void aPolicyWhosePoolIsMissingOrUnfitIsServedAnswering503() {
        RenderedConfig rendered = render(List.of(http), List.of(toPool("missing", "nowhere", 1)), List.of(), null);
        assertThat(policies(rendered)).singleElement().satisfies(p -> assertThat(p.redirectPoolId()).isNull());
        assertThat(rendered.verdict("missing")).satisfies(verdict -> {
            assertThat(verdict.resolvedRefs()).isFalse();
            assertThat(verdict.reason()).isEqualTo("PoolNotFound");
            assertThat(verdict.message()).isEqualTo("redirectPoolRef: Pool nowhere does not exist in namespace "
                    + "default (or belongs to another load balancer); the requests it matches are answered 503 "
                    + "meanwhile");
        });

        Pool udp = pool("udp", "lb", PoolProtocol.UDP);
        LoadBalancerTree tree = LoadBalancerTree.select(lb, List.of(http), List.of(defaultPool, udp), List.of(),
                List.of(), List.of(toPool("unfit", "udp", 1)), List.of());
        RenderedConfig unfit = ConfigRenderer.render(tree, VIP, 1, null);
        assertThat(policies(unfit).get(0).redirectPoolId()).isNull();
        assertThat(unfit.verdict("unfit").isError()).isTrue();
        assertThat(unfit.verdict("unfit").message()).startsWith("redirectPoolRef: pool udp cannot serve listener web:"
                + " a HTTP listener takes");
    }

    @Test
    void anInvalidRuleKeepsItsPreviousSpecOrHoldsBackItsPolicyNeverWidensIt() {
        L7Policy admin = l7Policy("admin", "web", Action.REJECT, 1);
        L7Rule path = l7Rule("admin-path", "admin", Type.PATH, CompareType.REGEX, "^/admin");
        RenderedConfig first = render(List.of(http), List.of(admin), List.of(path), null);
        AmphoraConfig served = first.config();

        // the rule's new regular expression does not compile: its previous one keeps being served
        L7Rule broken = l7Rule("admin-path", "admin", Type.PATH, CompareType.REGEX, "^/(admin");
        broken.getMetadata().setCreationTimestamp(path.getMetadata().getCreationTimestamp());
        RenderedConfig second = render(List.of(http), List.of(admin), List.of(broken), served);
        assertThat(policies(second)).singleElement().satisfies(p -> assertThat(p.rules()).singleElement()
                .satisfies(rule -> assertThat(rule.value()).isEqualTo("^/admin")));
        assertThat(second.verdict("admin-path")).satisfies(verdict -> {
            assertThat(verdict.serving()).isEqualTo(Verdict.Serving.PREVIOUS);
            assertThat(verdict.reason()).isEqualTo("InvalidRule");
            assertThat(verdict.message()).isEqualTo("value: the regular expression \"^/(admin\" does not compile: "
                    + "missing closing ); its previous spec keeps being served");
        });

        // a new rule that never compiled: the policy keeps its previous spec and rules rather than losing one
        L7Rule extra = l7Rule("extra", "admin", Type.HEADER, CompareType.REGEX, "(?=lookahead)");
        extra.getSpec().setKey("X-Role");
        RenderedConfig third = render(List.of(http), List.of(admin), List.of(path, extra), served);
        assertThat(policies(third)).singleElement().satisfies(p -> assertThat(p.rules())
                .extracting(L7RuleConfig::id).containsExactly("admin-path"));
        assertThat(third.verdict("extra").serving()).isEqualTo(Verdict.Serving.NONE);
        assertThat(third.verdict("admin").serving()).isEqualTo(Verdict.Serving.PREVIOUS);
        assertThat(third.verdict("admin").reason()).isEqualTo("RuleNotAccepted");

        // and a policy never served with that rule is left out, its other rules with it
        RenderedConfig fresh = render(List.of(http), List.of(admin), List.of(path, extra), null);
        assertThat(policies(fresh)).isEmpty();
        assertThat(fresh.verdict("admin").served()).isFalse();
        assertThat(fresh.verdict("admin-path").reason()).isEqualTo("PolicyNotServed");
    }

    @Test
    void policiesNeedAListenerThatReadsRequestsAndCertificateRulesATerminatingOne() {
        Listener tcp = listener("web", "lb", ListenerProtocol.TCP, 80, null);
        RenderedConfig onTcp = render(List.of(tcp), List.of(l7Policy("p", "web", Action.REJECT, 1)), List.of(), null);
        assertThat(onTcp.config().listeners().get(0).l7Policies()).isEmpty();
        assertThat(onTcp.verdict("p").message()).isEqualTo("listenerRef: listener web is TCP; L7 policies need an "
                + "HTTP or TERMINATED_HTTPS listener, which reads requests");

        L7Rule cert = l7Rule("cert", "p", Type.SSL_CONN_HAS_CERT, CompareType.EQUAL_TO, "true");
        RenderedConfig onHttp = render(List.of(http), List.of(l7Policy("p", "web", Action.REJECT, 1)), List.of(cert),
                null);
        assertThat(onHttp.verdict("cert").message()).isEqualTo("type: SSL_CONN_HAS_CERT looks at the client "
                + "certificate, which only a TERMINATED_HTTPS listener sees; listener web is HTTP");
        assertThat(policies(onHttp)).isEmpty();
    }

    @Test
    void aPolicyKeptOnItsPreviousSpecAnswers503WhenItsPoolGoes() {
        L7Policy toApi = toPool("api-policy", "api", 1);
        L7Rule path = l7Rule("api-path", "api-policy", Type.PATH, CompareType.STARTS_WITH, "/api");
        AmphoraConfig served = render(List.of(http), List.of(toApi), List.of(path), null).config();
        assertThat(served.listeners().get(0).l7Policies().get(0).redirectPoolId()).isEqualTo("api");

        // a rule the listener cannot serve holds the policy on its previous spec, and then its pool goes
        L7Rule cert = l7Rule("cert", "api-policy", Type.SSL_CONN_HAS_CERT, CompareType.EQUAL_TO, "true");
        LoadBalancerTree withoutApi = LoadBalancerTree.select(lb, List.of(http), List.of(defaultPool), List.of(),
                List.of(), List.of(toApi), List.of(path, cert));
        RenderedConfig rendered = ConfigRenderer.render(withoutApi, VIP, 2, served);
        assertThat(policies(rendered)).singleElement().satisfies(p -> {
            assertThat(p.redirectPoolId()).isNull();
            assertThat(p.rules()).extracting(L7RuleConfig::id).containsExactly("api-path");
        });
        assertThat(rendered.verdict("api-policy").message()).endsWith("the policy's previous spec and rules keep "
                + "being served; its previous pool api is no longer served, so the requests it matches are answered 503");
    }

    @Test
    void aRuleOfAPolicyKeptOnItsPreviousSpecSaysWhatOfItIsServed() {
        L7Policy admin = l7Policy("admin", "web", Action.REJECT, 1);
        L7Rule path = l7Rule("admin-path", "admin", Type.PATH, CompareType.STARTS_WITH, "/admin");
        AmphoraConfig served = render(List.of(http), List.of(admin), List.of(path), null).config();

        L7Rule edited = l7Rule("admin-path", "admin", Type.PATH, CompareType.STARTS_WITH, "/administration");
        edited.getMetadata().setCreationTimestamp(path.getMetadata().getCreationTimestamp());
        L7Rule newcomer = l7Rule("host", "admin", Type.HOST_NAME, CompareType.EQUAL_TO, "a.example.com");
        L7Rule cert = l7Rule("cert", "admin", Type.SSL_CONN_HAS_CERT, CompareType.EQUAL_TO, "true");
        RenderedConfig rendered = render(List.of(http), List.of(admin), List.of(edited, newcomer, cert), served);
        assertThat(policies(rendered).get(0).rules()).singleElement()
                .satisfies(rule -> assertThat(rule.value()).isEqualTo("/admin"));
        assertThat(rendered.verdict("admin-path").serving()).isEqualTo(Verdict.Serving.PREVIOUS);
        assertThat(rendered.verdict("admin-path").message()).isEqualTo("policy admin serves its previous rules (see "
                + "its conditions), this rule's previous spec among them");
        assertThat(rendered.verdict("host").serving()).isEqualTo(Verdict.Serving.NONE);
        assertThat(rendered.verdict("host").reason()).isEqualTo("PolicyServesPreviousRules");
    }

    @Test
    void anExplicitLastPositionStillComesBeforeNone() {
        L7Policy unplaced = l7Policy("unplaced", "web", Action.REJECT, null);
        L7Policy last = l7Policy("last", "web", Action.REJECT, Integer.MAX_VALUE);
        RenderedConfig rendered = render(List.of(http), List.of(unplaced, last), List.of(), null);
        assertThat(policies(rendered)).extracting(L7PolicyConfig::name).containsExactly("last", "unplaced");
    }

    @Test
    void twoQuotesAloneAreTheTwoCharacters() {
        assertThat(L7Rendering.unquoted("\"\"")).isEqualTo("\"\"");
        assertThat(L7Rendering.unquoted("\"a\"")).isEqualTo("a");
        assertThat(L7Rendering.unquoted("\"")).isEqualTo("\"");
    }
}
