package dev.lbaas.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/**
 * A pool's members taken from a Service (beyond Octavia): the Service's ready endpoints become
 * members, and follow the pods as they come and go.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "has(self.port) || has(self.portName)", fieldPath = ".port",
        message = "one of port (the Service port's number) or portName (its name) is required",
        reason = CelRules.REQUIRED)
@ValidationRule(value = "!(has(self.port) && has(self.portName))", fieldPath = ".port",
        message = "port and portName name the same Service port two ways: set one of them")
public class MemberSelector {

    @JsonPropertyDescription("The Service (in the pool's namespace) whose ready endpoints are the members.")
    @Required
    @Size(min = 1, max = 63)
    @ValidationRule(value = CelRules.NAME, messageExpression = CelRules.NAME_MESSAGE)
    private String service;

    @JsonPropertyDescription("The Service port, by number: members get the port its targetPort names on each pod.")
    @Min(1)
    @Max(65535)
    private Integer port;

    @JsonPropertyDescription("The Service port, by name.")
    @Size(min = 1, max = 63)
    private String portName;

    @JsonPropertyDescription("The weight of every selected member, 0-256.")
    @Default("1")
    @Min(0)
    @Max(256)
    private Integer weight = 1;

    @JsonPropertyDescription("Whether the selected members are backups (Octavia's backup members).")
    @Default("false")
    private Boolean backup = false;

    public String getService() {
        return service;
    }

    public void setService(String service) {
        this.service = service;
    }

    public Integer getPort() {
        return port;
    }

    public void setPort(Integer port) {
        this.port = port;
    }

    public String getPortName() {
        return portName;
    }

    public void setPortName(String portName) {
        this.portName = portName;
    }

    public Integer getWeight() {
        return weight;
    }

    public void setWeight(Integer weight) {
        this.weight = weight;
    }

    public Boolean getBackup() {
        return backup;
    }

    public void setBackup(Boolean backup) {
        this.backup = backup;
    }
}
