package dev.lbaas.amphora.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.DefaultEventLoopGroup;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class EventLoopProbeTest {

    @Test
    void aLoopThatLeavesAProbeWaitingPastTheBoundFailsTheCheckUntilItRunsAgain() throws Exception {
        DefaultEventLoopGroup group = new DefaultEventLoopGroup(2);
        AtomicLong now = new AtomicLong();
        EventLoopProbe probe = new EventLoopProbe(group, 1_000, now::get);
        AtomicBoolean stuck = new AtomicBoolean(true);
        try {
            assertThat(probe.everyLoopAnswers()).isTrue();
            Thread.sleep(100);
            // One loop gets stuck in a task (spinning: an event loop must not block or park, even in a test).
            AtomicLong spins = new AtomicLong();
            group.next().execute(() -> {
                while (stuck.get()) {
                    spins.incrementAndGet();
                }
            });
            now.addAndGet(TimeUnit.MILLISECONDS.toNanos(500));
            assertThat(probe.everyLoopAnswers()).as("probes given now").isTrue();
            now.addAndGet(TimeUnit.MILLISECONDS.toNanos(900));
            assertThat(probe.everyLoopAnswers()).as("waiting 900 ms: within the bound").isTrue();
            now.addAndGet(TimeUnit.MILLISECONDS.toNanos(200));
            assertThat(probe.everyLoopAnswers()).as("waiting 1.1 s").isFalse();

            stuck.set(false);
            Thread.sleep(200);
            now.addAndGet(TimeUnit.MILLISECONDS.toNanos(100));
            assertThat(probe.everyLoopAnswers()).as("running again").isTrue();
        } finally {
            stuck.set(false);
            group.shutdownGracefully(0, 0, TimeUnit.SECONDS).await();
        }
    }
}
