package dev.lbaas.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "self.timeoutSeconds < self.delaySeconds", fieldPath = ".timeoutSeconds",
        message = "must be less than delaySeconds: a check must end before the next one starts")
@ValidationRule(value = "!has(self.httpMethod) || self.type in ['HTTP', 'HTTPS']", fieldPath = ".httpMethod",
        messageExpression = HealthMonitorSpec.HTTP_ONLY_MESSAGE)
@ValidationRule(value = "!has(self.urlPath) || self.type in ['HTTP', 'HTTPS']", fieldPath = ".urlPath",
        messageExpression = HealthMonitorSpec.HTTP_ONLY_MESSAGE)
@ValidationRule(value = "!has(self.expectedCodes) || self.type in ['HTTP', 'HTTPS']", fieldPath = ".expectedCodes",
        messageExpression = HealthMonitorSpec.HTTP_ONLY_MESSAGE)
@ValidationRule(value = "!has(self.httpVersion) || self.type in ['HTTP', 'HTTPS']", fieldPath = ".httpVersion",
        messageExpression = HealthMonitorSpec.HTTP_ONLY_MESSAGE)
@ValidationRule(value = "!has(self.domainName) || self.type in ['HTTP', 'HTTPS']", fieldPath = ".domainName",
        messageExpression = HealthMonitorSpec.HTTP_ONLY_MESSAGE)
@ValidationRule(value = "!has(self.domainName) || (has(self.httpVersion) && self.httpVersion == '1.1')",
        fieldPath = ".domainName",
        message = "needs httpVersion \"1.1\": HTTP/1.0 requests carry no Host header")
public class HealthMonitorSpec {

    /** A label of a host name (RFC 1123), as a CEL regex. */
    private static final String HOST_LABEL = "[A-Za-z0-9]([-A-Za-z0-9]{0,61}[A-Za-z0-9])?";

    static final String HTTP_ONLY_MESSAGE = "'only allowed with type HTTP or HTTPS, not ' + self.type";

    /** Octavia's expected_codes syntax, extended to lists of codes and ranges: "200", "200, 202", "200-204, 301". */
    private static final String EXPECTED_CODES =
            "^[1-5][0-9][0-9](-[1-5][0-9][0-9])?( *, *[1-5][0-9][0-9](-[1-5][0-9][0-9])?)*$";

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

    @JsonPropertyDescription("The Pool (in this namespace) whose members are checked. One monitor per pool. Immutable.")
    @Required
    @Size(min = 1, max = 253)
    @ValidationRule(value = CelRules.NAME, messageExpression = CelRules.NAME_MESSAGE)
    @ValidationRule(value = "self == oldSelf", messageExpression = CelRules.IMMUTABLE_MESSAGE)
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

    @JsonPropertyDescription("HTTP(S) checks: the request target, a path beginning with / and an optional ?query, "
            + "in printable ASCII without spaces or #. Default /.")
    @Size(min = 1, max = 2048)
    @ValidationRule(value = "self.matches('^/[!-~]*$') && !self.contains('#')",
            messageExpression = "'must be a path beginning with / and an optional ?query, in printable ASCII without "
                    + "spaces or #, such as /healthz; \"' + self + '\" is not'")
    private String urlPath;

    @JsonPropertyDescription("HTTP(S) checks: the answers that count as healthy: a code (200), a list (200, 202), "
            + "a range (200-204) or a list of both, codes 100-599, each range from low to high. Default 200.")
    @Size(min = 1, max = 256)
    @ValidationRule(value = "self.matches('" + EXPECTED_CODES + "')",
            messageExpression = "'must be a status code, a list or a range of codes 100-599 such as 200, "
                    + "\"200, 202\" or 200-204; \"' + self + '\" is not'")
    @ValidationRule(value = "!self.matches('" + EXPECTED_CODES + "') || self.split(',').all(part, "
            + "!part.contains('-') || int(part.trim().split('-')[0]) <= int(part.trim().split('-')[1]))",
            messageExpression = "'a range must go from the lower code to the higher (200-204, not 204-200); \"' + self"
                    + " + '\" does not'")
    private String expectedCodes;

    @JsonPropertyDescription("HTTP(S) checks: \"1.0\" or \"1.1\". Default 1.0.")
    @Size(max = 16)
    @ValidationRule(value = "self in ['1.0', '1.1']",
            messageExpression = "'must be \"1.0\" or \"1.1\"; \"' + self + '\" is not'")
    private String httpVersion;

    @JsonPropertyDescription("HTTP(S) checks: the Host header sent, a host name such as health.example.com; needs "
            + "httpVersion 1.1.")
    @Size(max = 253)
    @ValidationRule(value = "self.matches('^" + HOST_LABEL + "(\\\\." + HOST_LABEL + ")*$')",
            messageExpression = "'must be a host name such as health.example.com: labels of letters, digits and "
                    + "\"-\" separated by dots; \"' + self + '\" is not'")
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
