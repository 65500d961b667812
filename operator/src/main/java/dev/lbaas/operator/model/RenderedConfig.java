package dev.lbaas.operator.model;

import dev.lbaas.amphora.config.AmphoraConfig;
import java.util.HashMap;
import java.util.Map;

/**
 * The result of rendering one load balancer: what the amphorae must serve, and a verdict for every
 * object of the tree keyed by its uid.
 */
public record RenderedConfig(AmphoraConfig config, Map<String, Verdict> verdicts) {

    public RenderedConfig {
        verdicts = Map.copyOf(verdicts);
    }

    public Verdict verdict(String uid) {
        return verdicts.getOrDefault(uid, Verdict.OK);
    }

    /**
     * The same result where each object the renderer found fine gets the verdict {@code found}
     * gives it instead (what only the cluster knows, such as a pool's memberSelector Service
     * missing); objects with a verdict of their own keep it.
     */
    public RenderedConfig withFindings(Map<String, Verdict> found) {
        Map<String, Verdict> merged = new HashMap<>(verdicts);
        found.forEach((uid, verdict) -> {
            if (verdict(uid).equals(Verdict.OK)) {
                merged.put(uid, verdict);
            }
        });
        return new RenderedConfig(config, merged);
    }
}
