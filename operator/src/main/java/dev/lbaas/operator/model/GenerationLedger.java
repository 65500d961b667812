package dev.lbaas.operator.model;

import dev.lbaas.amphora.config.AmphoraConfig;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Stream;

/**
 * Numbers the configurations of one load balancer. A new generation is minted only when the
 * rendered configuration differs from the last one, so edits that do not change what the
 * amphorae serve (a description, say) do not cause a push. It also remembers, for every object,
 * the first generation that contains its current spec: that object is Programmed once every
 * amphora serves that generation.
 *
 * <p>Changes made while a push is under way simply mint the next generation: they are queued and
 * coalesced, never refused (where Octavia answers 409 while a load balancer is PENDING_UPDATE).
 */
public final class GenerationLedger {

    private record Introduction(long objectGeneration, long configGeneration) {
    }

    private AmphoraConfig last;
    private Object lastPairing;
    private final Map<String, Introduction> introductions = new HashMap<>();

    /** {@link #number(AmphoraConfig, Object, long, Stream)} for amphorae that serve no pair. */
    public AmphoraConfig number(AmphoraConfig rendered, long persistedGeneration, Stream<HasMetadata> objects) {
        return number(rendered, null, persistedGeneration, objects);
    }

    /**
     * The configuration to serve, numbered: the previous generation when nothing changed, else the
     * next one after both the last minted and {@code persistedGeneration} (the generation recorded
     * in status, which survives operator restarts).
     *
     * @param pairing what the amphorae are told besides {@code rendered} (their pair, which changes
     *     when one is replaced); a change of it alone makes a new generation too
     */
    public synchronized AmphoraConfig number(AmphoraConfig rendered, Object pairing, long persistedGeneration,
            Stream<HasMetadata> objects) {
        AmphoraConfig numbered;
        if (last != null && last.equals(rendered.withGeneration(last.generation()))
                && Objects.equals(lastPairing, pairing)) {
            numbered = last;
        } else {
            long base = Math.max(last == null ? 0 : last.generation(), persistedGeneration);
            numbered = rendered.withGeneration(base + 1);
            last = numbered;
            lastPairing = pairing;
        }
        Map<String, Introduction> seen = new HashMap<>();
        objects.forEach(object -> {
            String uid = object.getMetadata().getUid();
            long objectGeneration = Objects.requireNonNullElse(object.getMetadata().getGeneration(), 0L);
            Introduction known = introductions.get(uid);
            seen.put(uid, known != null && known.objectGeneration() == objectGeneration
                    ? known : new Introduction(objectGeneration, numbered.generation()));
        });
        introductions.clear();
        introductions.putAll(seen);
        return numbered;
    }

    /** The configuration numbered last, or null before the first. */
    public synchronized AmphoraConfig last() {
        return last;
    }

    /** For each object uid, the generation that first contained its current spec. */
    public synchronized Map<String, Long> introducedIn() {
        Map<String, Long> result = new HashMap<>();
        introductions.forEach((uid, introduction) -> result.put(uid, introduction.configGeneration()));
        return result;
    }
}
