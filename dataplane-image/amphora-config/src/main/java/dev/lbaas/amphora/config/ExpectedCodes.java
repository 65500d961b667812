package dev.lbaas.amphora.config;

import java.util.BitSet;

/**
 * Octavia's expected_codes syntax: a single code ("200"), a list ("200, 202") or a range
 * ("200-204"), codes 100-599. The parsed form answers membership in constant time.
 */
public final class ExpectedCodes {

    private final BitSet codes;

    private ExpectedCodes(BitSet codes) {
        this.codes = codes;
    }

    public static ExpectedCodes parse(String text) {
        BitSet codes = new BitSet(600);
        for (String part : text.split(",")) {
            String item = part.trim();
            int dash = item.indexOf('-');
            int from = code(dash < 0 ? item : item.substring(0, dash), text);
            int to = dash < 0 ? from : code(item.substring(dash + 1), text);
            if (to < from) {
                throw new IllegalArgumentException("healthMonitor.expectedCodes: range " + item + " is reversed");
            }
            codes.set(from, to + 1);
        }
        return new ExpectedCodes(codes);
    }

    private static int code(String digits, String whole) {
        try {
            int code = Integer.parseInt(digits.trim());
            if (code >= 100 && code <= 599) {
                return code;
            }
        } catch (NumberFormatException e) {
            // reported below with the whole value
        }
        throw new IllegalArgumentException("healthMonitor.expectedCodes: \"" + whole
                + "\" must be a code, a list (200, 202) or a range (200-204) of codes 100-599");
    }

    public boolean matches(int statusCode) {
        return statusCode >= 0 && statusCode < 600 && codes.get(statusCode);
    }
}
