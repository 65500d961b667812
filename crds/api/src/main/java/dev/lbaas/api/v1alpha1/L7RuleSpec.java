package dev.lbaas.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "!(self.type in ['HEADER', 'COOKIE', 'SSL_DN_FIELD']) || has(self.key)", fieldPath = ".key",
        messageExpression = "'required with type ' + self.type + ': the name of the '"
                + " + (self.type == 'HEADER' ? 'header field' : self.type == 'COOKIE' ? 'cookie' : "
                + "'field of the client certificate\\'s subject') + ' to compare'",
        reason = CelRules.REQUIRED)
@ValidationRule(value = "self.type in ['HEADER', 'COOKIE', 'SSL_DN_FIELD'] || !has(self.key)", fieldPath = ".key",
        messageExpression = "'only allowed with type HEADER, COOKIE or SSL_DN_FIELD, not ' + self.type")
@ValidationRule(value = "!has(self.key) || self.type == 'SSL_DN_FIELD' || self.key.matches('" + L7RuleSpec.TOKEN + "')",
        fieldPath = ".key",
        messageExpression = "'must be a ' + (self.type == 'COOKIE' ? 'cookie' : 'header field') + ' name: letters, "
                + "digits and !#$%&\\'*+-.^_`|~; \"' + " + L7RuleSpec.KEY_SHOWN + " + '\" is not'")
@ValidationRule(value = "!has(self.key) || self.type != 'SSL_DN_FIELD' || self.key.matches('^[A-Za-z][A-Za-z0-9-]*$')",
        fieldPath = ".key",
        messageExpression = "'must be a distinguished name field such as CN, O or OU: a letter, then letters, digits "
                + "and -; \"' + " + L7RuleSpec.KEY_SHOWN + " + '\" is not'")
@ValidationRule(value = "!(self.type in ['SSL_CONN_HAS_CERT', 'SSL_VERIFY_RESULT']) || self.compareType == 'EQUAL_TO'",
        fieldPath = ".compareType",
        messageExpression = "'a ' + self.type + ' rule compares with EQUAL_TO only, not ' + self.compareType")
@ValidationRule(value = "self.type != 'FILE_TYPE' || self.compareType in ['EQUAL_TO', 'REGEX']",
        fieldPath = ".compareType",
        messageExpression = "'a FILE_TYPE rule compares with EQUAL_TO or REGEX, not ' + self.compareType")
@ValidationRule(value = "self.type != 'SSL_CONN_HAS_CERT' || self.value.lowerAscii() == 'true'", fieldPath = ".value",
        messageExpression = "'must be \"true\" for a SSL_CONN_HAS_CERT rule (invert it to match connections without a "
                + "certificate); \"' + " + L7RuleSpec.VALUE_SHOWN + " + '\" is not'")
@ValidationRule(value = "self.type != 'SSL_VERIFY_RESULT' || self.value.matches('^[0-9]{1,9}$')", fieldPath = ".value",
        messageExpression = "'must be the verification result to compare with, a number such as 0 (verified); \"' + "
                + L7RuleSpec.VALUE_SHOWN + " + '\" is not'")
@ValidationRule(value = "self.compareType == 'REGEX' || !(self.type in ['HOST_NAME', 'PATH', 'FILE_TYPE', 'HEADER']) "
        + "|| self.value.matches('" + L7RuleSpec.HEADER_VALUE + "')",
        fieldPath = ".value",
        messageExpression = "'must be printable ASCII without spaces, or a \"quoted\" string that may hold spaces; "
                + "\"' + " + L7RuleSpec.VALUE_SHOWN + " + '\" is not'")
@ValidationRule(value = "self.compareType == 'REGEX' || self.type != 'COOKIE' || self.value.matches('"
        + L7RuleSpec.COOKIE_VALUE + "')",
        fieldPath = ".value",
        messageExpression = "'must be a cookie value: printable ASCII without spaces, quotes, commas, semicolons or "
                + "backslashes; \"' + " + L7RuleSpec.VALUE_SHOWN + " + '\" is not'")
// A regular expression RE2 cannot compile fails the evaluation itself: the API server's error names
// the expression and what is wrong with it, which no message of ours could.
@ValidationRule("self.compareType != 'REGEX' || ''.matches(self.value) || !''.matches(self.value)")
public class L7RuleSpec {

