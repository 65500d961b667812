package dev.lbaas.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/** Octavia's session persistence: keep a client on the member it had. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "self.type == 'APP_COOKIE' || !has(self.cookieName)", fieldPath = ".cookieName",
        messageExpression = "'only allowed with type APP_COOKIE, not ' + self.type + ': it names the application\\'s "
                + "own session cookie'")
@ValidationRule(value = "self.type != 'APP_COOKIE' || has(self.cookieName)", fieldPath = ".cookieName",
        message = "required with type APP_COOKIE: the name of the application's session cookie",
        reason = CelRules.REQUIRED)
@ValidationRule(value = "self.type != 'HTTP_COOKIE' || !has(self.persistenceTimeout)", fieldPath = ".persistenceTimeout",
        message = "not allowed with type HTTP_COOKIE: the inserted cookie lasts as long as the client's session, and "
                + "the amphora keeps no entry to expire")
@ValidationRule(value = "self.type == 'SOURCE_IP' || !has(self.persistenceGranularity)",
        fieldPath = ".persistenceGranularity",
        messageExpression = "'only allowed with type SOURCE_IP, not ' + self.type + ': a netmask groups client "
                + "addresses, which ' + self.type + ' does not use'")
public class SessionPersistence {

    /** Octavia's session persistence types. */
    public enum Type {
        SOURCE_IP,
        HTTP_COOKIE,
        APP_COOKIE
    }

    @JsonPropertyDescription("SOURCE_IP, HTTP_COOKIE (the amphora sets its own cookie) or APP_COOKIE (the "
            + "application's cookie named cookieName).")
    @Required
    private Type type;

    @JsonPropertyDescription("The application's cookie; required with APP_COOKIE and only allowed there. A cookie "
            + "name (RFC 6265 token): letters, digits and !#$%&'*+-.^_`|~.")
    @Size(min = 1, max = 255)
    @ValidationRule(value = "self.matches('^[-A-Za-z0-9!#$%&\\'*+.^_`|~]+$')",
            messageExpression = "'must be a cookie name: letters, digits and !#$%&\\'*+-.^_`|~ (no spaces, quotes, "
                    + "commas, semicolons or =); \"' + self + '\" is not'")
    private String cookieName;

    @JsonPropertyDescription("Seconds, 1 to 2678400 (31 days), a SOURCE_IP or APP_COOKIE entry is kept after its "
            + "last use. Default: entries stay until the table is full. Octavia takes it on UDP and SCTP pools; "
            + "the amphora serves it on every pool.")
    @Min(1)
    @Max(2_678_400)
    private Integer persistenceTimeout;

    @JsonPropertyDescription("SOURCE_IP only: an IPv4 netmask such as 255.255.255.0 applied to client addresses, so "
            + "that a whole network shares a member. Octavia takes it on UDP and SCTP pools; the amphora serves it "
            + "on every pool.")
    @Size(max = 15)
    @ValidationRule(value = "self.matches('" + CelRules.NETMASK + "')",
            messageExpression = "'must be an IPv4 netmask such as 255.255.255.0 (ones, then zeros); \"' + self + '\" is not'")
    private String persistenceGranularity;

    public Type getType() {
        return type;
    }

    public void setType(Type type) {
        this.type = type;
    }

    public String getCookieName() {
        return cookieName;
    }

    public void setCookieName(String cookieName) {
        this.cookieName = cookieName;
    }

    public Integer getPersistenceTimeout() {
        return persistenceTimeout;
    }

    public void setPersistenceTimeout(Integer persistenceTimeout) {
        this.persistenceTimeout = persistenceTimeout;
    }

    public String getPersistenceGranularity() {
        return persistenceGranularity;
    }

    public void setPersistenceGranularity(String persistenceGranularity) {
        this.persistenceGranularity = persistenceGranularity;
    }
}
