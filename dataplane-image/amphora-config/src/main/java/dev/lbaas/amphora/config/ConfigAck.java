package dev.lbaas.amphora.config;

/**
 * The amphora's answer to a configuration push.
 *
 * @param appliedGeneration the generation the amphora serves now
 */
public record ConfigAck(long appliedGeneration) {
}
