package dev.lbaas.amphora.vrrp;

import java.util.HashMap;
import java.util.Map;

/**
 * Refuses an authenticated advert that was recorded and sent again: each sender's sequence numbers
 * must rise, and an advert must have been sent recently by the receiver's clock, which also covers
 * a receiver that restarted and remembers no sequence. A sender starts its sequence at its start
 * time in microseconds ({@link #firstSequence}), so a restarted sender continues above what it sent
 * before. The pair's clocks are those of one cluster (or one host), kept within the freshness
 * bound by NTP.
 */
public final class ReplayGuard {

    private final long freshnessMillis;
    private final Map<String, Long> lastSequence = new HashMap<>();

    public ReplayGuard(long freshnessMillis) {
        this.freshnessMillis = freshnessMillis;
    }

    /** The first sequence number of an amphora starting at {@code nowMillis}. */
    public static long firstSequence(long nowMillis) {
        return nowMillis * 1_000;
    }

    /** Refuses a stale or replayed advert; an advert let through is remembered. */
    public void check(AdvertCodec.Received received, long nowMillis) throws AdvertCodec.Rejected {
        long age = nowMillis - received.sentAtMillis();
        if (Math.abs(age) > freshnessMillis) {
            throw new AdvertCodec.Rejected("an advert sent " + age + " ms ago; fresh ones are within "
                    + freshnessMillis + " ms");
        }
        Advert advert = received.advert();
        Long last = lastSequence.get(advert.sender());
        if (last != null && advert.sequence() <= last) {
            throw new AdvertCodec.Rejected("sequence " + advert.sequence() + " from " + advert.sender()
                    + " is not after " + last + ": a replay");
        }
        lastSequence.put(advert.sender(), advert.sequence());
    }
}
