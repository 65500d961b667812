package dev.lbaas.api.v1alpha1;

/**
 * CEL rules used by more than one field, with messages that show the offending value. The API
 * server prefixes each message with the field's path, so a message says the rule and the value only.
 * Rules that read a string need the string's {@code @Size(max)}: the API server prices a rule by the
 * longest string it may see and refuses a rule over an unbounded one.
 */
final class CelRules {

    /**
     * The reason that makes the API server say "Required value"; every other rule gets
     * FieldValueForbidden from {@code CrdPostProcessor}.
     */
    static final String REQUIRED = "FieldValueRequired";

    /** For {@code self == oldSelf} on a string: what it was, and what to do instead. */
    static final String IMMUTABLE_MESSAGE = "'cannot be changed after creation (from \"' + oldSelf + '\" to \"' + self"
            + " + '\"): create a new object instead'";

    /** A Kubernetes object name (RFC 1123 subdomain): what every reference holds. */
    static final String NAME = "self.matches('^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$')";
    static final String NAME_MESSAGE = "'must be the name of a Kubernetes object: lower case letters, digits, "
            + "\"-\" and \".\", beginning and ending with a letter or digit; \"' + self + '\" is not'";

    /** The Gateway API's duration syntax: up to four number-unit pairs, units h, m, s, ms. */
    static final String DURATION = "self.matches('^([0-9]{1,5}(h|m|s|ms)){1,4}$')";
    static final String DURATION_MESSAGE = "'must be a duration such as 50s, 1m30s or 500ms (units h, m, s and ms); \"'"
            + " + self + '\" is not'";

    /**
     * Octavia's upper bound for listener timeouts (MAX_TIMEOUT, 24 days). Octavia's lower bound, 0
     * for "no timeout", is not served: the amphora always bounds how long a connection may idle.
     */
    static final String DURATION_POSITIVE_WITHIN_OCTAVIA = "!" + DURATION
            + " || (duration(self) > duration('0s') && duration(self) <= duration('576h'))";
    static final String DURATION_POSITIVE_WITHIN_OCTAVIA_MESSAGE = "'must be more than 0s (the amphora always bounds "
            + "it) and at most 576h (24 days, Octavia\\'s limit); ' + self + ' is not'";

    /** Octavia's bounds for timeout_tcp_inspect, where 0 means no inspection. */
    static final String DURATION_WITHIN_OCTAVIA = "!" + DURATION + " || duration(self) <= duration('576h')";
    static final String DURATION_WITHIN_OCTAVIA_MESSAGE = "'must be at most 576h (24 days, Octavia\\'s limit); ' + self"
            + " + ' is not'";

    /** An IPv4 or IPv6 address. */
    static final String IP = "isIP(self)";
    static final String IP_MESSAGE = "'must be an IPv4 or IPv6 address such as 192.0.2.10 or 2001:db8::10; \"' + self"
            + " + '\" is not'";

    /**
     * Octavia's reserved_ips default: the cloud metadata service, never a member. A string
     * comparison suffices: isIP admits one spelling of an IPv4 address only (no leading zeros, no
     * IPv4-mapped IPv6 form).
     */
    static final String NOT_RESERVED = "self != '169.254.169.254'";
    static final String NOT_RESERVED_MESSAGE = "'must not be 169.254.169.254, the cloud metadata service "
            + "(Octavia\\'s reserved_ips)'";

    private static final String MASK_OCTET = "(0|128|192|224|240|248|252|254|255)";

    /** An IPv4 netmask: ones, then zeros, as a CEL regex (in a single-quoted CEL string). */
    static final String NETMASK = "^(255\\\\.){3}" + MASK_OCTET + "$|^(255\\\\.){2}" + MASK_OCTET
            + "\\\\.0$|^255\\\\." + MASK_OCTET + "\\\\.0\\\\.0$|^" + MASK_OCTET + "\\\\.0\\\\.0\\\\.0$";

    private CelRules() {
    }
}
