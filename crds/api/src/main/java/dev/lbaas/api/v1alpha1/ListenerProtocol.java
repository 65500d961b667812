package dev.lbaas.api.v1alpha1;

/** Octavia's listener protocols. */
public enum ListenerProtocol {
    TCP,
    HTTP,
    /** HTTPS passed through to the members untouched. */
    HTTPS,
    TERMINATED_HTTPS,
    UDP,
    SCTP,
    PROMETHEUS
}
