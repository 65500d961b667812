package dev.lbaas.amphora.vrrp;

/** An amphora's part in its pair, as VRRP names them, plus FAULT: a failed self-check. */
public enum VrrpState {
    /** Holds the VIP and advertises. */
    MASTER,
    /** Listens for the master's adverts and takes over when they stop. */
    BACKUP,
    /** Its own data plane failed a self-check: it neither holds the VIP nor takes it over. */
    FAULT
}
