package dev.lbaas.amphora.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lbaas.amphora.config.L7PolicyConfig.Action;
import dev.lbaas.amphora.config.L7RuleConfig.CompareType;
import dev.lbaas.amphora.config.L7RuleConfig.Type;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The L7 policy and rule records: what the amphora accepts, and the message naming the field and
 * the value for what it refuses, so that the operator can blame the one object at fault.
 */
class L7ConfigTest {

    private static final L7RuleConfig API_PATH = new L7RuleConfig("r1", Type.PATH, CompareType.STARTS_WITH, null,
            "/api/", false);

    private static L7PolicyConfig toPool(String poolId) {
        return new L7PolicyConfig("p1", "api", 1, Action.REDIRECT_TO_POOL, poolId, null, null, 0, List.of(API_PATH));
    }

    private static AmphoraConfig withPolicies(ListenerProtocol protocol, List<PoolConfig> pools,
            L7PolicyConfig... policies) {
        ListenerConfig listener = new ListenerConfig("l", null, protocol, 80, -1, true, null, null, null, null,
                List.of(policies));
        return new AmphoraConfig(1, "lb", "127.0.0.2", true, List.of(listener), pools);
    }

    private static PoolConfig pool(String id, PoolProtocol protocol) {
        return new PoolConfig(id, null, protocol, LbAlgorithm.ROUND_ROBIN, true, List.of(), null);
    }

    @Test
    void aListenersPoliciesRoundTripThroughJson() throws Exception {
        L7PolicyConfig redirect = new L7PolicyConfig("p2", "moved", 2, Action.REDIRECT_PREFIX, null, null,
                "https://www.example.com", 308, List.of(new L7RuleConfig("r2", Type.HEADER, CompareType.REGEX,
                        "X-Version", "^v[12]$", true)));
        AmphoraConfig config = withPolicies(ListenerProtocol.HTTP, List.of(pool("api", PoolProtocol.HTTP)),
                toPool("api"), redirect);
        String json = AgentApi.json().writeValueAsString(config);
        assertThat(AgentApi.json().readValue(json, AmphoraConfig.class)).isEqualTo(config);
        assertThat(json).contains("\"action\":\"REDIRECT_PREFIX\"", "\"compareType\":\"REGEX\"");
    }

    @Test
    void aConfigurationWithoutPoliciesReadsAsNone() throws Exception {
        String json = AgentApi.json().writeValueAsString(AmphoraConfigTest.seedScenario()).replace(",\"l7Policies\":[]",
                "");
        assertThat(json).doesNotContain("l7Policies");
        assertThat(AgentApi.json().readValue(json, AmphoraConfig.class).listeners().get(0).l7Policies()).isEmpty();
    }

    @Test
    void aRedirectPoolMustBeServedAndFitTheListener() {
        assertThatThrownBy(() -> withPolicies(ListenerProtocol.HTTP, List.of(), toPool("gone")))
                .hasMessage("listeners[l].l7Policies[p1].redirectPoolId: unknown pool gone");
        assertThatThrownBy(() -> withPolicies(ListenerProtocol.HTTP, List.of(pool("udp", PoolProtocol.UDP)),
                toPool("udp")))
                .hasMessage("listeners[l].l7Policies[p1].redirectPoolId: pool udp is UDP, a HTTP listener needs a "
                        + "tcp pool");
        assertThat(withPolicies(ListenerProtocol.HTTP, List.of(), toPool(null)).listeners().get(0).l7Policies())
                .as("a policy whose pool cannot be served answers 503").hasSize(1);
    }

    @Test
    void onlyListenersThatReadHttpTakePolicies() {
        assertThatThrownBy(() -> withPolicies(ListenerProtocol.TCP, List.of(), toPool(null)))
                .hasMessage("listener[l].l7Policies: a TCP listener reads no requests for L7 policies to look at");
        assertThatThrownBy(() -> withPolicies(ListenerProtocol.HTTP, List.of(), toPool(null), toPool(null)))
                .hasMessage("listener[l].l7Policies: duplicate policy id p1");
    }

