package dev.lbaas.api.v1alpha1;

/** Octavia's load balancing algorithms. */
public enum LbAlgorithm {
    ROUND_ROBIN,
    LEAST_CONNECTIONS,
    SOURCE_IP,
    SOURCE_IP_PORT
}
