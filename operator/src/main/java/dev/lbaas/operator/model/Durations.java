package dev.lbaas.operator.model;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parses the Gateway API duration syntax used in specs ("50s", "1m30s", "500ms"). */
public final class Durations {

    private static final Pattern PART = Pattern.compile("([0-9]{1,5})(h|ms|m|s)");

    private Durations() {
    }

    /** The duration in milliseconds, or {@code defaultMillis} when the text is null. */
    public static long toMillis(String text, long defaultMillis) {
        if (text == null) {
            return defaultMillis;
        }
        Matcher matcher = PART.matcher(text);
        long total = 0;
        int end = 0;
        while (matcher.find() && matcher.start() == end) {
            long value = Long.parseLong(matcher.group(1));
            total += switch (matcher.group(2)) {
                case "h" -> value * 3_600_000;
                case "m" -> value * 60_000;
                case "s" -> value * 1_000;
                default -> value;
            };
            end = matcher.end();
        }
        if (end != text.length() || end == 0) {
            throw new IllegalArgumentException("\"" + text + "\" is not a duration such as 50s, 1m30s or 500ms");
        }
        return total;
    }
}
