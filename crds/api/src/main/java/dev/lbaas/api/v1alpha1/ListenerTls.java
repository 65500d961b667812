package dev.lbaas.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import dev.lbaas.api.crdgen.ItemRule;
import dev.lbaas.api.crdgen.UniqueItems;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.List;

/**
 * How a TERMINATED_HTTPS listener terminates TLS (Octavia's TLS fields of a listener): its
 * certificates, from kubernetes.io/tls Secrets as cert-manager writes them, the protocol versions,
 * cipher suites and ALPN protocols it offers, client certificate authentication, and HSTS.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "!has(self.clientAuthentication) || self.clientAuthentication == 'NONE' "
        + "|| has(self.clientCaSecretRef)", fieldPath = ".clientCaSecretRef",
        messageExpression = "'required with clientAuthentication ' + self.clientAuthentication + ': the Secret whose "
                + "ca.crt client certificates must chain to'",
        reason = CelRules.REQUIRED)
@ValidationRule(value = "!has(self.clientCaSecretRef) || (has(self.clientAuthentication) "
        + "&& self.clientAuthentication != 'NONE')", fieldPath = ".clientCaSecretRef",
        message = "only allowed with clientAuthentication OPTIONAL or MANDATORY: without them no client is asked for "
                + "a certificate")
@ValidationRule(value = "!has(self.clientCrlSecretRef) || has(self.clientCaSecretRef)", fieldPath = ".clientCrlSecretRef",
        message = "needs clientCaSecretRef: a revocation list revokes certificates of that CA")
@ValidationRule(value = "!has(self.ciphers) || !has(self.versions) || self.versions != ['TLSv1.2'] "
        + "|| self.ciphers.split(':').exists(c, !(c in " + ListenerTls.TLS13_SUITES + "))", fieldPath = ".ciphers",
        message = "must name a TLS 1.2 suite when versions is [TLSv1.2] alone: TLS_AES_* and TLS_CHACHA20_* are TLS "
                + "1.3's, and no handshake could succeed")
public class ListenerTls {

    /** The TLS 1.3 suites: ciphers lists them too, but a TLS 1.2 handshake cannot use them. */
    static final String TLS13_SUITES = "['TLS_AES_256_GCM_SHA384', 'TLS_CHACHA20_POLY1305_SHA256', "
            + "'TLS_AES_128_GCM_SHA256']";

    /** The cipher suites the amphora serves, by their OpenSSL names. */
    static final String CIPHERS = "['TLS_AES_256_GCM_SHA384', "
            + "'TLS_CHACHA20_POLY1305_SHA256', "
            + "'TLS_AES_128_GCM_SHA256', "
            + "'ECDHE-ECDSA-AES256-GCM-SHA384', "
            + "'ECDHE-RSA-AES256-GCM-SHA384', "
            + "'ECDHE-ECDSA-CHACHA20-POLY1305', "
            + "'ECDHE-RSA-CHACHA20-POLY1305', "
            + "'ECDHE-ECDSA-AES128-GCM-SHA256', "
            + "'ECDHE-RSA-AES128-GCM-SHA256', "
            + "'ECDHE-ECDSA-AES256-SHA384', "
            + "'ECDHE-RSA-AES256-SHA384', "
            + "'ECDHE-ECDSA-AES128-SHA256', "
            + "'ECDHE-RSA-AES128-SHA256', "
            + "'DHE-RSA-AES256-GCM-SHA384', "
            + "'DHE-RSA-CHACHA20-POLY1305', "
            + "'DHE-RSA-AES128-GCM-SHA256', "
            + "'DHE-RSA-AES256-SHA256', "
            + "'DHE-RSA-AES128-SHA256']";

    /** The TLS versions the amphora serves. */
    public enum Version {
        @JsonProperty("TLSv1.2")
        TLS_1_2,
        @JsonProperty("TLSv1.3")
        TLS_1_3
    }

    /** The ALPN protocols the amphora speaks over TLS. */
    public enum AlpnProtocol {
        @JsonProperty("h2")
        H2,
        @JsonProperty("http/1.1")
        HTTP_1_1,
        @JsonProperty("http/1.0")
        HTTP_1_0
    }

    /** Octavia's client_authentication. */
    public enum ClientAuthentication {
        NONE,
        OPTIONAL,
        MANDATORY
    }

    @JsonPropertyDescription("The kubernetes.io/tls Secret (in this namespace) whose tls.crt and tls.key the listener "
            + "presents unless the client names a host an SNI certificate is for (Octavia's "
            + "default_tls_container_ref). The key may be PKCS#1 or PKCS#8, RSA or EC.")
    @Required
    @Size(min = 1, max = 253)
    @ValidationRule(value = CelRules.NAME, messageExpression = CelRules.NAME_MESSAGE)
    private String defaultSecretRef;

    @JsonPropertyDescription("kubernetes.io/tls Secrets whose certificates serve the host names they are for (their DNS "
            + "subject alternative names, else their common name; wildcards match one label) when the client names one "
            + "in SNI (Octavia's sni_container_refs). At most 64, none twice.")
    @Size(max = 64)
    @UniqueItems
    @ItemRule(value = CelRules.NAME, messageExpression = CelRules.NAME_MESSAGE)
    private List<@Size(min = 1, max = 253) String> sniSecretRefs;

    @JsonPropertyDescription("The TLS versions offered: TLSv1.2 and TLSv1.3 (older ones are not served). Default both.")
    @Size(min = 1, max = 2)
    @UniqueItems
    private List<Version> versions;

    @JsonPropertyDescription("The TLS 1.2 cipher suites offered, in order of preference, by OpenSSL name separated by "
            + "colons (Octavia's tls_ciphers), such as ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256. "
            + "TLS 1.3 keeps its own suites. Default: the amphora's.")
    @Size(min = 1, max = 1024)
    @ValidationRule(value = "self.split(':').all(c, c in " + CIPHERS + ")",
            messageExpression = "'must be OpenSSL cipher suite names separated by colons, each one the amphora serves ("
                    + "such as ECDHE-RSA-AES128-GCM-SHA256); \"' + self.split(':').filter(c, !(c in "
                    + CIPHERS + "))[0] + '\" is not'")
    private String ciphers;

    @JsonPropertyDescription("The ALPN protocols offered, in order: h2 (HTTP/2), http/1.1 and http/1.0. Default h2, "
            + "http/1.1.")
    @Size(min = 1, max = 3)
    @UniqueItems
    private List<AlpnProtocol> alpnProtocols;

    @JsonPropertyDescription("Client certificates: NONE (not asked for), OPTIONAL (asked for; one that does not chain "
            + "to clientCaSecretRef ends the handshake) or MANDATORY (required). Default NONE.")
    private ClientAuthentication clientAuthentication;

    @JsonPropertyDescription("With OPTIONAL or MANDATORY: the Secret (in this namespace) whose ca.crt holds the CA "
            + "certificates client certificates must chain to (Octavia's client_ca_tls_container_ref).")
    @Size(min = 1, max = 253)
    @ValidationRule(value = CelRules.NAME, messageExpression = CelRules.NAME_MESSAGE)
    private String clientCaSecretRef;

    @JsonPropertyDescription("The Secret (in this namespace) whose ca.crl lists revoked client certificates, in PEM "
            + "(Octavia's client_crl_container_ref); needs clientCaSecretRef.")
    @Size(min = 1, max = 253)
    @ValidationRule(value = CelRules.NAME, messageExpression = CelRules.NAME_MESSAGE)
    private String clientCrlSecretRef;

    @JsonPropertyDescription("The Strict-Transport-Security header added to responses (Octavia's hsts_* fields).")
    private Hsts hsts;

    public String getDefaultSecretRef() {
        return defaultSecretRef;
    }

    public void setDefaultSecretRef(String defaultSecretRef) {
        this.defaultSecretRef = defaultSecretRef;
    }

    public List<String> getSniSecretRefs() {
        return sniSecretRefs;
    }

    public void setSniSecretRefs(List<String> sniSecretRefs) {
        this.sniSecretRefs = sniSecretRefs;
    }

    public List<Version> getVersions() {
        return versions;
    }

    public void setVersions(List<Version> versions) {
        this.versions = versions;
    }

    public String getCiphers() {
        return ciphers;
    }

    public void setCiphers(String ciphers) {
        this.ciphers = ciphers;
    }

    public List<AlpnProtocol> getAlpnProtocols() {
        return alpnProtocols;
    }

    public void setAlpnProtocols(List<AlpnProtocol> alpnProtocols) {
        this.alpnProtocols = alpnProtocols;
    }

    public ClientAuthentication getClientAuthentication() {
        return clientAuthentication;
    }

    public void setClientAuthentication(ClientAuthentication clientAuthentication) {
        this.clientAuthentication = clientAuthentication;
    }

    public String getClientCaSecretRef() {
        return clientCaSecretRef;
    }

    public void setClientCaSecretRef(String clientCaSecretRef) {
        this.clientCaSecretRef = clientCaSecretRef;
    }

    public String getClientCrlSecretRef() {
        return clientCrlSecretRef;
    }

    public void setClientCrlSecretRef(String clientCrlSecretRef) {
        this.clientCrlSecretRef = clientCrlSecretRef;
    }

    public Hsts getHsts() {
        return hsts;
    }

    public void setHsts(Hsts hsts) {
        this.hsts = hsts;
    }
}
