package dev.lbaas.amphora.vrrp;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class MasterClaimTest {

    @Test
    void aClaimReadsBackAsItWasWritten() {
        MasterClaim claim = new MasterClaim(42, 100, "amphora-7f3a");

        assertThat(claim.text()).isEqualTo("amphora-7f3a term=42 priority=100");
        assertThat(MasterClaim.parse(claim.text())).isEqualTo(claim);
        assertThat(MasterClaim.parse("  " + claim.text() + "\n")).isEqualTo(claim);
    }

    @Test
    void textThatIsNotAClaimIsNone() {
        assertThat(MasterClaim.parse(null)).isNull();
        assertThat(MasterClaim.parse("")).isNull();
        assertThat(MasterClaim.parse("edited by hand")).isNull();
        assertThat(MasterClaim.parse("a term=-1 priority=100")).isNull();
        assertThat(MasterClaim.parse("a term=1 priority=300")).isNull();
        assertThat(MasterClaim.parse("a term=99999999999999999999 priority=1")).isNull();
    }

    @Test
    void theNewerTermOutranksThenThePriorityThenTheGreaterIdButNeverTheSameAmphora() {
        MasterClaim mine = new MasterClaim(5, 100, "b");

        assertThat(new MasterClaim(6, 1, "a").outranks(mine)).isTrue();
        assertThat(mine.outranks(new MasterClaim(6, 1, "a"))).isFalse();
        assertThat(new MasterClaim(5, 101, "a").outranks(mine)).isTrue();
        assertThat(new MasterClaim(5, 100, "c").outranks(mine)).isTrue();
        assertThat(new MasterClaim(5, 100, "a").outranks(mine)).isFalse();
        assertThat(new MasterClaim(5, 200, "b").outranks(mine)).as("the same amphora").isFalse();
        assertThat(mine.outranks(mine)).isFalse();
    }
}
