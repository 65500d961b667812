package dev.lbaas.amphora.l7;

/**
 * What L7 rules look at in a request: its head, and its connection's client certificate where
 * the listener terminates TLS. Values are as received; rules compare them as Octavia's do.
 */
public interface RequestFacts {

    /** The Host field's value (without the port, if it names one), or null without one. */
    String host();

    /** The request target's path, without its query. */
    String path();

    /** The first value of the header field {@code name} (any case), or null. */
    String header(String name);

    /** The value of the cookie {@code name}, or null. */
    String cookie(String name);

    /** Whether the client presented a certificate on this connection. */
    boolean clientCertificate();

    /** The result of verifying the client's certificate: 0 when it verified, else the failure's code. */
    int verifyResult();

    /**
     * A field of the client certificate's subject distinguished name (COMMON_NAME, ORGANIZATION,
     * ...), or null without a certificate or without that field.
     */
    String subjectField(String field);
}
