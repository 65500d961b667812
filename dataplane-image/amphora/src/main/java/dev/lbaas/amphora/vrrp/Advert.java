package dev.lbaas.amphora.vrrp;

import java.util.Objects;

/**
 * One advertisement from an amphora of a pair.
 *
 * @param sender the amphora that sent it
 * @param term the mastership it speaks for: a master advertises its own, raised at each takeover
 * @param priority 1-254; 0 says the sender resigns (RFC 5798): the backup takes over after its skew time
 * @param advertIntervalMillis how often the sender advertises, from which the backup derives how long
 *     a silence means the master is down
 * @param sequence strictly increasing per sender, for replay protection
 */
public record Advert(String sender, long term, int priority, int advertIntervalMillis, long sequence) {

    public Advert {
        Objects.requireNonNull(sender, "sender");
        if (priority < 0 || priority > 254) {
            throw new IllegalArgumentException("priority " + priority + " is not 0-254");
        }
        if (advertIntervalMillis <= 0) {
            throw new IllegalArgumentException("advert interval " + advertIntervalMillis + " ms is not positive");
        }
        if (term < 0) {
            throw new IllegalArgumentException("term " + term + " is negative");
        }
    }

    /** Whether the sender gives mastership up (priority 0). */
    public boolean resigns() {
        return priority == 0;
    }
}
