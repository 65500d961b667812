package dev.lbaas.amphora.proxy.http.codec;

/**
 * Follows the name of a field line byte by byte, for the scanners of heads and trailers, and
 * tells at its colon whether it named one of the framing fields, ignoring case.
 */
final class FramingFieldName {

    /** What a field line's name turned out to be. */
    enum Named {
        CONTENT_LENGTH, TRANSFER_ENCODING, OTHER
    }

    private static final String CONTENT_LENGTH = "content-length";
    private static final String TRANSFER_ENCODING = "transfer-encoding";

    /** How much of the name has come; -1 outside a name. */
    private int length = -1;
    private boolean contentLength;
    private boolean transferEncoding;

    /** A field line begins: its name is what comes up to the colon. */
    void lineStarts() {
        length = 0;
        contentLength = true;
        transferEncoding = true;
    }

    /** Outside a name (its colon came, or no line has started): bytes are not followed. */
    void reset() {
        length = -1;
    }

    /** Takes the next byte of the line: what the name was when {@code b} is its colon, else null. */
    Named follow(byte b) {
        if (length < 0) {
            return null;
        }
        if (b == ':') {
            Named named = contentLength && length == CONTENT_LENGTH.length() ? Named.CONTENT_LENGTH
                    : transferEncoding && length == TRANSFER_ENCODING.length() ? Named.TRANSFER_ENCODING : Named.OTHER;
            length = -1;
            return named;
        }
        char lower = Character.toLowerCase((char) (b & 0xff));
        contentLength &= length < CONTENT_LENGTH.length() && lower == CONTENT_LENGTH.charAt(length);
        transferEncoding &= length < TRANSFER_ENCODING.length() && lower == TRANSFER_ENCODING.charAt(length);
        length++;
        return null;
    }
}