    static Stream<Arguments> refusedPolicies() {
        return Stream.of(
                Arguments.of((Runnable) () -> new L7PolicyConfig("p", null, 0, Action.REJECT, null, null, null, 0,
                        null), "l7policy[p].position: must be between 1 and 2147483647, got 0"),
                Arguments.of((Runnable) () -> new L7PolicyConfig("p", null, 1, Action.REJECT, "pool", null, null, 0,
                        null), "l7policy[p].redirectPoolId: not allowed with action REJECT"),
                Arguments.of((Runnable) () -> new L7PolicyConfig("p", null, 1, Action.REDIRECT_TO_URL, null,
                        "https://example.com", null, 304, null),
                        "l7policy[p].redirectHttpCode: must be 301, 302, 303, 307 or 308, got 304"),
                Arguments.of((Runnable) () -> new L7PolicyConfig("p", null, 1, Action.REJECT, null, null, null, 302,
                        null), "l7policy[p].redirectHttpCode: only allowed with REDIRECT_TO_URL or REDIRECT_PREFIX, "
                        + "not REJECT"),
                Arguments.of((Runnable) () -> new L7PolicyConfig("p", null, 1, Action.REDIRECT_TO_URL, null,
                        "https://example.com/\r\nSet-Cookie: a=b", null, 302, null),
                        "l7policy[p].redirectUrl: must be an absolute http or https URL with a host, in printable "
                                + "ASCII without spaces, got \"https://example.com/\\r\\nSet-Cookie: a=b\""),
                Arguments.of((Runnable) () -> new L7PolicyConfig("p", null, 1, Action.REDIRECT_PREFIX, null, null,
                        "https:///path", 302, null),
                        "l7policy[p].redirectPrefix: must be an absolute http or https URL with a host, in printable "
                                + "ASCII without spaces, got \"https:///path\""),
                Arguments.of((Runnable) () -> new L7PolicyConfig("p", null, 1, Action.REDIRECT_TO_URL, null, null,
                        null, 302, null), "l7policy[p].redirectUrl: must be set"),
                Arguments.of((Runnable) () -> new L7PolicyConfig("p", null, 1, Action.REJECT, null, null, null, 0,
                        List.of(API_PATH, API_PATH)), "l7policy[p].rules: duplicate rule id r1"));
    }

    @ParameterizedTest
    @MethodSource("refusedPolicies")
    void policiesAreRefusedWithTheFieldAndTheValue(Runnable construction, String message) {
        assertThatThrownBy(construction::run).isInstanceOf(IllegalArgumentException.class).hasMessage(message);
    }

    static Stream<Arguments> refusedRules() {
        return Stream.of(
                Arguments.of(Type.PATH, CompareType.REGEX, null, "^/(api", "l7rule[r].value: the regular expression "
                        + "\"^/(api\" does not compile: missing closing )"),
                Arguments.of(Type.PATH, CompareType.REGEX, null, "(?=x)", "l7rule[r].value: the regular expression "
                        + "\"(?=x)\" does not compile: invalid or unsupported Perl syntax"),
                Arguments.of(Type.HEADER, CompareType.EQUAL_TO, null, "v", "l7rule[r].key: required with type HEADER"),
                Arguments.of(Type.PATH, CompareType.EQUAL_TO, "k", "/", "l7rule[r].key: only allowed with type HEADER, "
                        + "COOKIE or SSL_DN_FIELD, not PATH"),
                Arguments.of(Type.FILE_TYPE, CompareType.CONTAINS, null, "jp", "l7rule[r].compareType: a FILE_TYPE "
                        + "rule compares with EQUAL_TO or REGEX, not CONTAINS"),
                Arguments.of(Type.SSL_VERIFY_RESULT, CompareType.REGEX, null, "0", "l7rule[r].compareType: a "
                        + "SSL_VERIFY_RESULT rule compares with EQUAL_TO only, not REGEX"),
                Arguments.of(Type.SSL_CONN_HAS_CERT, CompareType.EQUAL_TO, null, "no", "l7rule[r].value: must be "
                        + "\"true\" for a SSL_CONN_HAS_CERT rule, got \"no\""),
                Arguments.of(Type.SSL_VERIFY_RESULT, CompareType.EQUAL_TO, null, "-1", "l7rule[r].value: must be a "
                        + "number for a SSL_VERIFY_RESULT rule, got \"-1\""),
                Arguments.of(Type.PATH, CompareType.EQUAL_TO, null, "", "l7rule[r].value: must be set"));
    }

    @ParameterizedTest
    @MethodSource("refusedRules")
    void rulesAreRefusedWithTheFieldAndTheValue(Type type, CompareType compare, String key, String value,
            String message) {
        assertThatThrownBy(() -> new L7RuleConfig("r", type, compare, key, value, false))
                .isInstanceOf(IllegalArgumentException.class).hasMessage(message);
    }
}
