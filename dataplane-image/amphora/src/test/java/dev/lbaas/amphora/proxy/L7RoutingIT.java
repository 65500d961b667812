package dev.lbaas.amphora.proxy;

import static dev.lbaas.amphora.testing.Configs.config;
import static dev.lbaas.amphora.testing.Configs.freePort;
import static dev.lbaas.amphora.testing.Configs.member;
import static dev.lbaas.amphora.testing.Configs.monitor;
import static dev.lbaas.amphora.testing.Configs.pool;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.lbaas.amphora.config.L7PolicyConfig;
import dev.lbaas.amphora.config.L7PolicyConfig.Action;
import dev.lbaas.amphora.config.L7RuleConfig;
import dev.lbaas.amphora.config.L7RuleConfig.CompareType;
import dev.lbaas.amphora.config.L7RuleConfig.Type;
import dev.lbaas.amphora.config.ListenerConfig;
import dev.lbaas.amphora.config.ListenerProtocol;
import dev.lbaas.amphora.config.MemberHealth;
import dev.lbaas.amphora.config.MonitorType;
import dev.lbaas.amphora.config.PoolProtocol;
import dev.lbaas.amphora.testing.NamedHttpBackend;
import dev.lbaas.amphora.testing.ProxyProtocolBackend;
import dev.lbaas.amphora.testing.RawHttp;
import dev.lbaas.amphora.testing.RunningDataplane;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * L7 policies with real clients: each action answered as Octavia's are (403, redirects with their
 * code and Location, another pool), policies tried by position with every rule of one to match,
 * a pool reachable only through a policy served and health-checked, and a policy whose pool is
 * missing answering 503 rather than sending its requests to the default pool.
 */
class L7RoutingIT {

    private static final String VIP = "127.1.14.1";

    private static L7RuleConfig rule(String id, Type type, CompareType compare, String key, String value,
            boolean invert) {
        return new L7RuleConfig(id, type, compare, key, value, invert);
    }

    private static L7PolicyConfig policy(String id, int position, Action action, String target, int code,
            L7RuleConfig... rules) {
        return new L7PolicyConfig(id, null, position, action, action == Action.REDIRECT_TO_POOL ? target : null,
                action == Action.REDIRECT_TO_URL ? target : null, action == Action.REDIRECT_PREFIX ? target : null,
                code, List.of(rules));
    }

    /** The policies, given out of position order: the amphora orders them. */
    private static List<L7PolicyConfig> policies() {
        return List.of(
                policy("images", 5, Action.REDIRECT_TO_POOL, null, 0,
                        rule("jpg", Type.FILE_TYPE, CompareType.EQUAL_TO, null, "jpg", false)),
                policy("admin", 1, Action.REJECT, null, 0,
                        rule("admin-path", Type.PATH, CompareType.STARTS_WITH, null, "/admin", false),
                        rule("not-internal", Type.HEADER, CompareType.EQUAL_TO, "X-Internal", "yes", true)),
                policy("api", 2, Action.REDIRECT_TO_POOL, "api", 0,
                        rule("api-path", Type.PATH, CompareType.REGEX, null, "^/api/v[0-9]+/", false),
                        // disabled: not evaluated, or no request would ever match
                        new L7RuleConfig("off", Type.PATH, CompareType.EQUAL_TO, null, "/never", false, false)),
                // disabled: not tried, or every request would be refused
                new L7PolicyConfig("everything", null, 1, Action.REJECT, null, null, null, 0,
                        List.of(rule("all", Type.PATH, CompareType.STARTS_WITH, null, "/", false)), false),
                policy("old-host", 3, Action.REDIRECT_PREFIX, "https://secure.example.com/", 301,
                        rule("old", Type.HOST_NAME, CompareType.EQUAL_TO, null, "Old.Example.com", false)),
                policy("beta", 4, Action.REDIRECT_TO_URL, "https://example.com/maintenance", 307,
                        rule("beta-cookie", Type.COOKIE, CompareType.EQUAL_TO, "beta", "on", false)),
                policy("never", 6, Action.REJECT, null, 0));
    }

