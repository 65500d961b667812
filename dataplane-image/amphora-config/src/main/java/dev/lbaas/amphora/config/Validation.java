package dev.lbaas.amphora.config;

/** Checks shared by the compact constructors; each message names the field and the rule. */
final class Validation {

    private Validation() {
    }

    static void requireText(String value, String field) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(field + ": must be set");
        }
    }

    static void requirePort(int port, String field) {
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException(field + ": must be between 1 and 65535, got " + port);
        }
    }

    static void requireRange(long value, long min, long max, String field) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(field + ": must be between " + min + " and " + max + ", got " + value);
        }
    }
}
