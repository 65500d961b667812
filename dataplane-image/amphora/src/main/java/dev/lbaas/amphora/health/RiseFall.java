package dev.lbaas.amphora.health;

import dev.lbaas.amphora.config.MemberHealth;

/**
 * Octavia's rise and fall rules, without timers: the first finished check decides directly; after
 * that an up member needs {@code fall} consecutive failures to go down and a down member {@code
 * rise} consecutive successes to come back. Not thread-safe: one monitor's event loop owns it.
 */
public final class RiseFall {

    private final int rise;
    private final int fall;
    private MemberHealth health = MemberHealth.CHECKING;
    /** Consecutive results that contradict the current state. */
    private int streak;

    public RiseFall(int rise, int fall) {
        this.rise = rise;
        this.fall = fall;
    }

    public MemberHealth health() {
        return health;
    }

    /** Records one check and answers the health after it. */
    public MemberHealth record(boolean success) {
        switch (health) {
            case CHECKING -> {
                health = success ? MemberHealth.UP : MemberHealth.DOWN;
                streak = 0;
            }
            case UP -> streak = success ? 0 : streak + 1;
            case DOWN -> streak = success ? streak + 1 : 0;
            default -> throw new IllegalStateException("unmonitored state " + health);
        }
        if (health == MemberHealth.UP && streak >= fall) {
            health = MemberHealth.DOWN;
            streak = 0;
        } else if (health == MemberHealth.DOWN && streak >= rise) {
            health = MemberHealth.UP;
            streak = 0;
        }
        return health;
    }

    /**
     * A failure seen outside the checks (passive detection): down at once, whatever the streak,
     * and {@code rise} successes from now on to come back.
     */
    public MemberHealth markDown() {
        health = MemberHealth.DOWN;
        streak = 0;
        return health;
    }
}
