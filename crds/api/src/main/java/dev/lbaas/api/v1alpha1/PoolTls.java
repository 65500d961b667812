package dev.lbaas.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import dev.lbaas.api.crdgen.UniqueItems;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.List;

/**
 * TLS from the amphora to the members of an HTTP pool (Octavia's backend re-encryption: tls_enabled
 * and the pool's TLS fields). Without caSecretRef the members' certificates are not verified, as
 * Octavia's amphora does.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "!has(self.crlSecretRef) || has(self.caSecretRef)", fieldPath = ".crlSecretRef",
        message = "needs caSecretRef: a revocation list revokes certificates of that CA")
@ValidationRule(value = "!has(self.ciphers) || !has(self.versions) || self.versions != ['TLSv1.2'] "
        + "|| self.ciphers.split(':').exists(c, !(c in " + ListenerTls.TLS13_SUITES + "))", fieldPath = ".ciphers",
        message = "must name a TLS 1.2 suite when versions is [TLSv1.2] alone: TLS_AES_* and TLS_CHACHA20_* are TLS "
                + "1.3's, and no handshake could succeed")
public class PoolTls {

    private static final String HOST_LABEL = "[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?";

    @JsonPropertyDescription("The Secret (in this namespace) whose ca.crt members' certificates must chain to (Octavia's "
            + "ca_tls_container_ref). Without it members are not verified.")
    @Size(min = 1, max = 253)
    @ValidationRule(value = CelRules.NAME, messageExpression = CelRules.NAME_MESSAGE)
    private String caSecretRef;

    @JsonPropertyDescription("The Secret (in this namespace) whose ca.crl lists revoked member certificates, in PEM "
            + "(Octavia's crl_container_ref); needs caSecretRef.")
    @Size(min = 1, max = 253)
    @ValidationRule(value = CelRules.NAME, messageExpression = CelRules.NAME_MESSAGE)
    private String crlSecretRef;

    @JsonPropertyDescription("The kubernetes.io/tls Secret (in this namespace) whose certificate the amphora presents "
            + "to members that ask for one (Octavia's tls_container_ref).")
    @Size(min = 1, max = 253)
    @ValidationRule(value = CelRules.NAME, messageExpression = CelRules.NAME_MESSAGE)
    private String clientCertificateSecretRef;

    @JsonPropertyDescription("The host name sent to members in SNI and, with caSecretRef, the name their certificates "
            + "must be for. Without it no name is sent and only the chain is verified.")
    @Size(min = 1, max = 253)
    @ValidationRule(value = "self.matches('^" + HOST_LABEL + "(\\\\." + HOST_LABEL + ")*$')",
            messageExpression = "'must be a host name in lower case such as members.example.com; \"' + self + '\" is "
                    + "not'")
    private String serverName;

    @JsonPropertyDescription("The TLS versions offered to members: TLSv1.2 and TLSv1.3. Default both.")
    @Size(min = 1, max = 2)
    @UniqueItems
    private List<ListenerTls.Version> versions;

    @JsonPropertyDescription("The TLS 1.2 cipher suites offered to members, by OpenSSL name separated by colons "
            + "(Octavia's tls_ciphers). Default: the amphora's.")
    @Size(min = 1, max = 1024)
    @ValidationRule(value = "self.split(':').all(c, c in " + ListenerTls.CIPHERS + ")",
            messageExpression = "'must be OpenSSL cipher suite names separated by colons, each one the amphora serves ("
                    + "such as ECDHE-RSA-AES128-GCM-SHA256); \"' + self.split(':').filter(c, !(c in "
                    + ListenerTls.CIPHERS + "))[0] + '\" is not'")
    private String ciphers;

    @JsonPropertyDescription("The ALPN protocols offered to members of an HTTP/1.1 pool: http/1.1 and http/1.0. "
            + "Default http/1.1. A pool with http2 offers h2 alone.")
    @Size(min = 1, max = 2)
    @UniqueItems
    @ValidationRule(value = "self.all(p, p != 'h2')", message = "h2 is offered to members by the pool's http2: true, "
            + "alone")
    private List<ListenerTls.AlpnProtocol> alpnProtocols;

    public String getCaSecretRef() {
        return caSecretRef;
    }

    public void setCaSecretRef(String caSecretRef) {
        this.caSecretRef = caSecretRef;
    }

    public String getCrlSecretRef() {
        return crlSecretRef;
    }

    public void setCrlSecretRef(String crlSecretRef) {
        this.crlSecretRef = crlSecretRef;
    }

    public String getClientCertificateSecretRef() {
        return clientCertificateSecretRef;
    }

    public void setClientCertificateSecretRef(String clientCertificateSecretRef) {
        this.clientCertificateSecretRef = clientCertificateSecretRef;
    }

    public String getServerName() {
        return serverName;
    }

    public void setServerName(String serverName) {
        this.serverName = serverName;
    }

    public List<ListenerTls.Version> getVersions() {
        return versions;
    }

    public void setVersions(List<ListenerTls.Version> versions) {
        this.versions = versions;
    }

    public String getCiphers() {
        return ciphers;
    }

    public void setCiphers(String ciphers) {
        this.ciphers = ciphers;
    }

    public List<ListenerTls.AlpnProtocol> getAlpnProtocols() {
        return alpnProtocols;
    }

    public void setAlpnProtocols(List<ListenerTls.AlpnProtocol> alpnProtocols) {
        this.alpnProtocols = alpnProtocols;
    }
}
