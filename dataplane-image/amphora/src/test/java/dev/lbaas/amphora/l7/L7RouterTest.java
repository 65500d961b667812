package dev.lbaas.amphora.l7;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lbaas.amphora.l7.L7Rule.Compare;
import dev.lbaas.amphora.l7.L7Rule.Type;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class L7RouterTest {

    /** A request's facts as the proxy would give them. */
    private record Facts(String host, String path, Map<String, String> headers, Map<String, String> cookies,
            boolean clientCertificate, int verifyResult, Map<String, String> subject) implements RequestFacts {

        static Facts of(String host, String path) {
            return new Facts(host, path, Map.of(), Map.of(), false, 0, Map.of());
        }

        Facts withHeader(String name, String value) {
            return new Facts(host, path, Map.of(name.toLowerCase(), value), cookies, clientCertificate, verifyResult,
                    subject);
        }

        Facts withCookie(String name, String value) {
            return new Facts(host, path, headers, Map.of(name, value), clientCertificate, verifyResult, subject);
        }

        Facts withCertificate(int verify, Map<String, String> dn) {
            return new Facts(host, path, headers, cookies, true, verify, dn);
        }

        @Override
        public String header(String name) {
            return headers.get(name.toLowerCase());
        }

        @Override
        public String cookie(String name) {
            return cookies.get(name);
        }

        @Override
        public String subjectField(String field) {
            return subject.get(field);
        }
    }

    private static L7Rule rule(Type type, Compare compare, String key, String value) {
        return L7Rule.compile("r", type, compare, key, value, false);
    }

    private static L7Policy policy(String id, int position, L7Policy.Action action, L7Rule... rules) {
        return new L7Policy(id, position, List.of(rules), action);
    }

    @Test
    void eachCompareTypeOnThePath() {
        Facts request = Facts.of("shop.example", "/api/v1/items");
        assertThat(rule(Type.PATH, Compare.STARTS_WITH, null, "/api").matches(request)).isTrue();
        assertThat(rule(Type.PATH, Compare.STARTS_WITH, null, "/v1").matches(request)).isFalse();
        assertThat(rule(Type.PATH, Compare.ENDS_WITH, null, "/items").matches(request)).isTrue();
        assertThat(rule(Type.PATH, Compare.CONTAINS, null, "/v1/").matches(request)).isTrue();
        assertThat(rule(Type.PATH, Compare.EQUAL_TO, null, "/api/v1/items").matches(request)).isTrue();
        assertThat(rule(Type.PATH, Compare.EQUAL_TO, null, "/api/v1").matches(request)).isFalse();
        assertThat(rule(Type.PATH, Compare.REGEX, null, "v[0-9]+").matches(request)).as("unanchored").isTrue();
        assertThat(rule(Type.PATH, Compare.REGEX, null, "^v[0-9]+").matches(request)).isFalse();
    }

    @Test
    void hostNamesCompareWithoutRegardToCaseAndOtherValuesAsReceived() {
        Facts request = Facts.of("Shop.Example", "/").withHeader("X-Tenant", "Blue");
        assertThat(rule(Type.HOST_NAME, Compare.EQUAL_TO, null, "shop.EXAMPLE").matches(request)).isTrue();
        assertThat(rule(Type.HOST_NAME, Compare.REGEX, null, "^shop\\.").matches(request)).isTrue();
        assertThat(rule(Type.HOST_NAME, Compare.REGEX, null, "^SHOP\\D").matches(request))
                .as("the pattern's own case kept: \\D is not \\d").isTrue();
        assertThat(rule(Type.HEADER, Compare.EQUAL_TO, "x-tenant", "Blue").matches(request)).isTrue();
        assertThat(rule(Type.HEADER, Compare.EQUAL_TO, "x-tenant", "blue").matches(request)).isFalse();
    }

    @Test
    void headersAndCookiesByTheirKeyAndWhatIsAbsentMatchesOnlyInverted() {
        Facts request = Facts.of("a", "/").withCookie("session", "abc123");
        assertThat(rule(Type.COOKIE, Compare.STARTS_WITH, "session", "abc").matches(request)).isTrue();
        assertThat(rule(Type.COOKIE, Compare.STARTS_WITH, "other", "abc").matches(request)).isFalse();
        assertThat(L7Rule.compile("r", Type.COOKIE, Compare.STARTS_WITH, "other", "abc", true).matches(request))
                .as("inverted: no such cookie").isTrue();
        assertThat(rule(Type.HEADER, Compare.CONTAINS, "x-absent", "").matches(request)).isFalse();
        assertThatThrownBy(() -> rule(Type.HEADER, Compare.EQUAL_TO, null, "x")).isInstanceOf(L7Rule.Invalid.class)
                .hasMessageContaining("needs a key");
    }

    @Test
    void aFileTypeIsWhatFollowsTheLastDotOfTheLastSegment() {
        assertThat(L7Rule.fileType("/img/cat.jpg")).isEqualTo("jpg");
        assertThat(L7Rule.fileType("/archive.tar.gz")).isEqualTo("gz");
        assertThat(L7Rule.fileType("/v1.2/items")).as("a dot in a directory").isNull();
        assertThat(L7Rule.fileType("/file.")).isNull();
        assertThat(L7Rule.fileType("/")).isNull();
        Facts request = Facts.of("a", "/img/cat.JPG");
        assertThat(rule(Type.FILE_TYPE, Compare.EQUAL_TO, null, "JPG").matches(request)).isTrue();
        assertThat(rule(Type.FILE_TYPE, Compare.EQUAL_TO, null, ".JPG").matches(request)).as("with its dot").isTrue();
        assertThat(rule(Type.FILE_TYPE, Compare.REGEX, null, "(?i)^jpe?g$").matches(request)).isTrue();
        assertThatThrownBy(() -> rule(Type.FILE_TYPE, Compare.CONTAINS, null, "jp"))
                .isInstanceOf(L7Rule.Invalid.class).hasMessageContaining("EQUAL_TO or REGEX, not CONTAINS");
    }

    @Test
    void clientCertificateRules() {
        Facts without = Facts.of("a", "/");
        Facts verified = without.withCertificate(0, Map.of("COMMON_NAME", "alice", "ORGANIZATION", "Shop"));
        Facts failed = without.withCertificate(10, Map.of("COMMON_NAME", "mallory"));
        L7Rule hasCertificate = rule(Type.SSL_CONN_HAS_CERT, Compare.EQUAL_TO, null, "True");
        assertThat(hasCertificate.matches(verified)).isTrue();
        assertThat(hasCertificate.matches(without)).isFalse();
        L7Rule verifiedOk = rule(Type.SSL_VERIFY_RESULT, Compare.EQUAL_TO, null, "0");
        assertThat(verifiedOk.matches(verified)).isTrue();
        assertThat(verifiedOk.matches(failed)).isFalse();
        assertThat(verifiedOk.matches(without)).as("no certificate, no result").isFalse();
        assertThat(rule(Type.SSL_DN_FIELD, Compare.EQUAL_TO, "ORGANIZATION", "Shop").matches(verified)).isTrue();
        assertThat(rule(Type.SSL_DN_FIELD, Compare.EQUAL_TO, "ORGANIZATION", "Shop").matches(failed)).isFalse();

        assertThatThrownBy(() -> rule(Type.SSL_VERIFY_RESULT, Compare.EQUAL_TO, null, "ok"))
                .isInstanceOf(L7Rule.Invalid.class).hasMessageContaining("compares with a number");
        assertThatThrownBy(() -> rule(Type.SSL_CONN_HAS_CERT, Compare.EQUAL_TO, null, "yes"))
                .isInstanceOf(L7Rule.Invalid.class).hasMessageContaining("true or false");
        assertThatThrownBy(() -> rule(Type.SSL_VERIFY_RESULT, Compare.STARTS_WITH, null, "0"))
                .isInstanceOf(L7Rule.Invalid.class).hasMessageContaining("compares by EQUAL_TO, not STARTS_WITH");
    }

    @Test
    void aRegularExpressionThatDoesNotCompileIsNamedWithItsRule() {
        assertThatThrownBy(() -> L7Rule.compile("rule-7", Type.PATH, Compare.REGEX, null, "(unclosed", false))
                .isInstanceOf(L7Rule.Invalid.class).hasMessageStartingWith("rule rule-7: the regular expression")
                .hasMessageContaining("(unclosed");
        assertThatThrownBy(() -> L7Rule.compile("rule-8", Type.PATH, Compare.REGEX, null, "(a)\\1", false))
                .as("backreferences: not in RE2's linear-time language").isInstanceOf(L7Rule.Invalid.class);
    }

    @Test
    void aHostilePatternTakesTimeLinearInTheInput() {
        // Catastrophic for a backtracking engine: nested quantifiers against a near miss.
        L7Rule hostile = rule(Type.PATH, Compare.REGEX, null, "^(a+)+$");
        Facts request = Facts.of("a", "/" + "a".repeat(100_000) + "!");
        long started = System.nanoTime();

        boolean matched = hostile.matches(request);

        assertThat(matched).isFalse();
        assertThat((System.nanoTime() - started) / 1_000_000).as("ms for a 100 kB path").isLessThan(1_000);
    }

    @Test
    void policiesAreTriedByPositionTheFirstMatchWinsAndAllItsRulesMustMatch() {
        L7Policy images = policy("images", 2, new L7Policy.RedirectToPool("pool-static"),
                rule(Type.PATH, Compare.STARTS_WITH, null, "/img/"));
        L7Policy blocked = policy("blocked", 1, new L7Policy.Reject(),
                rule(Type.PATH, Compare.STARTS_WITH, null, "/img/"),
                rule(Type.HEADER, Compare.EQUAL_TO, "x-tenant", "banned"));
        L7Policy empty = policy("empty", 1, new L7Policy.Reject());
        L7Router router = L7Router.of(List.of(images, empty, blocked));

        assertThat(router.policies()).extracting(L7Policy::id).as("by position, then as given")
                .containsExactly("empty", "blocked", "images");
        assertThat(router.route(Facts.of("a", "/img/cat.jpg").withHeader("x-tenant", "banned"))).isSameAs(blocked);
        assertThat(router.route(Facts.of("a", "/img/cat.jpg").withHeader("x-tenant", "ok")))
                .as("one rule of 'blocked' fails: the next policy").isSameAs(images);
        assertThat(router.route(Facts.of("a", "/index.html"))).as("the default pool").isNull();
        assertThat(L7Router.of(List.of(empty)).route(Facts.of("a", "/"))).as("a policy without rules").isNull();
        assertThat(L7Router.of(List.of())).isSameAs(L7Router.NONE);
    }
}
