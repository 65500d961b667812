package dev.lbaas.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "self.action != 'REDIRECT_TO_POOL' || has(self.redirectPoolRef)", fieldPath = ".redirectPoolRef",
        message = "required with action REDIRECT_TO_POOL: the Pool that gets the matching requests",
        reason = CelRules.REQUIRED)
@ValidationRule(value = "self.action == 'REDIRECT_TO_POOL' || !has(self.redirectPoolRef)", fieldPath = ".redirectPoolRef",
        messageExpression = "'only allowed with action REDIRECT_TO_POOL, not ' + self.action")
@ValidationRule(value = "self.action != 'REDIRECT_TO_URL' || has(self.redirectUrl)", fieldPath = ".redirectUrl",
        message = "required with action REDIRECT_TO_URL: where matching requests are redirected",
        reason = CelRules.REQUIRED)
@ValidationRule(value = "self.action == 'REDIRECT_TO_URL' || !has(self.redirectUrl)", fieldPath = ".redirectUrl",
        messageExpression = "'only allowed with action REDIRECT_TO_URL, not ' + self.action")
@ValidationRule(value = "self.action != 'REDIRECT_PREFIX' || has(self.redirectPrefix)", fieldPath = ".redirectPrefix",
        message = "required with action REDIRECT_PREFIX: what is put before the request's path and query",
        reason = CelRules.REQUIRED)
@ValidationRule(value = "self.action == 'REDIRECT_PREFIX' || !has(self.redirectPrefix)", fieldPath = ".redirectPrefix",
        messageExpression = "'only allowed with action REDIRECT_PREFIX, not ' + self.action")
@ValidationRule(value = "!has(self.redirectHttpCode) || self.action in ['REDIRECT_TO_URL', 'REDIRECT_PREFIX']",
        fieldPath = ".redirectHttpCode",
        messageExpression = "'only allowed with action REDIRECT_TO_URL or REDIRECT_PREFIX, not ' + self.action")
public class L7PolicySpec {

    /**
     * An absolute http or https URL in printable ASCII (no spaces or control characters, which
     * would break the Location header), with a host.
     */
    private static final String HTTP_URL = "self.matches('^[hH][tT][tT][pP][sS]?://[!-~]+$') && isURL(self) "
            + "&& url(self).getHostname() != ''";

    /** The value as a message shows it: the API server refuses a message that spans lines. */
    private static final String SHOWN = "self.replace('\\r', '\\\\r').replace('\\n', '\\\\n')";

    /** Octavia's L7 policy actions. */
    public enum Action {
        REJECT,
        REDIRECT_TO_URL,
        REDIRECT_TO_POOL,
        REDIRECT_PREFIX
    }

    @JsonPropertyDescription("The Listener (in this namespace), HTTP or TERMINATED_HTTPS, whose requests this policy "
            + "looks at. Immutable.")
    @Required
    @Size(min = 1, max = 253)
    @ValidationRule(value = CelRules.NAME, messageExpression = CelRules.NAME_MESSAGE)
    @ValidationRule(value = "self == oldSelf", messageExpression = CelRules.IMMUTABLE_MESSAGE)
    private String listenerRef;

    @JsonPropertyDescription("What a matching request gets: REJECT (403 Forbidden), REDIRECT_TO_URL (a redirect to "
            + "redirectUrl), REDIRECT_PREFIX (a redirect to redirectPrefix followed by the request's path and query) "
            + "or REDIRECT_TO_POOL (served by redirectPoolRef instead of the listener's default pool).")
    @Required
    private Action action;

    @JsonPropertyDescription("REDIRECT_TO_POOL: the Pool (in this namespace, of the same load balancer) that serves "
            + "the matching requests.")
    @Size(min = 1, max = 253)
    @ValidationRule(value = CelRules.NAME, messageExpression = CelRules.NAME_MESSAGE)
    private String redirectPoolRef;

    @JsonPropertyDescription("REDIRECT_TO_URL: the absolute http or https URL sent as the Location.")
    @Size(min = 1, max = 2048)
    @ValidationRule(value = HTTP_URL, messageExpression = "'must be an absolute http or https URL with a host, in "
            + "printable ASCII without spaces, such as https://www.example.com/moved; \"' + " + SHOWN + " + '\" is not'")
    private String redirectUrl;

    @JsonPropertyDescription("REDIRECT_PREFIX: an http or https URL (scheme, host, optionally a path) the request's "
            + "path and query are appended to, such as https://www.example.com.")
    @Size(min = 1, max = 2048)
    @ValidationRule(value = HTTP_URL, messageExpression = "'must be an absolute http or https URL with a host, in "
            + "printable ASCII without spaces, such as https://www.example.com; \"' + " + SHOWN + " + '\" is not'")
    @ValidationRule(value = "!self.contains('?') && !self.contains('#')",
            messageExpression = "'must not hold a query or a fragment: the request\\'s path and query follow it; \"' + "
                    + "self + '\" does'")
    private String redirectPrefix;

    @JsonPropertyDescription("REDIRECT_TO_URL and REDIRECT_PREFIX: the redirect's status code, 301, 302, 303, 307 or "
            + "308. Default 302.")
    @Min(301)
    @Max(308)
    @ValidationRule(value = "self in [301, 302, 303, 307, 308] || self < 301 || self > 308",
            // string(self) is priced as unbounded; @Min and @Max refuse the others
            messageExpression = "'must be 301, 302, 303, 307 or 308; ' + (self == 304 ? '304' : self == 305 ? '305' "
                    + ": '306') + ' is not'")
    private Integer redirectHttpCode;

    @JsonPropertyDescription("Where this policy is tried among the listener's policies, 1 first. Policies with the "
            + "same position are tried oldest first; without a position a policy comes after those with one.")
    @Min(1)
    @Max(Integer.MAX_VALUE)
    private Integer position;

    @JsonPropertyDescription("false takes the policy out: requests are no longer tried against it.")
    @Default("true")
    private Boolean adminStateUp = true;

    @JsonPropertyDescription("Free text for people.")
    @Size(max = 255)
    private String description;

    public String getListenerRef() {
        return listenerRef;
    }

    public void setListenerRef(String listenerRef) {
        this.listenerRef = listenerRef;
    }

    public Action getAction() {
        return action;
    }

    public void setAction(Action action) {
        this.action = action;
    }

    public String getRedirectPoolRef() {
        return redirectPoolRef;
    }

    public void setRedirectPoolRef(String redirectPoolRef) {
        this.redirectPoolRef = redirectPoolRef;
    }

    public String getRedirectUrl() {
        return redirectUrl;
    }

    public void setRedirectUrl(String redirectUrl) {
        this.redirectUrl = redirectUrl;
    }

    public String getRedirectPrefix() {
        return redirectPrefix;
    }

    public void setRedirectPrefix(String redirectPrefix) {
        this.redirectPrefix = redirectPrefix;
    }

    public Integer getRedirectHttpCode() {
        return redirectHttpCode;
    }

    public void setRedirectHttpCode(Integer redirectHttpCode) {
        this.redirectHttpCode = redirectHttpCode;
    }

    public Integer getPosition() {
        return position;
    }

    public void setPosition(Integer position) {
        this.position = position;
    }

    public Boolean getAdminStateUp() {
        return adminStateUp;
    }

    public void setAdminStateUp(Boolean adminStateUp) {
        this.adminStateUp = adminStateUp;
    }

    public String getDescription() {
        return description;
    }

    public void setDescription(String description) {
        this.description = description;
    }
}
