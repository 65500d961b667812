package dev.lbaas.amphora;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class IdleHeapReturnTest {

    private final AtomicLong traffic = new AtomicLong();
    private final AtomicInteger collections = new AtomicInteger();
    private final IdleHeapReturn idle = new IdleHeapReturn(traffic::get, collections::incrementAndGet);

    @Test
    void theStartUpHeapGoesBackAtTheFirstQuietCheck() {
        idle.check();
        assertThat(collections).hasValue(1);
    }

    @Test
    void oneCollectionWhenTrafficStopsThenNoneWhileTheLoadBalancerStaysIdle() {
        idle.check();
        traffic.addAndGet(1_000);
        idle.check();
        traffic.addAndGet(1_000);
        idle.check();
        assertThat(collections).as("while traffic flows").hasValue(1);

        idle.check();
        assertThat(collections).as("traffic stopped").hasValue(2);
        for (int i = 0; i < 10; i++) {
            idle.check();
        }
        assertThat(collections).as("staying idle").hasValue(2);

        traffic.incrementAndGet();
        idle.check();
        idle.check();
        assertThat(collections).as("traffic came and went again").hasValue(3);
    }
}
