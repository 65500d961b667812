package dev.lbaas.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/** Octavia's session persistence: keep a client on the member it had. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "self.type == 'APP_COOKIE' || !has(self.cookieName)",
        message = "cookieName is only allowed with type APP_COOKIE", fieldPath = ".cookieName")
@ValidationRule(value = "self.type != 'APP_COOKIE' || has(self.cookieName)",
        message = "cookieName is required with type APP_COOKIE", fieldPath = ".cookieName")
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

    @JsonPropertyDescription("The application's cookie; required with APP_COOKIE and only allowed there.")
    @Size(min = 1, max = 255)
    private String cookieName;

    @JsonPropertyDescription("Seconds a SOURCE_IP entry is kept after its last use (UDP and SCTP pools).")
    @Min(1)
    private Integer persistenceTimeout;

    @JsonPropertyDescription("Netmask applied to client addresses for SOURCE_IP (UDP and SCTP pools).")
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
