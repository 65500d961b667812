package dev.lbaas.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import java.util.Objects;

/**
 * How the two amphorae of an ACTIVE_STANDBY load balancer watch each other (after VRRP, RFC 5798):
 * the master advertises every interval; the backup takes over after three intervals without one,
 * plus a skew under one interval.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class FailoverTimers {

    /** The default interval: a backup takes over about a third of a second after its master dies. */
    public static final int DEFAULT_ADVERT_INTERVAL_MILLIS = 100;

    @JsonPropertyDescription("How often the master advertises, in milliseconds (10-40950). The backup takes over "
            + "after three intervals of silence and its skew, so the default of 100 fails over within about 0.35 s. "
            + "Shorter intervals fail over sooner and mistake a long pause of the master (a garbage collection, an "
            + "overloaded node) for its death more easily.")
    @Default("100")
    @Min(10)
    @Max(40950)
    private Integer advertIntervalMillis = DEFAULT_ADVERT_INTERVAL_MILLIS;

    @JsonPropertyDescription("false (the default, as Octavia's keepalived is set up): an amphora that comes back "
            + "stays BACKUP and never takes the VIP from a running master. true: the amphora first created takes "
            + "the VIP back whenever it runs, at the cost of a second failover.")
    @Default("false")
    private Boolean preempt = false;

    /** The interval in force: the one {@code timers} (which may be null) set, else the default. */
    public static int advertIntervalMillis(FailoverTimers timers) {
        return timers == null || timers.getAdvertIntervalMillis() == null ? DEFAULT_ADVERT_INTERVAL_MILLIS
                : timers.getAdvertIntervalMillis();
    }

    public Integer getAdvertIntervalMillis() {
        return advertIntervalMillis;
    }

    public void setAdvertIntervalMillis(Integer advertIntervalMillis) {
        this.advertIntervalMillis = advertIntervalMillis;
    }

    public Boolean getPreempt() {
        return preempt;
    }

    public void setPreempt(Boolean preempt) {
        this.preempt = preempt;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof FailoverTimers that && Objects.equals(advertIntervalMillis,
                that.advertIntervalMillis) && Objects.equals(preempt, that.preempt);
    }

    @Override
    public int hashCode() {
        return Objects.hash(advertIntervalMillis, preempt);
    }
}
