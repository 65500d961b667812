package dev.lbaas.amphora.health;

import dev.lbaas.amphora.config.MemberHealth;

/**
 * One verdict on a member: a finished health check, or a connection that failed (passive
 * detection), and the member's health right after it.
 *
 * @param sequence counts the member's verdicts since its monitor started, from 1
 * @param passed the check passed (always false for a failed connection)
 * @param passive a failed connection seen by the proxy rather than a check
 * @param healthAfter the member's health once this verdict was counted
 */
public record CheckRecord(long sequence, boolean passed, boolean passive, MemberHealth healthAfter) {
}
