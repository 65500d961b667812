package dev.lbaas.amphora.vrrp;

import java.util.Objects;
import java.util.Optional;

/**
 * One amphora's side of the failover protocol, without clocks or sockets: the caller feeds it the
 * time (nanoseconds from any fixed origin), the adverts that passed authentication and replay
 * checks, and the verdicts of the data plane's self-check; it answers the advert to send, if any,
 * and when it next wants {@link #tick}. Not thread-safe: one event loop owns it.
 *
 * <p>RFC 5798's rules, with no preemption by default (a backup of higher priority does not take
 * over from a running master), plus terms: a takeover raises the term, and of two masters the one
 * with the newer term stays while the other steps down at its first advert; equal terms go to the
 * higher priority, then to the greater amphora id.
 *
 * <p>Where the network keeps its own record of the master ({@link MasterClaim}, written by the
 * master), what that record says counts too: a backup learns the newest term from it, so that its
 * takeover outranks any claim there; a master that finds a claim outranking its own is fenced (it
 * must not write over it) and, unless that claim's master speaks up within a master-down interval
 * (it would make this one step down), takes a term newer than the claim's: the claim's master is
 * gone, or cut off from the pair but not from the network, and one of the two must stand.
 */
public final class VrrpStateMachine {

    private final String id;
    private final VrrpTimers timers;
    private final boolean preempt;

    private VrrpState state = VrrpState.BACKUP;
    /** The newest term known: this amphora's own while it is master. */
    private long term;
    private String master;
    /** The advert interval of the master being followed (RFC 5798's Master_Adver_Interval). */
    private int masterAdvertIntervalMillis;
    private long masterDownAt;
    private long nextAdvertAt;
    private long sequence;
    /** The claim outranking this master's that the network showed, while it stands; else null. */
    private MasterClaim fencedBy;
    private long fencedSince;

    /**
     * @param id this amphora's id, as its adverts carry it
     * @param initialTerm the newest term known at start (0 for none)
     * @param firstSequence where this amphora's advert sequence numbers start; see {@link ReplayGuard}
     */
    public VrrpStateMachine(String id, VrrpTimers timers, boolean preempt, long initialTerm, long firstSequence) {
        this.id = Objects.requireNonNull(id, "id");
        this.timers = Objects.requireNonNull(timers, "timers");
        this.preempt = preempt;
        this.term = initialTerm;
        this.sequence = firstSequence;
        this.masterAdvertIntervalMillis = timers.advertIntervalMillis();
    }

    /** Starts as BACKUP: master once no advert has come for a master-down interval. */
    public void start(long now) {
        state = VrrpState.BACKUP;
        masterDownAt = now + timers.masterDownNanos(masterAdvertIntervalMillis);
    }

    public VrrpState state() {
        return state;
    }

    public long term() {
        return term;
    }

    /** The master this amphora follows or is, when it knows one. */
    public Optional<String> master() {
        return state == VrrpState.MASTER ? Optional.of(id) : Optional.ofNullable(master);
    }

    /** When {@link #tick} next has something to do; {@link Long#MAX_VALUE} in FAULT. */
    public long nextDeadline() {
        return switch (state) {
            case MASTER -> fencedBy == null ? nextAdvertAt : Math.min(nextAdvertAt, fenceEndsAt());
            case BACKUP -> masterDownAt;
            case FAULT -> Long.MAX_VALUE;
        };
    }

    /** Time passes: a backup whose master went silent takes over; a master advertises when due. */
    public Optional<Advert> tick(long now) {
        if (state == VrrpState.BACKUP && now - masterDownAt >= 0) {
            state = VrrpState.MASTER;
            term++;
            master = id;
            return Optional.of(advertise(now));
        }
        if (state == VrrpState.MASTER && fencedBy != null && now - fenceEndsAt() >= 0) {
            // Nobody spoke for the claim that fences this master: stand over it.
            term = Math.max(term, fencedBy.term()) + 1;
            fencedBy = null;
            return Optional.of(advertise(now));
        }
        if (state == VrrpState.MASTER && now - nextAdvertAt >= 0) {
            return Optional.of(advertise(now));
        }
        return Optional.empty();
    }

