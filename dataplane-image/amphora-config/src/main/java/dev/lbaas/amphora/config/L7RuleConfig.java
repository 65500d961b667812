package dev.lbaas.amphora.config;

import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;
import java.util.Locale;
import java.util.Objects;

/**
 * One condition of an L7 policy, as Octavia defines it. The record refuses what the
 * amphora could not compile (a regular expression RE2 does not accept, a value its type cannot
 * compare with), so that the operator finds such a rule before any amphora sees it.
 *
 * @param key the header, cookie or subject field for HEADER, COOKIE and SSL_DN_FIELD; null otherwise
 * @param value what is compared with, as the user wrote it (without Octavia's surrounding quotes)
 * @param invert true matches the requests the comparison does not
 * @param adminStateUp false takes the rule out of its policy (null reads as true)
 */
public record L7RuleConfig(String id, Type type, CompareType compareType, String key, String value, boolean invert,
        Boolean adminStateUp) {

    /** An enabled rule. */
    public L7RuleConfig(String id, Type type, CompareType compareType, String key, String value, boolean invert) {
        this(id, type, compareType, key, value, invert, true);
    }

    /** What a rule looks at. */
    public enum Type {
        HOST_NAME, PATH, FILE_TYPE, HEADER, COOKIE, SSL_CONN_HAS_CERT, SSL_VERIFY_RESULT, SSL_DN_FIELD;

        /** Whether the rule names what it looks at with a key. */
        public boolean keyed() {
            return this == HEADER || this == COOKIE || this == SSL_DN_FIELD;
        }
    }

    /** How a rule compares. */
    public enum CompareType {
        REGEX, STARTS_WITH, ENDS_WITH, CONTAINS, EQUAL_TO
    }

    public L7RuleConfig {
        Validation.requireText(id, "l7rule.id");
        adminStateUp = !Boolean.FALSE.equals(adminStateUp);
        String field = "l7rule[" + id + "]";
        Objects.requireNonNull(type, field + ".type: must be set");
        Objects.requireNonNull(compareType, field + ".compareType: must be set");
        if (value == null || value.isEmpty()) {
            throw new IllegalArgumentException(field + ".value: must be set");
        }
        if (type.keyed() && (key == null || key.isEmpty())) {
            throw new IllegalArgumentException(field + ".key: required with type " + type);
        }
        if (!type.keyed() && key != null) {
            throw new IllegalArgumentException(field + ".key: only allowed with type HEADER, COOKIE or SSL_DN_FIELD, "
                    + "not " + type);
        }
        boolean equalOnly = type == Type.SSL_CONN_HAS_CERT || type == Type.SSL_VERIFY_RESULT;
        if (equalOnly && compareType != CompareType.EQUAL_TO
                || type == Type.FILE_TYPE && compareType != CompareType.EQUAL_TO && compareType != CompareType.REGEX) {
            throw new IllegalArgumentException(field + ".compareType: a " + type + " rule compares with "
                    + (equalOnly ? "EQUAL_TO only" : "EQUAL_TO or REGEX") + ", not " + compareType);
        }
        if (type == Type.SSL_CONN_HAS_CERT && !value.toLowerCase(Locale.ROOT).equals("true")) {
            throw new IllegalArgumentException(field + ".value: must be \"true\" for a SSL_CONN_HAS_CERT rule, got \""
                    + value + "\"");
        }
        if (type == Type.SSL_VERIFY_RESULT && !value.matches("[0-9]{1,9}")) {
            throw new IllegalArgumentException(field + ".value: must be a number for a SSL_VERIFY_RESULT rule, got \""
                    + value + "\"");
        }
        if (compareType == CompareType.REGEX) {
            try {
                Pattern.compile(value);
            } catch (PatternSyntaxException e) {
                throw new IllegalArgumentException(field + ".value: the regular expression \"" + value
                        + "\" does not compile: " + e.getDescription());
            }
        }
    }
}
