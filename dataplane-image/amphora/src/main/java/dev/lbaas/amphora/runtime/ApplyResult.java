package dev.lbaas.amphora.runtime;

/** The outcome of a configuration push. */
public sealed interface ApplyResult {

    /** The amphora serves {@code generation} now (it may have served it already). */
    record Applied(long generation) implements ApplyResult {
    }

    /** The push is older than {@code currentGeneration}, which stays. */
    record Stale(long currentGeneration) implements ApplyResult {
    }

    /** The configuration cannot be served; the previous one stays. */
    record Rejected(String message) implements ApplyResult {
    }
}