    /** An authenticated, fresh advert from the peer. */
    public Optional<Advert> receive(Advert advert, long now) {
        if (advert.sender().equals(id)) {
            return Optional.empty();
        }
        switch (state) {
            case MASTER -> {
                if (!advert.resigns() && (advert.term() > term || advert.term() == term && outranks(advert))) {
                    follow(advert, now);
                    return Optional.empty();
                }
                // A stale master, or one that resigns what it does not hold: answer at once, so it
                // learns who is master without waiting for the next interval.
                return Optional.of(advertise(now));
            }
            case BACKUP -> {
                if (advert.term() < term) {
                    // A master of an older term that has not heard of the newer one yet: not
                    // the master to follow; it steps down at the current master's next advert.
                    return Optional.empty();
                }
                if (preempt && !advert.resigns() && advert.priority() < timers.priority()) {
                    // Let the master-down timer run out and take over (RFC 5798 with preemption).
                    term = advert.term();
                    return Optional.empty();
                }
                follow(advert, now);
                return Optional.empty();
            }
            case FAULT -> {
                term = Math.max(term, advert.term());
                if (!advert.resigns()) {
                    master = advert.sender();
                }
                return Optional.empty();
            }
            default -> throw new IllegalStateException(state.toString());
        }
    }

    /**
     * The data plane's self-check: a failure takes the amphora to FAULT (a master resigns, with an
     * advert for the backup to take over after its skew time); a success after FAULT makes it a
     * backup again, which takes over only if no master advertises.
     */
    public Optional<Advert> selfCheck(boolean healthy, long now) {
        if (!healthy && state != VrrpState.FAULT) {
            boolean wasMaster = state == VrrpState.MASTER;
            state = VrrpState.FAULT;
            fencedBy = null;
            if (wasMaster) {
                master = null;
                return Optional.of(resignation());
            }
        } else if (healthy && state == VrrpState.FAULT) {
            state = VrrpState.BACKUP;
            masterDownAt = now + timers.masterDownNanos(masterAdvertIntervalMillis);
        }
        return Optional.empty();
    }

    /**
     * What the network records as the master ({@link MasterClaim}). A backup (or FAULT) learns its
     * term. A master whose own earlier life wrote a newer term (it restarted) takes a term above
     * it. A master that finds another amphora's claim outranking its own is fenced from then: if no
     * advert makes it step down within a master-down interval, it takes a term newer than the
     * claim's (see {@link #tick}); a claim that no longer outranks it lifts the fence.
     */
    public Optional<Advert> claimSeen(MasterClaim claim, long now) {
        if (state != VrrpState.MASTER) {
            term = Math.max(term, claim.term());
            return Optional.empty();
        }
        if (claim.amphoraId().equals(id)) {
            fencedBy = null;
            if (claim.term() > term) {
                term = claim.term() + 1;
                return Optional.of(advertise(now));
            }
            return Optional.empty();
        }
        if (!claim.outranks(claim())) {
            fencedBy = null;
        } else if (!claim.equals(fencedBy)) {
            // a claim written since the last one read: its writer was alive then, so the silence
            // that lets this master stand over it is counted from now
            fencedBy = claim;
            fencedSince = now;
        }
        return Optional.empty();
    }

    /** This amphora's mastership as the network should record it; meaningful while MASTER. */
    public MasterClaim claim() {
        return new MasterClaim(term, timers.priority(), id);
    }

    /** The claim that fences this master, or null. */
    public MasterClaim fencedBy() {
        return fencedBy;
    }

    private long fenceEndsAt() {
        return fencedSince + timers.masterDownNanos(timers.advertIntervalMillis());
    }

    /**
     * Gives mastership up on purpose (a planned failover, a shutdown): the backup takes over after
     * its skew time rather than a whole master-down interval, and this amphora waits as a backup.
     */
    public Optional<Advert> resign(long now) {
        if (state != VrrpState.MASTER) {
            return Optional.empty();
        }
        state = VrrpState.BACKUP;
        master = null;
        fencedBy = null;
        masterDownAt = now + timers.masterDownNanos(masterAdvertIntervalMillis);
        return Optional.of(resignation());
    }

    private void follow(Advert advert, long now) {
        state = VrrpState.BACKUP;
        fencedBy = null;
        term = advert.term();
        masterAdvertIntervalMillis = advert.advertIntervalMillis();
        if (advert.resigns()) {
            master = null;
            masterDownAt = now + timers.skewNanos(masterAdvertIntervalMillis);
        } else {
            master = advert.sender();
            masterDownAt = now + timers.masterDownNanos(masterAdvertIntervalMillis);
        }
    }

    /** Whether a master of the same term as this one wins: higher priority, then the greater id. */
    private boolean outranks(Advert advert) {
        return advert.priority() > timers.priority()
                || advert.priority() == timers.priority() && advert.sender().compareTo(id) > 0;
    }

    private Advert advertise(long now) {
        nextAdvertAt = now + timers.advertIntervalNanos();
        return new Advert(id, term, timers.priority(), timers.advertIntervalMillis(), ++sequence);
    }

    private Advert resignation() {
        return new Advert(id, term, 0, timers.advertIntervalMillis(), ++sequence);
    }
}
