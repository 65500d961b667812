package dev.lbaas.amphora.health;

/**
 * A member tracker as {@link HealthMonitors} runs it: started when its generation goes live,
 * stopped when no generation needs it any more.
 */
interface TrackedMember extends MemberHealthTracker {

    MemberTarget target();

    void start();

    void stop();
}
