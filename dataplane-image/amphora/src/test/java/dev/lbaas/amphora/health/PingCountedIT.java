package dev.lbaas.amphora.health;

import static dev.lbaas.amphora.testing.CheckCounting.assertTransition;
import static dev.lbaas.amphora.testing.Configs.config;
import static dev.lbaas.amphora.testing.Configs.member;
import static dev.lbaas.amphora.testing.Configs.monitor;
import static dev.lbaas.amphora.testing.Configs.pool;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.lbaas.amphora.config.MemberHealth;
import dev.lbaas.amphora.config.MonitorType;
import dev.lbaas.amphora.config.PoolProtocol;
import dev.lbaas.amphora.testing.RunningDataplane;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * PING counted check by check, as the other types are in {@link RiseAndFallCountedIT}: every
 * loopback address answers ICMP, so the member here is a host of its own, an address in a network
 * namespace this test makes (a veth pair), which stops answering when its side of the pair goes
 * down. Needs root, as the amphora's ICMP echo does.
 */
class PingCountedIT {

    private static final String VIP = "127.1.3.7";
    private static final long ID = ProcessHandle.current().pid() % 200;
    private static final String NAMESPACE = "lbaas-ping-" + ProcessHandle.current().pid();
    private static final String HOST_SIDE = "lbping" + ID + "h";
    private static final String MEMBER_SIDE = "lbping" + ID + "m";
    private static final String HOST_ADDRESS = "10.254." + ID + ".1";
    private static final String MEMBER_ADDRESS = "10.254." + ID + ".2";

    @BeforeAll
    static void makeTheMembersHost() throws Exception {
        Assumptions.assumeTrue(PingMethod.detect() == PingMethod.ICMP_ECHO, "this process may not send ICMP");
        Assumptions.assumeTrue(ProcessHandle.current().info().user().map("root"::equals).orElse(false),
                "network namespaces need root");
        ip("netns", "add", NAMESPACE);
        ip("link", "add", HOST_SIDE, "type", "veth", "peer", "name", MEMBER_SIDE);
        ip("link", "set", MEMBER_SIDE, "netns", NAMESPACE);
        ip("addr", "add", HOST_ADDRESS + "/30", "dev", HOST_SIDE);
        ip("link", "set", HOST_SIDE, "up");
        ip("-n", NAMESPACE, "addr", "add", MEMBER_ADDRESS + "/30", "dev", MEMBER_SIDE);
        ip("-n", NAMESPACE, "link", "set", MEMBER_SIDE, "up");
        ip("-n", NAMESPACE, "link", "set", "lo", "up");
    }

    @AfterAll
    static void removeIt() throws Exception {
        // deleting the namespace deletes its end of the pair, and so the pair
        runQuietly("ip", "netns", "del", NAMESPACE);
        runQuietly("ip", "link", "del", HOST_SIDE);
    }

    @Test
    void downOnExactlyTheFallthUnansweredEchoAndUpOnExactlyTheRisethAnswer() throws Exception {
        try (RunningDataplane amphora = new RunningDataplane()) {
            amphora.apply(config(1, VIP, List.of(), pool("p", PoolProtocol.TCP,
                    monitor(MonitorType.PING, 300, 200, 2, 3), member("m", MEMBER_ADDRESS, 80, null, null))));
            await().atMost(Duration.ofSeconds(15)).until(() -> amphora.health("m") == MemberHealth.UP);

            ip("-n", NAMESPACE, "link", "set", MEMBER_SIDE, "down");
            await().atMost(Duration.ofSeconds(15)).until(() -> amphora.health("m") == MemberHealth.DOWN);
            assertTransition(amphora.checks("m"), MemberHealth.UP, MemberHealth.DOWN, false, 3);

            ip("-n", NAMESPACE, "link", "set", MEMBER_SIDE, "up");
            await().atMost(Duration.ofSeconds(15)).until(() -> amphora.health("m") == MemberHealth.UP);
            assertTransition(amphora.checks("m"), MemberHealth.DOWN, MemberHealth.UP, true, 2);
        }
    }

    private static void ip(String... arguments) throws Exception {
        List<String> command = new ArrayList<>(List.of("ip"));
        command.addAll(List.of(arguments));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes());
        assertThat(process.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(String.join(" ", command) + ": " + output).isZero();
    }

    private static void runQuietly(String... command) throws InterruptedException {
        try {
            new ProcessBuilder(command).redirectErrorStream(true).start().waitFor(10, TimeUnit.SECONDS);
        } catch (IOException e) {
            // nothing to clean up
        }
    }
}
