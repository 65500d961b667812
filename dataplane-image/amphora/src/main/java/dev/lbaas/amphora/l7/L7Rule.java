package dev.lbaas.amphora.l7;

import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;
import java.util.Locale;
import java.util.Objects;
import java.util.function.Predicate;

/**
 * One condition of an L7 policy, compiled: what part of the request it looks at (its type and,
 * for HEADER, COOKIE and SSL_DN_FIELD, its key), how it compares (its compare type and value), and
 * whether the outcome is inverted. Host names compare without regard to case, as DNS names do;
 * everything else as received. A REGEX matches anywhere in the value unless anchored, as
 * HAProxy's {@code -m reg} does.
 */
public final class L7Rule {

    /** What a rule looks at. */
    public enum Type {
        HOST_NAME, PATH, FILE_TYPE, HEADER, COOKIE, SSL_CONN_HAS_CERT, SSL_VERIFY_RESULT, SSL_DN_FIELD
    }

    /** How a rule compares. */
    public enum Compare {
        REGEX, STARTS_WITH, ENDS_WITH, CONTAINS, EQUAL_TO
    }

    /** A rule that cannot be compiled: which one and why, for the listener's status. */
    public static final class Invalid extends IllegalArgumentException {
        Invalid(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private final String id;
    private final Type type;
    private final String key;
    private final boolean invert;
    private final Predicate<String> test;

    private L7Rule(String id, Type type, String key, boolean invert, Predicate<String> test) {
        this.id = id;
        this.type = type;
        this.key = key;
        this.invert = invert;
        this.test = test;
    }

    /**
     * Compiles a rule.
     *
     * @param id the rule's id, named by the errors
     * @param key the header, cookie or DN field for HEADER, COOKIE and SSL_DN_FIELD; else unused
     * @throws Invalid when its regular expression does not compile, or its value does not suit its type
     */
    public static L7Rule compile(String id, Type type, Compare compare, String key, String value, boolean invert) {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(compare, "compare");
        Objects.requireNonNull(value, "value");
        boolean keyed = type == Type.HEADER || type == Type.COOKIE || type == Type.SSL_DN_FIELD;
        if (keyed && (key == null || key.isEmpty())) {
            throw new Invalid("rule " + id + ": a " + type + " rule needs a key", null);
        }
        if ((type == Type.SSL_CONN_HAS_CERT || type == Type.SSL_VERIFY_RESULT) && compare != Compare.EQUAL_TO
                || type == Type.FILE_TYPE && compare != Compare.EQUAL_TO && compare != Compare.REGEX) {
            throw new Invalid("rule " + id + ": a " + type + " rule compares by "
                    + (type == Type.FILE_TYPE ? "EQUAL_TO or REGEX" : "EQUAL_TO") + ", not " + compare, null);
        }
        return new L7Rule(id, type, key, invert, switch (type) {
            case SSL_CONN_HAS_CERT -> {
                String wanted = value.strip().toLowerCase(Locale.ROOT);
                if (!wanted.equals("true") && !wanted.equals("false")) {
                    throw new Invalid("rule " + id + ": SSL_CONN_HAS_CERT compares with true or false, not \"" + value
                            + "\"", null);
                }
                yield wanted::equals;
            }
            case SSL_VERIFY_RESULT -> {
                int wanted;
                try {
                    wanted = Integer.parseInt(value.strip());
                } catch (NumberFormatException e) {
                    throw new Invalid("rule " + id + ": SSL_VERIFY_RESULT compares with a number, not \"" + value
                            + "\"", e);
                }
                String expected = Integer.toString(wanted);
                yield expected::equals;
            }
            // a pattern keeps its case (\D is not \d), and matches without regard to it
            case HOST_NAME -> comparison(id, compare, compare == Compare.REGEX ? value : value.toLowerCase(Locale.ROOT),
                    true);
            // the extension, with or without its dot
            case FILE_TYPE -> comparison(id, compare, compare == Compare.EQUAL_TO && value.startsWith(".")
                    ? value.substring(1) : value, false);
            default -> comparison(id, compare, value, false);
        });
    }

    private static Predicate<String> comparison(String id, Compare compare, String value, boolean lowerCase) {
        return switch (compare) {
            case EQUAL_TO -> value::equals;
            case STARTS_WITH -> actual -> actual.startsWith(value);
            case ENDS_WITH -> actual -> actual.endsWith(value);
            case CONTAINS -> actual -> actual.contains(value);
            case REGEX -> {
                Pattern pattern;
                try {
                    pattern = Pattern.compile(value, lowerCase ? Pattern.CASE_INSENSITIVE : 0);
                } catch (PatternSyntaxException e) {
                    throw new Invalid("rule " + id + ": the regular expression \"" + value + "\" does not compile: "
                            + e.getDescription(), e);
                }
                yield actual -> pattern.matcher(actual).find();
            }
        };
    }

    public String id() {
        return id;
    }

    /** Whether the request matches this rule (its inversion applied). */
    public boolean matches(RequestFacts request) {
        String actual = switch (type) {
            case HOST_NAME -> lower(request.host());
            case PATH -> request.path();
            case FILE_TYPE -> fileType(request.path());
            case HEADER -> request.header(key);
            case COOKIE -> request.cookie(key);
            case SSL_CONN_HAS_CERT -> Boolean.toString(request.clientCertificate());
            case SSL_VERIFY_RESULT -> request.clientCertificate() ? Integer.toString(request.verifyResult()) : null;
            case SSL_DN_FIELD -> request.subjectField(key);
        };
        // What is absent matches no comparison; inverted, it matches.
        boolean matched = actual != null && test.test(actual);
        return matched != invert;
    }

    /** What follows the last dot of the path's last segment, or null without one. */
    static String fileType(String path) {
        if (path == null) {
            return null;
        }
        int slash = path.lastIndexOf('/');
        int dot = path.lastIndexOf('.');
        return dot > slash && dot < path.length() - 1 ? path.substring(dot + 1) : null;
    }

    private static String lower(String value) {
        return value == null ? null : value.toLowerCase(Locale.ROOT);
    }

    @Override
    public String toString() {
        return "L7Rule[" + id + ", " + type + (key == null ? "" : " " + key) + (invert ? ", inverted" : "") + "]";
    }
}
