package dev.lbaas.api.v1alpha1;

/** Octavia's pool protocols: how the amphora speaks to the members. */
public enum PoolProtocol {
    TCP,
    HTTP,
    HTTPS,
    PROXY,
    PROXYV2,
    UDP,
    SCTP
}
