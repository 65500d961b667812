package dev.lbaas.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Request headers the amphora can add on HTTP listeners (Octavia's insert_headers). */
public enum InsertHeader {
    @JsonProperty("X-Forwarded-For")
    X_FORWARDED_FOR,
    @JsonProperty("X-Forwarded-Port")
    X_FORWARDED_PORT,
    @JsonProperty("X-Forwarded-Proto")
    X_FORWARDED_PROTO,
    @JsonProperty("X-Real-IP")
    X_REAL_IP
}
