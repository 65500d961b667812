package dev.lbaas.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * Request headers the amphora can add on HTTP listeners (Octavia's insert_headers); the X-SSL-*
 * ones, about the client's certificate, on TERMINATED_HTTPS listeners only.
 */
public enum InsertHeader {
    @JsonProperty("X-Forwarded-For")
    X_FORWARDED_FOR,
    @JsonProperty("X-Forwarded-Port")
    X_FORWARDED_PORT,
    @JsonProperty("X-Forwarded-Proto")
    X_FORWARDED_PROTO,
    @JsonProperty("X-Real-IP")
    X_REAL_IP,
    @JsonProperty("X-SSL-Client-Verify")
    X_SSL_CLIENT_VERIFY,
    @JsonProperty("X-SSL-Client-Has-Cert")
    X_SSL_CLIENT_HAS_CERT,
    @JsonProperty("X-SSL-Client-DN")
    X_SSL_CLIENT_DN,
    @JsonProperty("X-SSL-Client-CN")
    X_SSL_CLIENT_CN,
    @JsonProperty("X-SSL-Issuer")
    X_SSL_ISSUER,
    @JsonProperty("X-SSL-Client-SHA1")
    X_SSL_CLIENT_SHA1,
    @JsonProperty("X-SSL-Client-Not-Before")
    X_SSL_CLIENT_NOT_BEFORE,
    @JsonProperty("X-SSL-Client-Not-After")
    X_SSL_CLIENT_NOT_AFTER
}
