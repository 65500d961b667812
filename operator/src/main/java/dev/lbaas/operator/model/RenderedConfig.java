package dev.lbaas.operator.model;

import dev.lbaas.amphora.config.AmphoraConfig;
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
}
