package dev.lbaas.operator.driver;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lbaas.amphora.config.AmphoraConfig;
import dev.lbaas.amphora.config.FailoverConfig;
import dev.lbaas.api.v1alpha1.AmphoraInfo;
import dev.lbaas.api.v1alpha1.FailoverTimers;
import java.net.URI;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;

class PairPlanTest {

    private static final byte[] KEY = new byte[32];

    static {
        Arrays.fill(KEY, (byte) 7);
    }

    private static AmphoraEndpoint endpoint(String id, AmphoraInfo.Role role, AmphoraEndpoint.Adverts adverts) {
        return new AmphoraEndpoint(id, role, "pid 1", URI.create("https://127.0.0.1:1"), adverts);
    }

    @Test
    void eachAmphoraIsToldWhereItsPeerListensAndTheFirstCreatedIsPreferred() {
        List<AmphoraEndpoint> pair = List.of(
                endpoint("a", AmphoraInfo.Role.MASTER, new AmphoraEndpoint.Adverts("10.0.0.1", 7001)),
                endpoint("b", AmphoraInfo.Role.BACKUP, new AmphoraEndpoint.Adverts("10.0.0.2", 7002)));

        PairPlan plan = PairPlan.of(pair, null, KEY);

        String key = Base64.getEncoder().encodeToString(KEY);
        assertThat(plan.paired()).isTrue();
        assertThat(plan.failovers()).containsExactly(
                new FailoverConfig("10.0.0.2", 7002, 7001, 100, FailoverTimers.DEFAULT_ADVERT_INTERVAL_MILLIS, false,
                        key),
                new FailoverConfig("10.0.0.1", 7001, 7002, 90, FailoverTimers.DEFAULT_ADVERT_INTERVAL_MILLIS, false,
                        key));
        AmphoraConfig desired = new AmphoraConfig(3, "lb", "127.0.0.9", true, List.of(), List.of());
        assertThat(plan.configFor(1, desired)).isEqualTo(desired.withFailover(plan.failovers().get(1)));
        assertThat(plan.toString()).doesNotContain(key);
    }

    @Test
    void theClassesTimersApplyToBoth() {
        FailoverTimers timers = new FailoverTimers();
        timers.setAdvertIntervalMillis(250);
        timers.setPreempt(true);
        PairPlan plan = PairPlan.of(List.of(
                endpoint("a", AmphoraInfo.Role.MASTER, new AmphoraEndpoint.Adverts("127.0.0.1", 7001)),
                endpoint("b", AmphoraInfo.Role.BACKUP, new AmphoraEndpoint.Adverts("127.0.0.1", 7002))), timers, KEY);
        assertThat(plan.failovers()).allSatisfy(failover -> {
            assertThat(failover.advertIntervalMillis()).isEqualTo(250);
            assertThat(failover.preempt()).isTrue();
        });
    }

    @Test
    void noPlanUntilBothAmphoraeHaveAnAddressAndNoneForASingleAmphora() {
        AmphoraEndpoint known = endpoint("a", AmphoraInfo.Role.MASTER, new AmphoraEndpoint.Adverts("10.0.0.1", 7001));
        assertThat(PairPlan.of(List.of(known), null, KEY)).isEqualTo(PairPlan.NONE);
        assertThat(PairPlan.of(List.of(known, endpoint("b", AmphoraInfo.Role.BACKUP, null)), null, KEY))
                .isEqualTo(PairPlan.NONE);
        AmphoraConfig desired = new AmphoraConfig(3, "lb", "127.0.0.9", true, List.of(), List.of());
        assertThat(PairPlan.NONE.configFor(0, desired)).isSameAs(desired);
        assertThat(PairPlan.NONE.paired()).isFalse();
    }
}
