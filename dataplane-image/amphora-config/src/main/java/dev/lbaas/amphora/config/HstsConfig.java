package dev.lbaas.amphora.config;

/**
 * The Strict-Transport-Security header a TERMINATED_HTTPS listener adds to responses.
 *
 * @param maxAgeSeconds how long browsers keep to HTTPS, 0 (forget it) to 2^31-1
 */
public record HstsConfig(long maxAgeSeconds, boolean includeSubdomains, boolean preload) {

    public HstsConfig {
        Validation.requireRange(maxAgeSeconds, 0, Integer.MAX_VALUE, "hsts.maxAgeSeconds");
    }

    /** The header's value. */
    public String headerValue() {
        return "max-age=" + maxAgeSeconds + (includeSubdomains ? "; includeSubDomains" : "") + (preload ? "; preload" : "");
    }
}
