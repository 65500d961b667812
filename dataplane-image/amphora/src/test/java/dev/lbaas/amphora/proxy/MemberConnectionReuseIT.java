package dev.lbaas.amphora.proxy;

import static dev.lbaas.amphora.testing.Configs.config;
import static dev.lbaas.amphora.testing.Configs.freePort;
import static dev.lbaas.amphora.testing.Configs.listener;
import static dev.lbaas.amphora.testing.Configs.member;
import static dev.lbaas.amphora.testing.Configs.pool;
import static org.assertj.core.api.Assertions.assertThat;

import dev.lbaas.amphora.config.ListenerProtocol;
import dev.lbaas.amphora.config.PoolProtocol;
import dev.lbaas.amphora.testing.CountingHttpBackend;
import dev.lbaas.amphora.testing.RawHttp;
import dev.lbaas.amphora.testing.RunningDataplane;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** HTTP member connections are pooled and reused across requests and client connections. */
class MemberConnectionReuseIT {

    private static final String VIP = "127.1.1.3";
    private static final String GET = "GET / HTTP/1.1\r\nHost: lb\r\n\r\n";

    private RunningDataplane amphora;
    private CountingHttpBackend web1;
    private CountingHttpBackend web2;
    private int port;

    @BeforeEach
    void start() throws Exception {
        amphora = new RunningDataplane();
        web1 = new CountingHttpBackend("web1");
        web2 = new CountingHttpBackend("web2");
        port = freePort(VIP);
    }

    @AfterEach
    void stop() throws Exception {
        amphora.close();
        web1.close();
        web2.close();
    }

    private void serve(long generation, int weight1, int weight2) {
        amphora.apply(config(generation, VIP, List.of(listener("l", ListenerProtocol.HTTP, port, "p")),
                pool("p", PoolProtocol.HTTP, null, member("m1", web1.port(), weight1),
                        member("m2", web2.port(), weight2))));
    }

    @Test
    void keepAliveRequestsAlternatingBetweenTwoMembersReuseAHandfulOfMemberConnections() throws Exception {
        serve(1, 1, 1);
        List<String> names = new ArrayList<>();
        try (RawHttp client = new RawHttp(VIP, port)) {
            for (int i = 0; i < 100; i++) {
                client.send(GET);
                names.add(client.readResponse());
            }
        }
        for (int i = 1; i < names.size(); i++) {
            assertThat(names.get(i)).startsWith("HTTP/1.1 200 OK\n").isNotEqualTo(names.get(i - 1));
        }
        assertThat(web1.requests.get() + web2.requests.get()).isEqualTo(100);
        assertThat(web1.accepted.get()).isBetween(1, 2);
        assertThat(web2.accepted.get()).isBetween(1, 2);
    }

    @Test
    void connectionPerRequestClientsShareMemberConnections() throws Exception {
        serve(1, 1, 1);
        for (int i = 0; i < 50; i++) {
            try (RawHttp client = new RawHttp(VIP, port)) {
                client.send("GET / HTTP/1.1\r\nHost: lb\r\nConnection: close\r\n\r\n");
                assertThat(client.readResponse()).startsWith("HTTP/1.1 200 OK\n");
                assertThat(client.closedByServer()).isTrue();
            }
        }
        // two event loops, so at most one connection per member and loop
        assertThat(web1.accepted.get() + web2.accepted.get()).isLessThanOrEqualTo(4);
    }

    @Test
    void aPooledConnectionTheMemberClosedIsNotUsedForTheNextRequest() throws Exception {
        serve(1, 1, 0);
        try (RawHttp client = new RawHttp(VIP, port)) {
            client.send(GET);
            assertThat(client.readResponse()).isEqualTo("HTTP/1.1 200 OK\nweb1");
            web1.closeConnections();
            waitFor(() -> web1.openConnections() == 0);
            Thread.sleep(100);
            client.send(GET);
            assertThat(client.readResponse()).isEqualTo("HTTP/1.1 200 OK\nweb1");
        }
        assertThat(web1.accepted.get()).isEqualTo(2);
    }

    @Test
    void aBodylessRequestWhosePooledConnectionDiesUnansweredIsSentAgainOnANewConnection() throws Exception {
        serve(1, 1, 0);
        web1.dropReusedRequests.set(true);
        try (RawHttp client = new RawHttp(VIP, port)) {
            for (int i = 0; i < 3; i++) {
                client.send(GET);
                assertThat(client.readResponse()).isEqualTo("HTTP/1.1 200 OK\nweb1");
            }
        }
        // each reuse found the connection closing and was retried once on a new one
        assertThat(web1.accepted.get()).isEqualTo(3);
    }

    @Test
    void idleConnectionsToAMemberANewGenerationRemovesAreClosed() throws Exception {
        serve(1, 1, 1);
        try (RawHttp client = new RawHttp(VIP, port)) {
            for (int i = 0; i < 4; i++) {
                client.send(GET);
                assertThat(client.readResponse()).startsWith("HTTP/1.1 200 OK\n");
            }
        }
        assertThat(web2.openConnections()).isPositive();
        amphora.apply(config(2, VIP, List.of(listener("l", ListenerProtocol.HTTP, port, "p")),
                pool("p", PoolProtocol.HTTP, null, member("m1", web1.port(), 1))));
        waitFor(() -> web2.openConnections() == 0);
        assertThat(web1.openConnections()).isPositive();
        amphora.dataplane.close();
        waitFor(() -> web1.openConnections() == 0);
    }

    private static void waitFor(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("condition not met in time").isLessThan(deadline);
            Thread.sleep(10);
        }
    }
}
