package dev.lbaas.amphora.config;

import java.time.Duration;
import java.util.Base64;

/**
 * The ACTIVE_STANDBY pair an amphora belongs to (absent for SINGLE): where it and its peer
 * exchange adverts, its priority, the timers and the pair's key. Both amphorae of a pair get the
 * same timers and key.
 *
 * @param peerAddress the other amphora's address, where adverts go; it changes when the peer is replaced
 * @param peerPort the UDP port the other amphora receives adverts on
 * @param advertPort the UDP port this amphora receives adverts on, at its agent's address
 * @param priority 1-254: of two backups the higher takes over first; it never displaces a running
 *     master unless {@code preempt}
 * @param advertIntervalMillis how often the master advertises, 10-40950 ms; the backup takes over
 *     after three intervals and its skew without one
 * @param preempt whether a backup of higher priority takes the VIP from a running master
 * @param key the pair's HMAC key, base64, at least 32 bytes; only the operator and the pair know it
 */
public record FailoverConfig(String peerAddress, int peerPort, int advertPort, int priority,
        int advertIntervalMillis, boolean preempt, String key) {

    /**
     * How long a master that handed the VIP over keeps its listeners after its successor took it,
     * where the VIP is a Kubernetes Service whose EndpointSlice the new master writes: its write,
     * then every node's proxy applying it (kube-proxy waits up to its min-sync period, 1 s by
     * default). The operator sizes the pods' grace period with it.
     */
    public static final Duration LINGER_BEHIND_ENDPOINT_SLICE = Duration.ofSeconds(2);

    /**
     * The same where the Service follows readiness: until the kubelet has seen the old master
     * unready (two failed probes a second apart) and the proxies have followed.
     */
    public static final Duration LINGER_BEHIND_READINESS = Duration.ofSeconds(4);

    public FailoverConfig {
        Validation.requireText(peerAddress, "failover.peerAddress");
        Validation.requirePort(peerPort, "failover.peerPort");
        Validation.requirePort(advertPort, "failover.advertPort");
        Validation.requireRange(priority, 1, 254, "failover.priority");
        Validation.requireRange(advertIntervalMillis, 10, 40_950, "failover.advertIntervalMillis");
        Validation.requireText(key, "failover.key");
        byte[] decoded;
        try {
            decoded = Base64.getDecoder().decode(key);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("failover.key: must be base64: " + e.getMessage());
        }
        if (decoded.length < 32) {
            throw new IllegalArgumentException("failover.key: must be at least 32 bytes, got " + decoded.length);
        }
    }

    /** The key's bytes. */
    public byte[] keyBytes() {
        return Base64.getDecoder().decode(key);
    }

    /** Without the key: configurations are logged. */
    @Override
    public String toString() {
        return "FailoverConfig[peerAddress=" + peerAddress + ", peerPort=" + peerPort + ", advertPort=" + advertPort
                + ", priority=" + priority
                + ", advertIntervalMillis=" + advertIntervalMillis + ", preempt=" + preempt + ", key=(hidden)]";
    }
}
