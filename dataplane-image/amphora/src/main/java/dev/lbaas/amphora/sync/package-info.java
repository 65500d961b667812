/**
 * Session sync between the two amphorae of an ACTIVE_STANDBY load balancer, as HAProxy's peers
 * section does for Octavia: the master streams its persistence bindings (SOURCE_IP and APP_COOKIE
 * stick tables) to the standby over TCP, every binding in force when the standby connects and then
 * each one as it is made, so that after a failover a client reaches the member it had.
 *
 * <p>Every frame carries an HMAC-SHA256 under the pair's key over a nonce the receiving side chose
 * for the connection and the frame's number: only the pair's master can add bindings, and a frame
 * recorded earlier cannot be played again.
 */
package dev.lbaas.amphora.sync;