    private static ListenerConfig listener(int port, List<L7PolicyConfig> policies) {
        return new ListenerConfig("l", null, ListenerProtocol.HTTP, port, -1, true, "web", null, null, null, policies);
    }

    /** One request on its own connection: the response's head and body. */
    private static String send(int port, String target, String... headers) throws Exception {
        try (RawHttp client = new RawHttp(VIP, port)) {
            StringBuilder request = new StringBuilder("GET " + target + " HTTP/1.1\r\n");
            boolean host = false;
            for (String header : headers) {
                request.append(header).append("\r\n");
                host |= header.toLowerCase().startsWith("host:");
            }
            if (!host) {
                request.append("Host: www.example.com\r\n");
            }
            client.send(request.append("\r\n").toString());
            return client.readMessage();
        }
    }

    @Test
    void eachActionAnswersAsOctaviasDoByPosition() throws Exception {
        try (RunningDataplane amphora = new RunningDataplane();
                NamedHttpBackend web = new NamedHttpBackend("web"); NamedHttpBackend api = new NamedHttpBackend("api")) {
            int port = freePort(VIP);
            amphora.apply(config(1, VIP, List.of(listener(port, policies())),
                    pool("web", PoolProtocol.HTTP, null, member("w1", web.port(), 1)),
                    pool("api", PoolProtocol.HTTP, monitor(MonitorType.HTTP, 200, 150, 1, 1),
                            member("a1", api.port(), 1))));

            // no policy matches: the default pool
            assertThat(send(port, "/")).startsWith("HTTP/1.1 200").endsWith("web");
            // REJECT needs both rules: /admin from outside is refused, from inside (inverted rule) it is not
            assertThat(send(port, "/admin/users")).startsWith("HTTP/1.1 403 Forbidden")
                    .contains("connection: close").endsWith("request forbidden by administrative rules\n");
            assertThat(send(port, "/admin/users", "X-Internal: yes")).startsWith("HTTP/1.1 200").endsWith("web");
            try (RawHttp client = new RawHttp(VIP, port)) {
                client.send("HEAD /admin HTTP/1.1\r\nHost: www.example.com\r\n\r\n");
                assertThat(client.readHead()).startsWith("HTTP/1.1 403");
                assertThat(client.readUntilClosed()).as("a response to HEAD has no body").isEmpty();
            }
            // REDIRECT_TO_POOL to a pool no listener has as its default
            assertThat(send(port, "/api/v2/users")).startsWith("HTTP/1.1 200").endsWith("api");
            assertThat(send(port, "/api/users")).as("the regex wants a version").endsWith("web");
            // REDIRECT_PREFIX keeps the path and query, host names compare without regard to case
            assertThat(send(port, "/shop/cart?item=7", "Host: old.EXAMPLE.com:80"))
                    .startsWith("HTTP/1.1 301 Moved Permanently")
                    .contains("location: https://secure.example.com/shop/cart?item=7\r\n");
            // REDIRECT_TO_URL sends the URL as it is
            assertThat(send(port, "/any?q=1", "Cookie: a=b; beta=on")).startsWith("HTTP/1.1 307")
                    .contains("location: https://example.com/maintenance\r\n").contains("content-length: 0");
            // the first matching policy wins: the admin REJECT (1) before the beta redirect (4)
            assertThat(send(port, "/admin", "Cookie: beta=on")).startsWith("HTTP/1.1 403");
            // a policy whose pool cannot be served answers 503, never the default pool
            assertThat(send(port, "/logo.jpg")).startsWith("HTTP/1.1 503");
            // the pool reached only by a policy is health-checked
            await().atMost(Duration.ofSeconds(5)).until(() -> amphora.health("a1") == MemberHealth.UP);
            assertThat(api.seenHeaders).anySatisfy(headers -> assertThat(headers.getFirst("X-Internal")).isNull());
        }
    }

