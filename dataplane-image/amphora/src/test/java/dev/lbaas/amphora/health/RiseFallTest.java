package dev.lbaas.amphora.health;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lbaas.amphora.config.MemberHealth;
import org.junit.jupiter.api.Test;

class RiseFallTest {

    @Test
    void firstResultDecidesDirectly() {
        assertThat(new RiseFall(3, 3).record(true)).isEqualTo(MemberHealth.UP);
        assertThat(new RiseFall(3, 3).record(false)).isEqualTo(MemberHealth.DOWN);
        assertThat(new RiseFall(3, 3).health()).isEqualTo(MemberHealth.CHECKING);
    }

    @Test
    void upNeedsMaxRetriesDownConsecutiveFailuresToFall() {
        RiseFall state = new RiseFall(2, 3);
        state.record(true);
        assertThat(state.record(false)).isEqualTo(MemberHealth.UP);
        assertThat(state.record(false)).isEqualTo(MemberHealth.UP);
        assertThat(state.record(true)).isEqualTo(MemberHealth.UP);
        assertThat(state.record(false)).isEqualTo(MemberHealth.UP);
        assertThat(state.record(false)).isEqualTo(MemberHealth.UP);
        assertThat(state.record(false)).isEqualTo(MemberHealth.DOWN);
    }

    @Test
    void downNeedsMaxRetriesConsecutiveSuccessesToRise() {
        RiseFall state = new RiseFall(2, 3);
        state.record(false);
        assertThat(state.record(true)).isEqualTo(MemberHealth.DOWN);
        assertThat(state.record(false)).isEqualTo(MemberHealth.DOWN);
        assertThat(state.record(true)).isEqualTo(MemberHealth.DOWN);
        assertThat(state.record(true)).isEqualTo(MemberHealth.UP);
    }

    @Test
    void aFailedConnectionTakesTheMemberDownAtOnceAndOnlyRiseSuccessesBringItBack() {
        RiseFall state = new RiseFall(2, 3);
        state.record(true);
        assertThat(state.record(false)).isEqualTo(MemberHealth.UP);
        assertThat(state.markDown()).isEqualTo(MemberHealth.DOWN);
        assertThat(state.health()).isEqualTo(MemberHealth.DOWN);
        // the streak of failures before it does not count toward anything
        assertThat(state.record(true)).isEqualTo(MemberHealth.DOWN);
        assertThat(state.markDown()).isEqualTo(MemberHealth.DOWN);
        assertThat(state.record(true)).as("a second markDown restarts the count").isEqualTo(MemberHealth.DOWN);
        assertThat(state.record(true)).isEqualTo(MemberHealth.UP);
        // and a member never checked yet goes down on a failed connection too
        assertThat(new RiseFall(1, 1).markDown()).isEqualTo(MemberHealth.DOWN);
    }
}
