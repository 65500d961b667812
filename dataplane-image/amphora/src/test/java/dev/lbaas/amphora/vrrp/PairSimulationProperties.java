package dev.lbaas.amphora.vrrp;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/**
 * The pair's protocol in a simulated network, a millisecond at a time: adverts take a random
 * delay, and pauses (SIGSTOP, with datagrams queued until SIGCONT), partitions, restarts and failed
 * self-checks strike either amphora at random. Whatever happened, once it is over the pair
 * settles on exactly one master within a bounded time and keeps it; and an amphora that resumes
 * after a pause never takes the VIP back from the master elected meanwhile.
 */
class PairSimulationProperties {

    private static final int INTERVAL_MS = 100;

    enum Kind { PAUSE, PARTITION, RESTART, FAULT }

    record Disturbance(Kind kind, int node, int startMs, int durationMs) {
        int endMs() {
            return startMs + durationMs;
        }
    }

    @Property(tries = 200)
    void afterAnyDisturbancesExactlyOneMasterRemains(@ForAll("disturbances") List<Disturbance> disturbances,
            @ForAll @IntRange(min = 0, max = 40) int maxDelayMs, @ForAll long seed,
            @ForAll @IntRange(min = 50, max = 200) int priorityA, @ForAll @IntRange(min = 50, max = 200) int priorityB) {
        Simulation sim = new Simulation(new int[] {priorityA, priorityB}, maxDelayMs, seed);
        int calm = disturbances.stream().mapToInt(Disturbance::endMs).max().orElse(0);
        sim.run(disturbances, calm);
        // Settled within one master-down interval (at most 3 intervals and the skew), one advert
        // interval for a stale master to hear the other, and the network's delay, twice over.
        int settle = 2 * (4 * INTERVAL_MS + INTERVAL_MS + maxDelayMs) + 10;
        sim.runUntil(calm + settle);
        assertThat(sim.masters()).as("masters once the pair has settled, %s", sim.log).hasSize(1);
        String master = sim.masters().get(0);
        for (int t = calm + settle; t < calm + settle + 3_000; t++) {
            sim.runUntil(t);
            assertThat(sim.masters()).as("at %d ms, %s", t, sim.log).containsExactly(master);
        }
    }

    @Property(tries = 200)
    void aResumedMasterStepsDownAndNeverTakesTheVipBack(@ForAll @IntRange(min = 500, max = 5_000) int pauseMs,
            @ForAll @IntRange(min = 0, max = 40) int maxDelayMs, @ForAll long seed,
            @ForAll @IntRange(min = 1, max = 254) int priorityA, @ForAll @IntRange(min = 1, max = 254) int priorityB) {
        Simulation sim = new Simulation(new int[] {priorityA, priorityB}, maxDelayMs, seed);
        sim.runUntil(2_000);
        assertThat(sim.masters()).hasSize(1);
        int old = sim.masterIndex();
        sim.paused[old] = true;
        int resumed = 2_000 + pauseMs;
        sim.runUntil(resumed);
        String successor = sim.ids[1 - old];
        assertThat(sim.masters()).as("while %s was paused", sim.ids[old]).containsExactly(successor);
        sim.paused[old] = false;
        // Exactly one master within one advert interval (plus the network's delay) of the resume,
        // and it is the successor, for good.
        for (int t = resumed; t < resumed + 3_000; t++) {
            sim.runUntil(t);
            assertThat(sim.masters()).as("at %d ms after the resume, %s", t - resumed, sim.log).contains(successor);
            if (t >= resumed + INTERVAL_MS + 2 * maxDelayMs + 2) {
                assertThat(sim.masters()).as("at %d ms after the resume, %s", t - resumed, sim.log)
                        .containsExactly(successor);
            }
        }
    }

    @Provide
    Arbitrary<List<Disturbance>> disturbances() {
        Arbitrary<Disturbance> one = Combinators.combine(Arbitraries.of(Kind.class), Arbitraries.integers().between(0, 1),
                Arbitraries.integers().between(0, 8_000), Arbitraries.integers().between(1, 3_000))
                .as(Disturbance::new);
        return one.list().ofMaxSize(6);
    }

    /** Two amphorae and the network between them, stepped a millisecond at a time. */
    static final class Simulation {

        private static final long MS = 1_000_000L;

