package dev.lbaas.amphora.config;

/** Octavia's load balancing algorithms. */
public enum LbAlgorithm {
    /** Smooth weighted round robin. */
    ROUND_ROBIN,
    LEAST_CONNECTIONS,
    SOURCE_IP,
    SOURCE_IP_PORT
}
