package dev.lbaas.amphora;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import dev.lbaas.amphora.CpuAffinity.Mode;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.EventExecutor;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class CpuAffinityTest {

    @Test
    void readsLinuxCpuLists() {
        assertThat(CpuAffinity.parseCpuList("0-3,8,10-11")).containsExactly(0, 1, 2, 3, 8, 10, 11);
        assertThat(CpuAffinity.parseCpuList("5")).containsExactly(5);
        assertThatThrownBy(() -> CpuAffinity.parseCpuList("3-1")).hasMessageContaining("3-1");
    }

    @Test
    void autoPinsOnlyWhenTheProcessHasAsManyCpusAsLoops() {
        assertThat(CpuAffinity.plan(Mode.AUTO, 2, List.of(4, 6))).containsExactly(4, 6);
        assertThat(CpuAffinity.plan(Mode.AUTO, 2, List.of(0, 1, 2, 3))).isEmpty();
        assertThat(CpuAffinity.plan(Mode.AUTO, 4, List.of(0, 1))).isEmpty();
        assertThat(CpuAffinity.plan(Mode.ON, 3, List.of(0, 1))).containsExactly(0, 1, 0);
        assertThat(CpuAffinity.plan(Mode.ON, 2, List.of(0, 1, 2, 3))).containsExactly(0, 1);
        assertThat(CpuAffinity.plan(Mode.OFF, 2, List.of(0, 1))).isEmpty();
        assertThat(CpuAffinity.plan(Mode.ON, 2, List.of())).as("CPUs unknown").isEmpty();
    }

    @Test
    void badModeNamesTheOption() {
        assertThat(Mode.parse("Auto")).isEqualTo(Mode.AUTO);
        assertThatThrownBy(() -> Mode.parse("yes")).hasMessage("--cpu-affinity must be auto, on or off, got yes");
    }

    @Test
    void pinnedEventLoopsRunOnACpuEachAsTheKernelReportsOnceTrafficFlowsAndTheCompilersSettle() throws Exception {
        List<Integer> allowed = CpuAffinity.allowedCpus();
        assumeFalse(allowed.isEmpty(), "the allowed CPUs are read from Linux's /proc");
        int loops = allowed.size();
        CpuAffinity.Plan plan = CpuAffinity.plan(Mode.AUTO, loops);
        assertThat(plan.pins()).isTrue();
        EventLoopGroup group = Transport.CURRENT.newEventLoopGroup(loops, new DefaultThreadFactory("amphora-loop"));
        AtomicLong traffic = new AtomicLong();
        try {
            plan.pinOnceWarm(group, traffic::get);
            Thread.sleep(3 * CpuAffinity.Plan.CHECK_MILLIS);
            assertThat(cpusOfLoops(group)).as("not before traffic").allSatisfy(cpus -> assertThat(cpus).isEqualTo(allowed));

            ScheduledExecutorService load = Executors.newSingleThreadScheduledExecutor();
            try {
                load.scheduleAtFixedRate(traffic::incrementAndGet, 0, 50, TimeUnit.MILLISECONDS);
                await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                        assertThat(cpusOfLoops(group)).allSatisfy(cpus -> assertThat(cpus).hasSize(1)));
            } finally {
                load.shutdownNow();
            }
            assertThat(new HashSet<>(cpusOfLoops(group).stream().map(cpus -> cpus.get(0)).toList()))
                    .as("one CPU per loop").containsExactlyInAnyOrderElementsOf(allowed);
            assertThat(CpuAffinity.allowedCpus()).as("only the loops are pinned").isEqualTo(allowed);
        } finally {
            group.shutdownGracefully(0, 0, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    @Test
    void warmOnceTrafficFlowsWhileTheCompilersStaySettledForChecksInARow() {
        long[] traffic = {0};
        long[] compiled = {0};
        CpuAffinity.WarmCheck check = new CpuAffinity.WarmCheck(() -> traffic[0], () -> compiled[0]);
        // idle, compilers settled: never warm, however long
        for (int i = 0; i < 10; i++) {
            assertThat(check.warm()).isFalse();
        }
        // traffic, and the compilers at work on it
        traffic[0] += 100;
        compiled[0] += 300;
        assertThat(check.warm()).isFalse();
        traffic[0] += 100;
        compiled[0] += 10;
        assertThat(check.warm()).as("settled once").isFalse();
        traffic[0] += 100;
        compiled[0] += 200;
        assertThat(check.warm()).as("compiling again: the count starts over").isFalse();
        traffic[0] += 100;
        compiled[0] += 10;
        assertThat(check.warm()).isFalse();
        // settled, but the traffic stopped for a check: not warm yet
        compiled[0] += 10;
        assertThat(check.warm()).isFalse();
        traffic[0] += 100;
        assertThat(check.warm()).isFalse();
        traffic[0] += 100;
        compiled[0] += 5;
        assertThat(check.warm()).as("two settled checks in a row with traffic").isTrue();
    }

    @Test
    void autoLeavesMoreLoopsThanCpusToTheKernel() {
        List<Integer> allowed = CpuAffinity.allowedCpus();
        assumeFalse(allowed.isEmpty(), "the allowed CPUs are read from Linux's /proc");
        assertThat(CpuAffinity.plan(Mode.AUTO, allowed.size() + 1).pins()).isFalse();
    }

    private static List<List<Integer>> cpusOfLoops(EventLoopGroup group) throws Exception {
        List<List<Integer>> seen = new ArrayList<>();
        for (EventExecutor loop : group) {
            seen.add(((EventLoop) loop).submit(CpuAffinity::allowedCpus).get(10, TimeUnit.SECONDS));
        }
        return seen;
    }
}
