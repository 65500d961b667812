package dev.lbaas.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "self.timeoutSeconds < self.delaySeconds",
        message = "timeoutSeconds must be less than delaySeconds", fieldPath = ".timeoutSeconds")
@ValidationRule(value = "self.type in ['HTTP', 'HTTPS'] || !(has(self.httpMethod) || has(self.urlPath) || has(self.expectedCodes) || has(self.httpVersion) || has(self.domainName))",
        message = "httpMethod, urlPath, expectedCodes, httpVersion and domainName are only allowed with type HTTP or HTTPS")
@ValidationRule(value = "!has(self.domainName) || (has(self.httpVersion) && self.httpVersion == '1.1')",
        message = "domainName needs httpVersion 1.1", fieldPath = ".domainName")
public class HealthMonitorSpec {

    /** Octavia's health monitor types. */
    public enum Type {
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

    /** The HTTP methods Octavia allows for checks. */
    public enum HttpMethod {
        CONNECT,
        DELETE,
        GET,
        HEAD,
        OPTIONS,
        PATCH,
        POST,
        PUT,
        TRACE
    }

    @JsonPropertyDescription("The Pool (in this namespace) whose members are checked. One monitor per pool.")
    @Required
    @Size(min = 1, max = 253)
    @ValidationRule(value = "self == oldSelf", message = "poolRef is immutable")
    private String poolRef;

    @JsonPropertyDescription("HTTP, HTTPS, PING, TCP, TLS-HELLO, UDP-CONNECT or SCTP.")
    @Required
    private Type type;

    @JsonPropertyDescription("Seconds between checks (Octavia delay).")
    @Required
    @Min(1)
    @Max(86400)
    private Integer delaySeconds;

    @JsonPropertyDescription("Seconds one check may take; less than delaySeconds (Octavia timeout).")
    @Required
    @Min(1)
    @Max(86400)
    private Integer timeoutSeconds;

    @JsonPropertyDescription("Consecutive successes for a down member to be ONLINE again, 1-10.")
    @Required
    @Min(1)
    @Max(10)
    private Integer maxRetries;

    @JsonPropertyDescription("Consecutive failures for an online member to be ERROR, 1-10.")
    @Default("3")
    @Min(1)
    @Max(10)
    private Integer maxRetriesDown = 3;

    @JsonPropertyDescription("HTTP(S) checks: the request method. Default GET.")
    private HttpMethod httpMethod;

    @JsonPropertyDescription("HTTP(S) checks: the request path. Default /.")
    @Pattern("^/.*")
    @Size(max = 2048)
    private String urlPath;

    @JsonPropertyDescription("HTTP(S) checks: the answers that count as healthy: a code (200), a list (200, 202) "
            + "or a range (200-204). Default 200.")
    @Pattern("^([1-5][0-9][0-9](-[1-5][0-9][0-9])?)(\\s*,\\s*[1-5][0-9][0-9](-[1-5][0-9][0-9])?)*$")
    private String expectedCodes;

    @JsonPropertyDescription("HTTP(S) checks: 1.0 or 1.1. Default 1.0.")
    @Pattern("^1\\.[01]$")
    private String httpVersion;

    @JsonPropertyDescription("HTTP(S) checks: the Host header sent; needs httpVersion 1.1.")
    @Pattern("^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
    @Size(max = 253)
    private String domainName;

    @JsonPropertyDescription("false stops the checks; members are then taken as up.")
    @Default("true")
    private Boolean adminStateUp = true;

    public String getPoolRef() {
        return poolRef;
    }

    public void setPoolRef(String poolRef) {
        this.poolRef = poolRef;
    }

    public Type getType() {
        return type;
    }

    public void setType(Type type) {
        this.type = type;
    }

    public Integer getDelaySeconds() {
        return delaySeconds;
    }

    public void setDelaySeconds(Integer delaySeconds) {
        this.delaySeconds = delaySeconds;
    }

    public Integer getTimeoutSeconds() {
        return timeoutSeconds;
    }

    public void setTimeoutSeconds(Integer timeoutSeconds) {
        this.timeoutSeconds = timeoutSeconds;
    }

    public Integer getMaxRetries() {
        return maxRetries;
    }

    public void setMaxRetries(Integer maxRetries) {
        this.maxRetries = maxRetries;
    }

    public Integer getMaxRetriesDown() {
        return maxRetriesDown;
    }

    public void setMaxRetriesDown(Integer maxRetriesDown) {
        this.maxRetriesDown = maxRetriesDown;
    }

    public HttpMethod getHttpMethod() {
        return httpMethod;
    }

    public void setHttpMethod(HttpMethod httpMethod) {
        this.httpMethod = httpMethod;
    }

    public String getUrlPath() {
        return urlPath;
    }

    public void setUrlPath(String urlPath) {
        this.urlPath = urlPath;
    }

    public String getExpectedCodes() {
        return expectedCodes;
    }

    public void setExpectedCodes(String expectedCodes) {
        this.expectedCodes = expectedCodes;
    }

    public String getHttpVersion() {
        return httpVersion;
    }

    public void setHttpVersion(String httpVersion) {
        this.httpVersion = httpVersion;
    }

    public String getDomainName() {
        return domainName;
    }

    public void setDomainName(String domainName) {
        this.domainName = domainName;
    }

    public Boolean getAdminStateUp() {
        return adminStateUp;
    }

    public void setAdminStateUp(Boolean adminStateUp) {
        this.adminStateUp = adminStateUp;
    }
}
