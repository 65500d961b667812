package dev.lbaas.amphora.config;

/**
 * An agent API error body.
 *
 * @param message what was wrong, naming the field and the rule where it was the configuration
 */
public record ApiError(String message) {
}
