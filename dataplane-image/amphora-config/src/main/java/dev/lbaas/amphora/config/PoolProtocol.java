package dev.lbaas.amphora.config;

/** Octavia's pool protocols: how the amphora speaks to the members. */
public enum PoolProtocol {
    TCP,
    HTTP,
    HTTPS,
    PROXY,
    PROXYV2,
    UDP,
    SCTP;

    /** The transport to the members, which must be the listener's: datagrams go to UDP members only. */
    public String transport() {
        return switch (this) {
            case UDP -> "udp";
            case SCTP -> "sctp";
            default -> "tcp";
        };
    }
}
