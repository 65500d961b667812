package dev.lbaas.amphora.proxy;

import static dev.lbaas.amphora.testing.Configs.config;
import static dev.lbaas.amphora.testing.Configs.freePort;
import static dev.lbaas.amphora.testing.Configs.listener;
import static dev.lbaas.amphora.testing.Configs.member;
import static org.assertj.core.api.Assertions.assertThat;

import dev.lbaas.amphora.config.LbAlgorithm;
import dev.lbaas.amphora.config.ListenerProtocol;
import dev.lbaas.amphora.config.MemberConfig;
import dev.lbaas.amphora.config.PoolConfig;
import dev.lbaas.amphora.config.PoolProtocol;
import dev.lbaas.amphora.config.SessionPersistenceConfig;
import dev.lbaas.amphora.config.SessionPersistenceConfig.Type;
import dev.lbaas.amphora.testing.NamedHttpBackend;
import dev.lbaas.amphora.testing.NamedTcpBackend;
import dev.lbaas.amphora.testing.RunningDataplane;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Session persistence with real clients: SOURCE_IP on a TCP listener, HTTP_COOKIE and APP_COOKIE
 * on an HTTP listener, over a round robin pool that would otherwise alternate.
 */
class SessionPersistenceIT {

    private static final String VIP = "127.1.8.1";

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    private static PoolConfig pool(PoolProtocol protocol, SessionPersistenceConfig persistence, MemberConfig... members) {
        return new PoolConfig("p", null, protocol, LbAlgorithm.ROUND_ROBIN, true, List.of(members), null, persistence);
    }

    private static MemberConfig disabled(MemberConfig member) {
        return new MemberConfig(member.id(), member.name(), member.address(), member.protocolPort(), member.weight(),
                member.backup(), false, null, null);
    }

    /** The greeting of the member a connection from {@code source} reaches. */
    private static String memberFor(String source, int port) throws Exception {
        try (Socket socket = new Socket()) {
            socket.bind(new InetSocketAddress(source, 0));
            socket.connect(new InetSocketAddress(VIP, port), 2000);
            return TcpProxyIT.greeting(socket);
        }
    }

    @Test
    void sourceIpKeepsEachClientOnItsMemberAcrossConnectionsAndReloads() throws Exception {
        try (RunningDataplane amphora = new RunningDataplane();
                NamedTcpBackend tcp1 = new NamedTcpBackend("tcp1"); NamedTcpBackend tcp2 = new NamedTcpBackend("tcp2");
                NamedTcpBackend tcp3 = new NamedTcpBackend("tcp3")) {
            int port = freePort(VIP);
            SessionPersistenceConfig sourceIp = new SessionPersistenceConfig(Type.SOURCE_IP, null, null, null);
            MemberConfig m1 = member("m1", tcp1.port(), 1);
            MemberConfig m2 = member("m2", tcp2.port(), 1);
            amphora.apply(config(1, VIP, List.of(listener("l", ListenerProtocol.TCP, port, "p")),
                    pool(PoolProtocol.TCP, sourceIp, m1, m2)));

            List<String> first = new ArrayList<>();
            for (int client = 10; client < 16; client++) {
                first.add(memberFor("127.0.0." + client, port));
            }
            // round robin spread the first connections of six clients over both members ...
            assertThat(first).contains("tcp1", "tcp2");
            // ... and each client's later connections follow its first one
            for (int round = 0; round < 3; round++) {
                for (int client = 10; client < 16; client++) {
                    assertThat(memberFor("127.0.0." + client, port)).isEqualTo(first.get(client - 10));
                }
            }

            // a new generation with a third member moves nobody
            amphora.apply(config(2, VIP, List.of(listener("l", ListenerProtocol.TCP, port, "p")),
                    pool(PoolProtocol.TCP, sourceIp, m1, m2, member("m3", tcp3.port(), 1))));
            for (int client = 10; client < 16; client++) {
                assertThat(memberFor("127.0.0." + client, port)).isEqualTo(first.get(client - 10));
            }

            // a member taken out is replaced for its clients, and they stay on the replacement
            amphora.apply(config(3, VIP, List.of(listener("l", ListenerProtocol.TCP, port, "p")),
                    pool(PoolProtocol.TCP, sourceIp, disabled(m1), m2, member("m3", tcp3.port(), 1))));
            for (int client = 10; client < 16; client++) {
                String now = memberFor("127.0.0." + client, port);
                assertThat(now).isNotEqualTo("tcp1");
                if (!first.get(client - 10).equals("tcp1")) {
                    assertThat(now).isEqualTo(first.get(client - 10));
                }
                assertThat(memberFor("127.0.0." + client, port)).isEqualTo(now);
            }
        }
    }

    @Test
    void sourceIpGranularityPutsAWholeNetworkOnOneMember() throws Exception {
        try (RunningDataplane amphora = new RunningDataplane();
                NamedTcpBackend tcp1 = new NamedTcpBackend("tcp1"); NamedTcpBackend tcp2 = new NamedTcpBackend("tcp2")) {
            int port = freePort(VIP);
            amphora.apply(config(1, VIP, List.of(listener("l", ListenerProtocol.TCP, port, "p")),
                    pool(PoolProtocol.TCP, new SessionPersistenceConfig(Type.SOURCE_IP, null, null, "255.255.255.0"),
                            member("m1", tcp1.port(), 1), member("m2", tcp2.port(), 1))));
            Set<String> members = new HashSet<>();
            for (int client = 20; client < 30; client++) {
                members.add(memberFor("127.0.0." + client, port));
            }
            assertThat(members).hasSize(1);
        }
    }