    /** The key and the value as messages show them: the API server refuses a message that spans lines. */
    static final String KEY_SHOWN = "self.key.replace('\\r', '\\\\r').replace('\\n', '\\\\n')";
    static final String VALUE_SHOWN = "self.value.replace('\\r', '\\\\r').replace('\\n', '\\\\n')";

    /** An HTTP token (RFC 9110): a header field or cookie name. */
    static final String TOKEN = "^[-A-Za-z0-9!#$%&\\'*+.^_`|~]+$";

    /** Octavia's rule values: printable ASCII without spaces, or a double-quoted string with spaces and tabs. */
    static final String HEADER_VALUE = "^[!-~]+$|^\"[ \\\\t!-~]*\"$";

    /** A cookie value (RFC 6265 cookie-octet). */
    static final String COOKIE_VALUE = "^[!#-+\\\\--:<-\\\\[\\\\]-~]+$";

    /** What a rule looks at. */
    public enum Type {
        HOST_NAME,
        PATH,
        FILE_TYPE,
        HEADER,
        COOKIE,
        SSL_CONN_HAS_CERT,
        SSL_VERIFY_RESULT,
        SSL_DN_FIELD
    }

    /** How a rule compares. */
    public enum CompareType {
        REGEX,
        STARTS_WITH,
        ENDS_WITH,
        CONTAINS,
        EQUAL_TO
    }

    @JsonPropertyDescription("The L7Policy (in this namespace) this rule is a condition of. Immutable.")
    @Required
    @Size(min = 1, max = 253)
    @ValidationRule(value = CelRules.NAME, messageExpression = CelRules.NAME_MESSAGE)
    @ValidationRule(value = "self == oldSelf", messageExpression = CelRules.IMMUTABLE_MESSAGE)
    private String l7PolicyRef;

    @JsonPropertyDescription("What the rule looks at: HOST_NAME (the Host header, without regard to case), PATH, "
            + "FILE_TYPE (the path's extension), HEADER or COOKIE (the one named by key), SSL_CONN_HAS_CERT, "
            + "SSL_VERIFY_RESULT or SSL_DN_FIELD (the client certificate on a TERMINATED_HTTPS listener).")
    @Required
    private Type type;

    @JsonPropertyDescription("REGEX (RE2 syntax, matching anywhere unless anchored), STARTS_WITH, ENDS_WITH, CONTAINS "
            + "or EQUAL_TO.")
    @Required
    private CompareType compareType;

    @JsonPropertyDescription("HEADER, COOKIE and SSL_DN_FIELD: the header field, cookie or subject field (CN, O, OU, "
            + "...) compared; only allowed with those types.")
    @Size(min = 1, max = 255)
    private String key;

    @JsonPropertyDescription("What is compared with: a string, an RE2 regular expression with REGEX, \"true\" for "
            + "SSL_CONN_HAS_CERT, a number for SSL_VERIFY_RESULT.")
    @Required
    @Size(min = 1, max = 255)
    private String value;

    @JsonPropertyDescription("true inverts the outcome: the rule matches the requests the comparison does not.")
    @Default("false")
    private Boolean invert = false;

    @JsonPropertyDescription("false takes the rule out of its policy; a policy without enabled rules matches nothing.")
    @Default("true")
    private Boolean adminStateUp = true;

    public String getL7PolicyRef() {
        return l7PolicyRef;
    }

    public void setL7PolicyRef(String l7PolicyRef) {
        this.l7PolicyRef = l7PolicyRef;
    }

    public Type getType() {
        return type;
    }

    public void setType(Type type) {
        this.type = type;
    }

    public CompareType getCompareType() {
        return compareType;
    }

    public void setCompareType(CompareType compareType) {
        this.compareType = compareType;
    }

    public String getKey() {
        return key;
    }

    public void setKey(String key) {
        this.key = key;
    }

    public String getValue() {
        return value;
    }

    public void setValue(String value) {
        this.value = value;
    }

    public Boolean getInvert() {
        return invert;
    }

    public void setInvert(Boolean invert) {
        this.invert = invert;
    }

    public Boolean getAdminStateUp() {
        return adminStateUp;
    }

    public void setAdminStateUp(Boolean adminStateUp) {
        this.adminStateUp = adminStateUp;
    }
}
