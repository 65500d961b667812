package dev.lbaas.amphora.vrrp;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class VrrpStateMachineTest {

    private static final long MS = 1_000_000L;
    /** Priority 100, adverts every 100 ms: skew (156 * 100 / 256) ms, master down 300 ms plus that. */
    private static final VrrpTimers TIMERS = new VrrpTimers(100, 100);
    private static final long SKEW = 156 * 100 * MS / 256;
    private static final long MASTER_DOWN = 300 * MS + SKEW;

    private final VrrpStateMachine a = new VrrpStateMachine("a", TIMERS, false, 0, 1000);

    @Test
    void timersFollowRfc5798() {
        assertThat(TIMERS.skewNanos(100)).isEqualTo(SKEW);
        assertThat(TIMERS.masterDownNanos(100)).isEqualTo(MASTER_DOWN);
        assertThat(new VrrpTimers(254, 1000).skewNanos(1000)).isEqualTo(2 * 1000 * MS / 256);
        // the master's interval, not the backup's own, sets how long a silence means it is down
        assertThat(TIMERS.masterDownNanos(1000)).isEqualTo(3000 * MS + 156 * 1000 * MS / 256);
    }

    @Test
    void aBackupThatHearsNoMasterTakesOverAfterTheMasterDownIntervalInANewTerm() {
        a.start(0);
        assertThat(a.state()).isEqualTo(VrrpState.BACKUP);
        assertThat(a.nextDeadline()).isEqualTo(MASTER_DOWN);
        assertThat(a.tick(MASTER_DOWN - 1)).isEmpty();
        assertThat(a.state()).isEqualTo(VrrpState.BACKUP);

        Optional<Advert> advert = a.tick(MASTER_DOWN);
        assertThat(a.state()).isEqualTo(VrrpState.MASTER);
        assertThat(advert).contains(new Advert("a", 1, 100, 100, 1001));
        assertThat(a.master()).contains("a");
        assertThat(a.nextDeadline()).isEqualTo(MASTER_DOWN + 100 * MS);
        assertThat(a.tick(MASTER_DOWN + 99 * MS)).isEmpty();
        assertThat(a.tick(MASTER_DOWN + 100 * MS)).contains(new Advert("a", 1, 100, 100, 1002));
    }

    @Test
    void aMastersAdvertsKeepTheBackupWaitingAndItFollowsTheMastersInterval() {
        a.start(0);
        assertThat(a.receive(new Advert("b", 4, 100, 200, 7), 250 * MS)).isEmpty();
        assertThat(a.master()).contains("b");
        assertThat(a.term()).isEqualTo(4);
        assertThat(a.nextDeadline()).isEqualTo(250 * MS + TIMERS.masterDownNanos(200));
        assertThat(a.tick(250 * MS + TIMERS.masterDownNanos(200) - 1)).isEmpty();
        assertThat(a.tick(250 * MS + TIMERS.masterDownNanos(200))).hasValueSatisfying(advert ->
                assertThat(advert.term()).as("the term after the one it followed").isEqualTo(5));
    }

    @Test
    void aResigningMasterIsSucceededAfterTheSkewTimeOnly() {
        a.start(0);
        a.receive(new Advert("b", 2, 100, 100, 7), 10 * MS);
        a.receive(new Advert("b", 2, 0, 100, 8), 20 * MS);
        assertThat(a.nextDeadline()).isEqualTo(20 * MS + SKEW);
        assertThat(a.tick(20 * MS + SKEW)).hasValueSatisfying(advert -> assertThat(advert.term()).isEqualTo(3));
        assertThat(a.state()).isEqualTo(VrrpState.MASTER);
    }

    @Test
    void withoutPreemptionABackupOfHigherPriorityDoesNotTakeOver() {
        VrrpStateMachine strong = new VrrpStateMachine("strong", new VrrpTimers(200, 100), false, 0, 1);
        strong.start(0);
        for (long t = 0; t < 5_000 * MS; t += 100 * MS) {
            strong.receive(new Advert("weak", 3, 50, 100, t + 1), t);
            assertThat(strong.tick(t)).isEmpty();
        }
        assertThat(strong.state()).isEqualTo(VrrpState.BACKUP);

        VrrpStateMachine preempting = new VrrpStateMachine("strong", new VrrpTimers(200, 100), true, 0, 1);
        preempting.start(0);
        preempting.receive(new Advert("weak", 3, 50, 100, 1), 0);
        preempting.receive(new Advert("weak", 3, 50, 100, 2), 100 * MS);
        assertThat(preempting.tick(preempting.nextDeadline())).isPresent();
        assertThat(preempting.state()).isEqualTo(VrrpState.MASTER);
        assertThat(preempting.term()).isEqualTo(4);
    }

    @Test
    void aPreemptingBackupStillFollowsAResignationAndAMasterOfEqualPriority() {
        VrrpStateMachine preempting = new VrrpStateMachine("strong", new VrrpTimers(200, 100), true, 0, 1);
        preempting.start(0);
        preempting.receive(new Advert("weak", 3, 50, 100, 1), 0);
        preempting.receive(new Advert("weak", 3, 0, 100, 2), 10 * MS);
        assertThat(preempting.nextDeadline()).as("the skew after a resignation")
                .isEqualTo(10 * MS + new VrrpTimers(200, 100).skewNanos(100));

        VrrpStateMachine equal = new VrrpStateMachine("b", TIMERS, true, 0, 1);
        equal.start(0);
        equal.receive(new Advert("a", 3, 100, 100, 1), 50 * MS);
        assertThat(equal.nextDeadline()).as("an equal priority holds a preempting backup off")
                .isEqualTo(50 * MS + MASTER_DOWN);
        assertThat(equal.master()).contains("a");
    }

    @Test
    void aResignedMasterWaitsAWholeMasterDownIntervalBeforeItWouldTakeOverAgain() {
        becomeMaster(a);
        a.resign(1_000 * MS);
        assertThat(a.nextDeadline()).isEqualTo(1_000 * MS + MASTER_DOWN);
    }

    @Test
    void aMasterOfAnOlderTermStepsDownAtTheNewerMastersFirstAdvert() {
        becomeMaster(a);
        // a was paused (SIGSTOP) while b took over in term 2; a resumes still believing it is master
        Optional<Advert> answer = a.receive(new Advert("b", 2, 50, 100, 9), 10_000 * MS);
        assertThat(answer).isEmpty();
        assertThat(a.state()).isEqualTo(VrrpState.BACKUP);
        assertThat(a.master()).contains("b");
        assertThat(a.term()).isEqualTo(2);
    }

    @Test
    void theNewerMasterAnswersAStaleMasterAtOnceAndKeepsTheVip() {
        becomeMaster(a);
        becomeMaster(a); // no-op: already master
        a.receive(new Advert("b", 5, 100, 100, 1), 0); // follows b in term 5
        a.tick(a.nextDeadline()); // b went silent: a masters term 6
        assertThat(a.term()).isEqualTo(6);
        // b resumes with its old term and a higher priority: a answers, and stays master
        Optional<Advert> answer = a.receive(new Advert("b", 5, 200, 100, 2), a.nextDeadline() - 50 * MS);
        assertThat(answer).hasValueSatisfying(advert -> assertThat(advert.term()).isEqualTo(6));
        assertThat(a.state()).isEqualTo(VrrpState.MASTER);
    }

    @Test
    void twoMastersOfTheSameTermAreSettledByPriorityThenById() {
        VrrpStateMachine low = master("m", 50);
        low.receive(new Advert("z", low.term(), 60, 100, 1), 0);
        assertThat(low.state()).as("lower priority steps down").isEqualTo(VrrpState.BACKUP);

        VrrpStateMachine high = master("m", 60);
        assertThat(high.receive(new Advert("z", high.term(), 50, 100, 1), 0)).isPresent();
        assertThat(high.state()).as("higher priority stays").isEqualTo(VrrpState.MASTER);

        VrrpStateMachine smallerId = master("m", 50);
        smallerId.receive(new Advert("z", smallerId.term(), 50, 100, 1), 0);
        assertThat(smallerId.state()).as("equal priority: the greater id stays").isEqualTo(VrrpState.BACKUP);

        VrrpStateMachine greaterId = master("z", 50);
        assertThat(greaterId.receive(new Advert("m", greaterId.term(), 50, 100, 1), 0)).isPresent();
        assertThat(greaterId.state()).isEqualTo(VrrpState.MASTER);
    }

    @Test
    void aBackupIgnoresAMasterOfAnOlderTerm() {
        a.start(0);
        a.receive(new Advert("b", 7, 100, 100, 1), 0);
        long deadline = a.nextDeadline();
        a.receive(new Advert("c", 6, 100, 100, 1), 200 * MS);
        assertThat(a.nextDeadline()).as("the stale master does not hold the backup off").isEqualTo(deadline);
        assertThat(a.master()).contains("b");
    }

    @Test
    void aSickMasterResignsAndNeitherHoldsNorTakesTheVipUntilItIsWellAgain() {
        becomeMaster(a);
        long term = a.term();
        assertThat(a.selfCheck(false, 0)).contains(new Advert("a", term, 0, 100, 1002));
        assertThat(a.state()).isEqualTo(VrrpState.FAULT);
        assertThat(a.nextDeadline()).isEqualTo(Long.MAX_VALUE);
        assertThat(a.tick(10_000 * MS)).isEmpty();
        a.receive(new Advert("b", term + 1, 100, 100, 5), 10_000 * MS);
        assertThat(a.state()).isEqualTo(VrrpState.FAULT);
        assertThat(a.master()).contains("b");

        assertThat(a.selfCheck(true, 11_000 * MS)).isEmpty();
        assertThat(a.state()).isEqualTo(VrrpState.BACKUP);
        assertThat(a.nextDeadline()).isEqualTo(11_000 * MS + MASTER_DOWN);
        assertThat(a.term()).isEqualTo(term + 1);
    }

    @Test
    void aPlannedResignationLeavesABackupThatDoesNotTakeTheVipBackWhileTheOtherAdvertises() {
        becomeMaster(a);
        assertThat(a.resign(0)).hasValueSatisfying(advert -> assertThat(advert.resigns()).isTrue());
        assertThat(a.state()).isEqualTo(VrrpState.BACKUP);
        assertThat(a.resign(0)).as("only a master resigns").isEmpty();
        a.receive(new Advert("b", a.term() + 1, 100, 100, 9), SKEW);
        assertThat(a.tick(SKEW + 200 * MS)).isEmpty();
        assertThat(a.state()).isEqualTo(VrrpState.BACKUP);
    }

    @Test
    void itsOwnAdvertsLoopedBackAreIgnored() {
        a.start(0);
        long deadline = a.nextDeadline();
        a.receive(new Advert("a", 9, 100, 100, 5000), 100 * MS);
        assertThat(a.nextDeadline()).isEqualTo(deadline);
        assertThat(a.term()).isZero();
    }

    private static VrrpStateMachine master(String id, int priority) {
        VrrpStateMachine machine = new VrrpStateMachine(id, new VrrpTimers(priority, 100), false, 0, 1);
        becomeMaster(machine);
        return machine;
    }

    private static void becomeMaster(VrrpStateMachine machine) {
        if (machine.state() == VrrpState.MASTER) {
            return;
        }
        machine.start(0);
        machine.tick(machine.nextDeadline());
        assertThat(machine.state()).isEqualTo(VrrpState.MASTER);
    }

    /** Makes {@code a} master of term 1 at MASTER_DOWN. */
    private void masterOfTermOne() {
        a.start(0);
        a.tick(MASTER_DOWN);
        assertThat(a.state()).isEqualTo(VrrpState.MASTER);
        assertThat(a.term()).isEqualTo(1);
    }

    @Test
    void aBackupLearnsTheTermOfTheClaimTheNetworkShowsSoThatItsTakeoverOutranksIt() {
        a.start(0);
        assertThat(a.claimSeen(new MasterClaim(6, 100, "gone"), 10 * MS)).isEmpty();
        assertThat(a.state()).isEqualTo(VrrpState.BACKUP);

        assertThat(a.tick(MASTER_DOWN)).hasValueSatisfying(advert -> assertThat(advert.term()).isEqualTo(7));
        assertThat(a.claim()).isEqualTo(new MasterClaim(7, 100, "a"));
        assertThat(a.claim().outranks(new MasterClaim(6, 100, "gone"))).isTrue();
    }

    @Test
    void aMasterFencedByANewerClaimStepsDownAtItsMastersAdvert() {
        masterOfTermOne();
        long seen = MASTER_DOWN + 10 * MS;
        // paused, say, while b took over: the slice names b under term 2
        assertThat(a.claimSeen(new MasterClaim(2, 100, "b"), seen)).isEmpty();
        assertThat(a.fencedBy()).isEqualTo(new MasterClaim(2, 100, "b"));
        assertThat(a.state()).as("the adverts decide, not the claim").isEqualTo(VrrpState.MASTER);

        a.receive(new Advert("b", 2, 100, 100, 5), seen + 5 * MS);

        assertThat(a.state()).isEqualTo(VrrpState.BACKUP);
        assertThat(a.master()).contains("b");
        assertThat(a.fencedBy()).isNull();
    }

    @Test
    void aMasterFencedByAClaimWhoseMasterStaysSilentStandsOverItAfterAMasterDownInterval() {
        masterOfTermOne();
        long seen = MASTER_DOWN + 10 * MS;
        a.claimSeen(new MasterClaim(5, 200, "b"), seen);
        assertThat(a.nextDeadline()).as("the next advert comes first").isEqualTo(MASTER_DOWN + 100 * MS);
        // adverts go on as usual while fenced
        for (long t = MASTER_DOWN + 100 * MS; t < seen + MASTER_DOWN; t += 100 * MS) {
            assertThat(a.tick(t)).hasValueSatisfying(advert -> assertThat(advert.term()).isEqualTo(1));
            // read again at every refresh: the same claim
            a.claimSeen(new MasterClaim(5, 200, "b"), t);
        }
        assertThat(a.nextDeadline()).isEqualTo(seen + MASTER_DOWN);

        assertThat(a.tick(seen + MASTER_DOWN)).hasValueSatisfying(advert ->
                assertThat(advert.term()).as("newer than the claim's").isEqualTo(6));
        assertThat(a.state()).isEqualTo(VrrpState.MASTER);
        assertThat(a.fencedBy()).isNull();
        assertThat(a.claim().outranks(new MasterClaim(5, 200, "b"))).isTrue();
    }

    @Test
    void aClaimThatDoesNotOutrankTheMastersFencesNothingAndItsOwnClaimLiftsAFence() {
        masterOfTermOne();
        a.claimSeen(new MasterClaim(0, 200, "b"), MASTER_DOWN);
        assertThat(a.fencedBy()).isNull();
        a.claimSeen(new MasterClaim(1, 50, "b"), MASTER_DOWN);
        assertThat(a.fencedBy()).as("equal term, lower priority").isNull();
        a.claimSeen(new MasterClaim(1, 100, "b"), MASTER_DOWN);
        assertThat(a.fencedBy()).as("equal term and priority: the greater id").isNotNull();

        a.claimSeen(new MasterClaim(1, 100, "a"), MASTER_DOWN + MS);

        assertThat(a.fencedBy()).as("its own write read back").isNull();
        assertThat(a.tick(MASTER_DOWN + MASTER_DOWN + MS)).as("no new term").hasValueSatisfying(advert ->
                assertThat(advert.term()).isEqualTo(1));
        assertThat(a.term()).isEqualTo(1);
    }

    @Test
    void aMasterThatFindsANewerClaimOfItsOwnEarlierLifeTakesATermAboveItAtOnce() {
        masterOfTermOne();

        Optional<Advert> advert = a.claimSeen(new MasterClaim(9, 100, "a"), MASTER_DOWN + MS);

        assertThat(advert).hasValueSatisfying(sent -> assertThat(sent.term()).isEqualTo(10));
        assertThat(a.state()).isEqualTo(VrrpState.MASTER);
    }

    @Test
    void aNewerClaimFromTheSameRivalShowsItAliveAndTheFenceCountsAgainFromIt() {
        masterOfTermOne();
        long first = MASTER_DOWN + 10 * MS;
        a.claimSeen(new MasterClaim(5, 100, "b"), first);
        a.claimSeen(new MasterClaim(5, 100, "b"), first + 100 * MS);
        assertThat(a.nextDeadline()).isLessThanOrEqualTo(first + MASTER_DOWN);

        long rewritten = first + 200 * MS;
        a.claimSeen(new MasterClaim(6, 100, "b"), rewritten);

        for (long t = MASTER_DOWN + 100 * MS; t < rewritten + MASTER_DOWN; t += 50 * MS) {
            a.tick(t);
        }
        assertThat(a.term()).as("still fenced: b wrote 200 ms after the first claim").isEqualTo(1);
        a.tick(rewritten + MASTER_DOWN);
        assertThat(a.term()).isEqualTo(7);
    }
}
