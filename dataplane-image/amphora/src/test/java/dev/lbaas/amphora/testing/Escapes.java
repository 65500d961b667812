package dev.lbaas.amphora.testing;

/**
 * Raw bytes as one line of text and back (ISO-8859-1 strings, one char a byte): printable ASCII as
 * it is, {@code \r \n \t \\} and {@code \|} escaped, anything else as {@code \xHH}. A failing
 * differential case prints this way and is kept this way as a regression case.
 */
public final class Escapes {

    private Escapes() {
    }

    public static String escape(String bytes) {
        StringBuilder out = new StringBuilder(bytes.length() + 16);
        for (int i = 0; i < bytes.length(); i++) {
            char c = bytes.charAt(i);
            switch (c) {
                case '\r' -> out.append("\\r");
                case '\n' -> out.append("\\n");
                case '\t' -> out.append("\\t");
                case '\\' -> out.append("\\\\");
                case '|' -> out.append("\\|");
                default -> {
                    if (c >= 0x20 && c < 0x7f) {
                        out.append(c);
                    } else {
                        out.append(String.format("\\x%02x", (int) c & 0xff));
                    }
                }
            }
        }
        return out.toString();
    }

    public static String unescape(String text) {
        StringBuilder out = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c != '\\') {
                out.append(c);
                continue;
            }
            char next = text.charAt(++i);
            switch (next) {
                case 'r' -> out.append('\r');
                case 'n' -> out.append('\n');
                case 't' -> out.append('\t');
                case 'x' -> {
                    out.append((char) Integer.parseInt(text.substring(i + 1, i + 3), 16));
                    i += 2;
                }
                default -> out.append(next);
            }
        }
        return out.toString();
    }
}
