package dev.lbaas.amphora.runtime;

/** How a planned failover asked of one amphora ended. */
public enum Handover {
    /** The amphora serves no ACTIVE_STANDBY pair. */
    NO_PAIR,
    /** It was not its pair's master: nothing changed. */
    NOT_MASTER,
    /** It resigned and its peer took the VIP over. */
    HANDED_OVER,
    /**
     * It resigned and no peer took over within a master-down interval: it becomes master again
     * (the peer is down, or it would take the VIP straight back by preemption).
     */
    NO_SUCCESSOR
}
