package dev.lbaas.amphora.vrrp;

/**
 * RFC 5798's timers for one amphora: its priority and advertisement interval, and the intervals
 * derived from them. Skew lets the higher priority of two backups take over first.
 *
 * @param priority 1-254 (255, the address owner of RFC 5798, does not exist here: no amphora owns
 *     the VIP)
 * @param advertIntervalMillis how often a master advertises
 */
public record VrrpTimers(int priority, int advertIntervalMillis) {

    public VrrpTimers {
        if (priority < 1 || priority > 254) {
            throw new IllegalArgumentException("priority " + priority + " is not 1-254");
        }
        if (advertIntervalMillis < 10 || advertIntervalMillis > 40_950) {
            throw new IllegalArgumentException("advert interval " + advertIntervalMillis + " ms is not 10-40950");
        }
    }

    /** ((256 - priority) * the master's advert interval) / 256. */
    public long skewNanos(int masterAdvertIntervalMillis) {
        return (256L - priority) * masterAdvertIntervalMillis * 1_000_000L / 256;
    }

    /** Three of the master's advert intervals plus the skew: how long a silence means the master is down. */
    public long masterDownNanos(int masterAdvertIntervalMillis) {
        return 3L * masterAdvertIntervalMillis * 1_000_000L + skewNanos(masterAdvertIntervalMillis);
    }

    public long advertIntervalNanos() {
        return advertIntervalMillis * 1_000_000L;
    }
}