        final String[] ids = {"amphora-a", "amphora-b"};
        final List<String> log = new ArrayList<>();
        private final int[] priorities;
        private final VrrpStateMachine[] machines = new VrrpStateMachine[2];
        final boolean[] paused = new boolean[2];
        private final boolean[] faulty = new boolean[2];
        private final List<List<Advert>> queued = List.of(new ArrayList<>(), new ArrayList<>());
        private final List<InFlight> inFlight = new ArrayList<>();
        private final int maxDelayMs;
        private final Random random;
        private long sequence = 1;
        private int partitions;
        private int now;

        private record InFlight(int deliverAt, int to, Advert advert) {
        }

        Simulation(int[] priorities, int maxDelayMs, long seed) {
            this.priorities = priorities;
            this.maxDelayMs = maxDelayMs;
            this.random = new Random(seed);
            for (int i = 0; i < 2; i++) {
                restart(i);
            }
        }

        void run(List<Disturbance> disturbances, int until) {
            List<Disturbance> sorted = new ArrayList<>(disturbances);
            sorted.sort(Comparator.comparingInt(Disturbance::startMs));
            while (now < until) {
                for (Disturbance d : sorted) {
                    if (d.startMs() == now) {
                        begin(d);
                    }
                    if (d.endMs() == now) {
                        end(d);
                    }
                }
                step();
            }
            for (Disturbance d : sorted) {
                if (d.endMs() == now) {
                    end(d);
                }
            }
        }

        void runUntil(int until) {
            while (now < until) {
                step();
            }
        }

        List<String> masters() {
            List<String> masters = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                if (!paused[i] && machines[i].state() == VrrpState.MASTER) {
                    masters.add(ids[i]);
                }
            }
            return masters;
        }

        int masterIndex() {
            return machines[0].state() == VrrpState.MASTER ? 0 : 1;
        }

        private void begin(Disturbance d) {
            log.add(now + " begin " + d);
            switch (d.kind()) {
                case PAUSE -> paused[d.node()] = true;
                case PARTITION -> partitions++;
                case RESTART -> restart(d.node());
                case FAULT -> {
                    faulty[d.node()] = true;
                    if (!paused[d.node()]) {
                        machines[d.node()].selfCheck(false, now * MS).ifPresent(a -> send(d.node(), a));
                    }
                }
            }
        }

        private void end(Disturbance d) {
            log.add(now + " end " + d.kind() + " " + d.node());
            switch (d.kind()) {
                case PAUSE -> paused[d.node()] = false;
                case PARTITION -> partitions--;
                case RESTART -> { }
                case FAULT -> faulty[d.node()] = false;
            }
        }

        private void restart(int node) {
            machines[node] = new VrrpStateMachine(ids[node], new VrrpTimers(priorities[node], INTERVAL_MS), false, 0,
                    sequence += 1_000_000);
            machines[node].start(now * MS);
            queued.get(node).clear();
        }

        private void step() {
            long t = now * MS;
            for (InFlight message : new ArrayList<>(inFlight)) {
                if (message.deliverAt() <= now) {
                    inFlight.remove(message);
                    queued.get(message.to()).add(message.advert());
                }
            }
            for (int i = 0; i < 2; i++) {
                if (paused[i]) {
                    continue;
                }
                VrrpStateMachine machine = machines[i];
                // A resumed amphora's self-check runs again before anything else, as its event loop would.
                machine.selfCheck(!faulty[i], t).ifPresent(advert -> send(machine, advert));
                for (Advert advert : queued.get(i)) {
                    machine.receive(advert, t).ifPresent(answer -> send(machine, answer));
                }
                queued.get(i).clear();
                VrrpState before = machine.state();
                machine.tick(t).ifPresent(advert -> send(machine, advert));
                if (machine.state() != before) {
                    log.add(now + " " + ids[i] + " " + before + " -> " + machine.state() + " term " + machine.term());
                }
            }
            now++;
        }

        private void send(VrrpStateMachine from, Advert advert) {
            send(from == machines[0] ? 0 : 1, advert);
        }

        private void send(int from, Advert advert) {
            if (partitions > 0) {
                return;
            }
            int delay = maxDelayMs == 0 ? 0 : random.nextInt(maxDelayMs + 1);
            inFlight.add(new InFlight(now + delay, 1 - from, advert));
        }
    }
}
