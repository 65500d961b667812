package dev.lbaas.api.v1alpha1;

/** Octavia's load balancer topologies. */
public enum Topology {
    /** One amphora. */
    SINGLE,
    /** Two amphorae; the master owns the VIP, the backup takes it over when the master fails. */
    ACTIVE_STANDBY
}
