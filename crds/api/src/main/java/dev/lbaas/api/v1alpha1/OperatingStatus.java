package dev.lbaas.api.v1alpha1;

/** Octavia's operating_status: how the object is doing as traffic sees it. */
public enum OperatingStatus {
    ONLINE,
    OFFLINE,
    DEGRADED,
    ERROR,
    DRAINING,
    NO_MONITOR
}
