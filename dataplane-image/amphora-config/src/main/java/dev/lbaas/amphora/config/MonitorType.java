package dev.lbaas.amphora.config;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Octavia's health monitor types, spelled on the wire as Octavia spells them. */
public enum MonitorType {
    HTTP,
    HTTPS,
    PING,
    TCP,
    @JsonProperty("TLS-HELLO")
    TLS_HELLO,
    @JsonProperty("UDP-CONNECT")
    UDP_CONNECT,
    SCTP
}
