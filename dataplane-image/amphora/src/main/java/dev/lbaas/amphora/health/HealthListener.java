package dev.lbaas.amphora.health;

/** Told whenever a member's health changes. Called on a monitor's event loop: it must not block. */
@FunctionalInterface
public interface HealthListener {
    void healthChanged();
}
