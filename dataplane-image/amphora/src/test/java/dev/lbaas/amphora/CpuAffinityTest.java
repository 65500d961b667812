package dev.lbaas.amphora;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import dev.lbaas.amphora.CpuAffinity.Mode;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.EventExecutor;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.concurrent.TimeUnit;
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
    void pinnedEventLoopsRunOnACpuEachAsTheKernelReports() throws Exception {
        List<Integer> allowed = CpuAffinity.allowedCpus();
        assumeFalse(allowed.isEmpty(), "the allowed CPUs are read from Linux's /proc");
        int loops = allowed.size();
        EventLoopGroup group = Transport.CURRENT.newEventLoopGroup(loops, CpuAffinity.eventLoopThreads(Mode.AUTO, loops));
        try {
            List<List<Integer>> seen = new ArrayList<>();
            for (EventExecutor loop : group) {
                seen.add(((EventLoop) loop).submit(CpuAffinity::allowedCpus).get(10, TimeUnit.SECONDS));
            }
            assertThat(seen).allSatisfy(cpus -> assertThat(cpus).hasSize(1));
            assertThat(new HashSet<>(seen.stream().map(cpus -> cpus.get(0)).toList()))
                    .as("one CPU per loop").containsExactlyInAnyOrderElementsOf(allowed);
            assertThat(CpuAffinity.allowedCpus()).as("only the loops are pinned").isEqualTo(allowed);
        } finally {
            group.shutdownGracefully(0, 0, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    @Test
    void autoLeavesMoreLoopsThanCpusToTheKernel() throws Exception {
        List<Integer> allowed = CpuAffinity.allowedCpus();
        assumeFalse(allowed.isEmpty(), "the allowed CPUs are read from Linux's /proc");
        EventLoopGroup group = Transport.CURRENT.newEventLoopGroup(1,
                CpuAffinity.eventLoopThreads(Mode.AUTO, allowed.size() + 1));
        try {
            EventLoop loop = group.next();
            assertThat(loop.submit(CpuAffinity::allowedCpus).get(10, TimeUnit.SECONDS)).isEqualTo(allowed);
            assertThat(loop.submit(() -> Thread.currentThread().getName()).get(10, TimeUnit.SECONDS))
                    .startsWith("amphora-loop-");
        } finally {
            group.shutdownGracefully(0, 0, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }
}