    @Test
    void httpCookieBindsTheClientToTheMemberTheCookieNames() throws Exception {
        try (RunningDataplane amphora = new RunningDataplane();
                NamedHttpBackend web1 = new NamedHttpBackend("web1"); NamedHttpBackend web2 = new NamedHttpBackend("web2")) {
            int port = freePort(VIP);
            SessionPersistenceConfig cookie = new SessionPersistenceConfig(Type.HTTP_COOKIE, null, null, null);
            MemberConfig m1 = member("m1", web1.port(), 1);
            MemberConfig m2 = member("m2", web2.port(), 1);
            amphora.apply(config(1, VIP, List.of(listener("l", ListenerProtocol.HTTP, port, "p")),
                    pool(PoolProtocol.HTTP, cookie, m1, m2)));
            URI uri = URI.create("http://" + VIP + ":" + port + "/");

            HttpResponse<String> first = http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
            String memberId = first.body().equals("web1") ? "m1" : "m2";
            assertThat(first.headers().allValues("set-cookie")).containsExactly("SRV=" + memberId + "; Path=/; HTTPOnly");
            assertThat(first.headers().firstValue("cache-control")).hasValue("private");

            // with the cookie, every request goes to that member, and the member never sees the cookie
            for (int i = 0; i < 6; i++) {
                HttpResponse<String> again = http.send(HttpRequest.newBuilder(uri)
                        .header("Cookie", "theme=dark; SRV=" + memberId + "; lang=en").build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(again.body()).isEqualTo(first.body());
                assertThat(again.headers().allValues("set-cookie")).isEmpty();
            }
            NamedHttpBackend chosen = memberId.equals("m1") ? web1 : web2;
            assertThat(chosen.seenHeaders.get(chosen.seenHeaders.size() - 1).get("Cookie"))
                    .containsExactly("theme=dark; lang=en");
            // without it, round robin as usual
            Set<String> spread = new HashSet<>();
            for (int i = 0; i < 4; i++) {
                spread.add(http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString()).body());
            }
            assertThat(spread).containsExactlyInAnyOrder("web1", "web2");

            // the member named by the cookie is disabled: another serves and the cookie follows it
            amphora.apply(config(2, VIP, List.of(listener("l", ListenerProtocol.HTTP, port, "p")),
                    pool(PoolProtocol.HTTP, cookie, memberId.equals("m1") ? disabled(m1) : m1,
                            memberId.equals("m2") ? disabled(m2) : m2)));
            HttpResponse<String> moved = http.send(HttpRequest.newBuilder(uri).header("Cookie", "SRV=" + memberId).build(),
                    HttpResponse.BodyHandlers.ofString());
            String otherId = memberId.equals("m1") ? "m2" : "m1";
            assertThat(moved.body()).isNotEqualTo(first.body());
            assertThat(moved.headers().allValues("set-cookie")).containsExactly("SRV=" + otherId + "; Path=/; HTTPOnly");
        }
    }

    @Test
    void appCookieLearnsTheSessionFromTheApplicationsCookie() throws Exception {
        try (RunningDataplane amphora = new RunningDataplane();
                NamedHttpBackend web1 = new NamedHttpBackend("web1"); NamedHttpBackend web2 = new NamedHttpBackend("web2")) {
            int port = freePort(VIP);
            SessionPersistenceConfig appCookie = new SessionPersistenceConfig(Type.APP_COOKIE, "JSESSIONID", null, null);
            MemberConfig m1 = member("m1", web1.port(), 1);
            MemberConfig m2 = member("m2", web2.port(), 1);
            amphora.apply(config(1, VIP, List.of(listener("l", ListenerProtocol.HTTP, port, "p")),
                    pool(PoolProtocol.HTTP, appCookie, m1, m2)));
            String base = "http://" + VIP + ":" + port;

            // two logins land on different members (round robin) and each gets its session cookie
            List<String> sessions = new ArrayList<>();
            List<String> owners = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                HttpResponse<String> login = http.send(HttpRequest.newBuilder(URI.create(base + "/login")).build(),
                        HttpResponse.BodyHandlers.ofString());
                String setCookie = login.headers().firstValue("set-cookie").orElseThrow();
                sessions.add(setCookie.substring(0, setCookie.indexOf(';')));
                owners.add(login.body());
            }
            assertThat(owners).containsExactlyInAnyOrder("web1", "web2");

            // every later request of a session goes where the session started (several in a row, where
            // round robin would alternate); the amphora adds no cookie
            for (int s = 0; s < 2; s++) {
                for (int round = 0; round < 3; round++) {
                    HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(base + "/"))
                            .header("Cookie", sessions.get(s)).build(), HttpResponse.BodyHandlers.ofString());
                    assertThat(response.body()).isEqualTo(owners.get(s));
                    assertThat(response.headers().allValues("set-cookie")).isEmpty();
                }
            }
            // the application sees its own cookie
            assertThat(web1.seenHeaders.get(web1.seenHeaders.size() - 1).getFirst("Cookie")).startsWith("JSESSIONID=web1-");

            // a reload keeps the learnt sessions
            amphora.apply(config(2, VIP, List.of(listener("l", ListenerProtocol.HTTP, port, "p")),
                    pool(PoolProtocol.HTTP, appCookie, m1, m2)));
            for (int s = 0; s < 2; s++) {
                assertThat(http.send(HttpRequest.newBuilder(URI.create(base + "/")).header("Cookie", sessions.get(s))
                        .build(), HttpResponse.BodyHandlers.ofString()).body()).isEqualTo(owners.get(s));
            }
        }
    }
}
