package dev.lbaas.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Required;

/** HTTP Strict Transport Security: browsers keep to HTTPS for the host (Octavia's hsts_* fields). */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class Hsts {

    @JsonPropertyDescription("Seconds browsers keep to HTTPS, 0 (forget the host) to 2147483647 (Octavia's "
            + "hsts_max_age).")
    @Required
    @Min(0)
    @Max(Integer.MAX_VALUE)
    private Integer maxAgeSeconds;

    @JsonPropertyDescription("The host's subdomains too (includeSubDomains).")
    @Default("false")
    private Boolean includeSubdomains = false;

    @JsonPropertyDescription("Ask browsers to preload the host as HTTPS-only (preload).")
    @Default("false")
    private Boolean preload = false;

    public Integer getMaxAgeSeconds() {
        return maxAgeSeconds;
    }

    public void setMaxAgeSeconds(Integer maxAgeSeconds) {
        this.maxAgeSeconds = maxAgeSeconds;
    }

    public Boolean getIncludeSubdomains() {
        return includeSubdomains;
    }

    public void setIncludeSubdomains(Boolean includeSubdomains) {
        this.includeSubdomains = includeSubdomains;
    }

    public Boolean getPreload() {
        return preload;
    }

    public void setPreload(Boolean preload) {
        this.preload = preload;
    }
}
