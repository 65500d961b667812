package dev.lbaas.amphora.health;

import java.util.List;

/**
 * A member tracker as {@link HealthMonitors} runs it: started when its generation goes live,
 * stopped when no generation needs it any more.
 */
interface TrackedMember extends MemberHealthTracker {

    MemberTarget target();

    void start();

    void stop();

    /** The latest verdicts on the member, oldest first; empty for a member nothing checks. */
    default List<CheckRecord> recentChecks() {
        return List.of();
    }
}
