/**
 * Failover between the two amphorae of an ACTIVE_STANDBY load balancer, after VRRP (RFC 5798):
 * priorities, an advertisement interval, a master-down interval with skew, no preemption by
 * default, and a sick or departing master that resigns. Adverts travel as unicast UDP between the
 * pair, authenticated with a per-load-balancer HMAC key and protected against replay.
 *
 * <p>Beyond RFC 5798, every mastership carries a term, raised by each takeover: when two amphorae
 * both believe they are master (a paused master resumes, a partition heals), the one with the
 * newer term keeps the VIP and the other steps down at its first advert, so that a returning
 * amphora never takes the VIP back by itself. Equal terms (two takeovers at the same moment) are
 * settled by priority, then by amphora id. {@link VrrpStateMachine} holds these rules without
 * clocks or sockets.
 */
package dev.lbaas.amphora.vrrp;
