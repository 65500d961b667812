package dev.lbaas.amphora.config;

/** Octavia's listener protocols. */
public enum ListenerProtocol {
    TCP,
    HTTP,
    /** HTTPS passed through to the members as TCP. */
    HTTPS,
    TERMINATED_HTTPS,
    UDP,
    SCTP,
    PROMETHEUS;

    /** Whether the amphora reads HTTP on this listener, so that it sees requests' headers and cookies. */
    public boolean readsHttp() {
        return this == HTTP || this == TERMINATED_HTTPS;
    }

    /** The transport the listener binds: two listeners may share a port on different transports. */
    public String transport() {
        return switch (this) {
            case UDP -> "udp";
            case SCTP -> "sctp";
            default -> "tcp";
        };
    }
}
