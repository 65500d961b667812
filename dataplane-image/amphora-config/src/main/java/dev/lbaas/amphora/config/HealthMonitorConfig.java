package dev.lbaas.amphora.config;

import java.util.Objects;

/**
 * The active health check of a pool, with Octavia's rise and fall semantics: a member that is down
 * needs {@code maxRetries} consecutive successes to be up again, a member that is up needs {@code
 * maxRetriesDown} consecutive failures to be down. A check is started every {@code delayMillis}
 * and fails if it has no answer within {@code timeoutMillis}.
 *
 * @param id stable identity (the Kubernetes uid)
 * @param type what the check does
 * @param delayMillis time between checks
 * @param timeoutMillis time one check may take; less than the delay
 * @param maxRetries successes to go up (1-10)
 * @param maxRetriesDown failures to go down (1-10)
 * @param httpMethod HTTP(S) checks: the method (GET)
 * @param urlPath HTTP(S) checks: the path ("/")
 * @param expectedCodes HTTP(S) checks: "200", "200, 202" or "200-204"
 * @param httpVersion HTTP(S) checks: "1.0" or "1.1"
 * @param domainName HTTP(S) checks: the Host header (HTTP/1.1 only)
 * @param adminStateUp false: members are not checked and are taken as up
 */
public record HealthMonitorConfig(
        String id,
        MonitorType type,
        long delayMillis,
        long timeoutMillis,
        int maxRetries,
        int maxRetriesDown,
        String httpMethod,
        String urlPath,
        String expectedCodes,
        String httpVersion,
        String domainName,
        boolean adminStateUp) {

    public HealthMonitorConfig {
        Validation.requireText(id, "healthMonitor.id");
        Objects.requireNonNull(type, "healthMonitor.type: must be set");
        Validation.requireRange(delayMillis, 1, 86_400_000, "healthMonitor.delayMillis");
        Validation.requireRange(timeoutMillis, 1, 86_400_000, "healthMonitor.timeoutMillis");
        if (timeoutMillis >= delayMillis) {
            throw new IllegalArgumentException("healthMonitor.timeoutMillis: must be less than delayMillis ("
                    + timeoutMillis + " >= " + delayMillis + ")");
        }
        Validation.requireRange(maxRetries, 1, 10, "healthMonitor.maxRetries");
        Validation.requireRange(maxRetriesDown, 1, 10, "healthMonitor.maxRetriesDown");
        httpMethod = Objects.requireNonNullElse(httpMethod, "GET");
        urlPath = Objects.requireNonNullElse(urlPath, "/");
        expectedCodes = Objects.requireNonNullElse(expectedCodes, "200");
        httpVersion = Objects.requireNonNullElse(httpVersion, "1.0");
        if (!httpVersion.equals("1.0") && !httpVersion.equals("1.1")) {
            throw new IllegalArgumentException("healthMonitor.httpVersion: must be 1.0 or 1.1, got " + httpVersion);
        }
        if (domainName != null && httpVersion.equals("1.0")) {
            throw new IllegalArgumentException("healthMonitor.domainName: needs httpVersion 1.1");
        }
        ExpectedCodes.parse(expectedCodes);
    }
}