    @Test
    void requestsOfOneConnectionFollowTheirOwnPoliciesAcrossGenerations() throws Exception {
        try (RunningDataplane amphora = new RunningDataplane();
                NamedHttpBackend web = new NamedHttpBackend("web"); NamedHttpBackend api = new NamedHttpBackend("api")) {
            int port = freePort(VIP);
            var webPool = pool("web", PoolProtocol.HTTP, null, member("w1", web.port(), 1));
            var apiPool = pool("api", PoolProtocol.HTTP, null, member("a1", api.port(), 1));
            amphora.apply(config(1, VIP, List.of(listener(port, policies())), webPool, apiPool));
            try (RawHttp client = new RawHttp(VIP, port)) {
                for (String target : List.of("/", "/api/v1/a", "/api/v1/b", "/", "/api/v3/c")) {
                    client.send("GET " + target + " HTTP/1.1\r\nHost: www.example.com\r\n\r\n");
                    assertThat(client.readResponse()).as(target).startsWith("HTTP/1.1 200")
                            .endsWith(target.startsWith("/api") ? "api" : "web");
                }
                // the policies go with the generation: without them, everything goes to the default pool
                amphora.apply(config(2, VIP, List.of(listener(port, List.of())), webPool, apiPool));
                client.send("GET /api/v1/a HTTP/1.1\r\nHost: www.example.com\r\n\r\n");
                assertThat(client.readResponse()).startsWith("HTTP/1.1 200").endsWith("web");
            }
            assertThat(send(port, "/admin")).startsWith("HTTP/1.1 200").endsWith("web");
        }
    }

    @Test
    void aPolicysPoolSpeaksItsOwnProtocolToItsMembers() throws Exception {
        try (RunningDataplane amphora = new RunningDataplane();
                ProxyProtocolBackend proxied = new ProxyProtocolBackend(ProxyProtocolBackend.Mode.HTTP);
                NamedHttpBackend plain = new NamedHttpBackend("plain")) {
            int port = freePort(VIP);
            InetSocketAddress vip = new InetSocketAddress(VIP, port);
            L7PolicyConfig toProxied = policy("proxied", 1, Action.REDIRECT_TO_POOL, "proxied", 0,
                    rule("p", Type.PATH, CompareType.STARTS_WITH, null, "/proxied", false));
            // no default pool: only the policy's pool serves, with the PROXY header its members expect
            amphora.apply(config(1, VIP, List.of(new ListenerConfig("l", null, ListenerProtocol.HTTP, port, -1, true,
                    null, null, null, null, List.of(toProxied))),
                    pool("proxied", PoolProtocol.PROXY, null, member("m", proxied.port(), 1))));
            try (RawHttp client = new RawHttp(VIP, port)) {
                client.send("GET /proxied HTTP/1.1\r\nHost: lb\r\n\r\n");
                assertThat(client.readResponse()).isEqualTo("HTTP/1.1 200 OK\n"
                        + ProxyProtocolBackend.seen("v1", client.localAddress(), vip));
            }
            assertThat(send(port, "/other")).as("nothing else is served").startsWith("HTTP/1.1 503");

            // a PROXY default pool and a plain policy pool: the plain member never gets a PROXY header, and
            // its connections, shared between clients, carry no client's identity
            amphora.apply(config(2, VIP, List.of(new ListenerConfig("l", null, ListenerProtocol.HTTP, port, -1, true,
                    "proxied", null, null, null, List.of(policy("plain", 1, Action.REDIRECT_TO_POOL, "plain", 0,
                            rule("p", Type.PATH, CompareType.STARTS_WITH, null, "/plain", false))))),
                    pool("proxied", PoolProtocol.PROXY, null, member("m", proxied.port(), 1)),
                    pool("plain", PoolProtocol.HTTP, null, member("w", plain.port(), 1))));
            try (RawHttp client = new RawHttp(VIP, port)) {
                client.send("GET /plain HTTP/1.1\r\nHost: lb\r\n\r\n");
                assertThat(client.readResponse()).isEqualTo("HTTP/1.1 200 OK\nplain");
                client.send("GET / HTTP/1.1\r\nHost: lb\r\n\r\n");
                assertThat(client.readResponse()).isEqualTo("HTTP/1.1 200 OK\n"
                        + ProxyProtocolBackend.seen("v1", client.localAddress(), vip));
            }
            assertThat(plain.seenHeaders).hasSize(1);
        }
    }
}
