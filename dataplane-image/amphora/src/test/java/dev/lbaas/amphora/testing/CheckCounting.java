package dev.lbaas.amphora.testing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lbaas.amphora.config.MemberHealth;
import dev.lbaas.amphora.health.CheckRecord;
import java.util.List;

/** Assertions on the amphora's record of health verdicts: rise and fall counted, not timed. */
public final class CheckCounting {

    private CheckCounting() {
    }

    /**
     * The last change from {@code from} to {@code to} in the record came with the {@code count}-th
     * check in a row that {@code passed} (or failed): the ones before it in that row left the health
     * unchanged, and the verdict before the row was of the other kind.
     */
    public static void assertTransition(List<CheckRecord> checks, MemberHealth from, MemberHealth to, boolean passed,
            int count) {
        int change = -1;
        for (int i = 1; i < checks.size(); i++) {
            if (checks.get(i).healthAfter() == to && checks.get(i - 1).healthAfter() == from) {
                change = i;
            }
        }
        String what = from + " -> " + to + " in " + checks;
        assertThat(change).as(what).isGreaterThanOrEqualTo(count);
        for (int i = change - count + 1; i <= change; i++) {
            assertThat(checks.get(i).passed()).as(what + " at " + i).isEqualTo(passed);
            assertThat(checks.get(i).passive()).as(what + " at " + i).isFalse();
            if (i < change) {
                assertThat(checks.get(i).healthAfter()).as(what + " at " + i).isEqualTo(from);
            }
        }
        CheckRecord before = checks.get(change - count);
        assertThat(before.passed() != passed || before.passive()).as(what + ": the row starts after " + before)
                .isTrue();
    }
}
