package dev.lbaas.amphora.proxy.http.codec;

import io.netty.buffer.ByteBuf;

/**
 * Checks a chunked request body against RFC 9112, 7.1 as its bytes arrive, beside Netty's
 * decoder, which reads the chunks but lets some invalid chunk lines pass (an extension with no
 * name, {@code 5;}). Chunk sizes are hex digits; an extension is {@code ;name} or
 * {@code ;name=token} or {@code ;name="quoted"}, with optional whitespace before the {@code ;}
 * and around the {@code =}; every line ends with CRLF, and so does every chunk's data; the
 * trailer section is field lines, none folded and none a framing field, up to an empty line,
 * which ends the body and the scan. The amphora drops extensions and sends the chunks on in its own spelling, so this is
 * about the boundaries: a body that one parser could cut elsewhere than another is refused.
 */
final class ChunkedBodyScanner {

    private enum State {
        SIZE_START, SIZE, SIZE_SPACE, NAME_START, NAME, AFTER_NAME, VALUE_START, TOKEN, QUOTED, ESCAPED,
        AFTER_QUOTED, AFTER_VALUE, LINE_LF, DATA, DATA_CR, DATA_LF, TRAILER_START, TRAILER, TRAILER_LF, END_LF, ENDED
    }

    /** More hex digits than this is a size no body has, and a long would overflow. */
    private static final int MAX_SIZE_DIGITS = 15;

    private final FramingFieldName trailerName = new FramingFieldName();
    private State state = State.SIZE_START;
    private long size;
    private int digits;
    private long left;
    private String violation;

    void reset() {
        state = State.SIZE_START;
        size = 0;
        digits = 0;
        left = 0;
        violation = null;
    }

    /** What the last scan that returned -1 found. */
    String violation() {
        return violation;
    }

    /**
     * Scans the bytes from {@code from} to {@code to} of the body.
     *
     * @return how many were scanned (fewer than offered when the body ends among them), or -1
     *     when they break the syntax, then named by {@link #violation()}
     */
    int scan(ByteBuf buffer, int from, int to) {
        int i = from;
        while (i < to) {
            if (state == State.ENDED) {
                break;
            }
            if (state == State.DATA) {
                int take = (int) Math.min(left, to - i);
                left -= take;
                i += take;
                if (left == 0) {
                    state = State.DATA_CR;
                }
                continue;
            }
            if (!step(buffer.getByte(i))) {
                return -1;
            }
            i++;
        }
        return i - from;
    }

    private boolean step(byte b) {
        switch (state) {
            case SIZE_START, SIZE -> {
                int digit = Character.digit(b, 16);
                if (digit >= 0) {
                    if (++digits > MAX_SIZE_DIGITS) {
                        return refuse("a chunk size of more than " + MAX_SIZE_DIGITS + " digits");
                    }
                    size = size * 16 + digit;
                    state = State.SIZE;
                    return true;
                }
                if (state == State.SIZE_START) {
                    return refuse("a chunk line must start with its size in hex digits");
                }
                return afterSize(b);
            }
            case SIZE_SPACE -> {
                return isSpace(b) || b == ';' && to(State.NAME_START) || refuse("whitespace after a chunk size must come before ;");
            }
            case NAME_START -> {
                return isSpace(b) || isTokenChar(b) && to(State.NAME) || refuse("a chunk extension must have a name");
            }
            case NAME -> {
                return isTokenChar(b) || b == '=' && to(State.VALUE_START) || b == ';' && to(State.NAME_START)
                        || isSpace(b) && to(State.AFTER_NAME) || b == '\r' && to(State.LINE_LF)
                        || refuse("a chunk extension's name is a token");
            }
            case AFTER_NAME -> {
                return isSpace(b) || b == '=' && to(State.VALUE_START) || b == ';' && to(State.NAME_START)
                        || refuse("whitespace in a chunk extension must come before = or ;");
            }
            case VALUE_START -> {
                return isSpace(b) || b == '"' && to(State.QUOTED) || isTokenChar(b) && to(State.TOKEN)
                        || refuse("a chunk extension's value is a token or a quoted string");
            }
            case TOKEN -> {
                return isTokenChar(b) || b == ';' && to(State.NAME_START) || isSpace(b) && to(State.AFTER_VALUE)
                        || b == '\r' && to(State.LINE_LF) || refuse("a chunk extension's value is a token or a quoted string");
            }
            case QUOTED -> {
                return b == '"' && to(State.AFTER_QUOTED) || b == '\\' && to(State.ESCAPED) || isQuotedText(b)
                        || refuse("a quoted chunk extension value holds no control characters");
            }
            case ESCAPED -> {
                return (isQuotedText(b) || b == '"' || b == '\\') && to(State.QUOTED)
                        || refuse("a quoted chunk extension value holds no control characters");
            }
            case AFTER_QUOTED -> {
                return b == ';' && to(State.NAME_START) || isSpace(b) && to(State.AFTER_VALUE)
                        || b == '\r' && to(State.LINE_LF) || refuse("a quoted chunk extension value ends the extension");
            }
            case AFTER_VALUE -> {
                return isSpace(b) || b == ';' && to(State.NAME_START)
                        || refuse("whitespace after a chunk extension must come before ;");
            }
            case LINE_LF -> {
                if (b != '\n') {
                    return refuse("a chunk line must end with CRLF");
                }
                if (size == 0) {
                    state = State.TRAILER_START;
                } else {
                    left = size;
                    state = State.DATA;
                }
                return true;
            }
            case DATA_CR -> {
                return b == '\r' && to(State.DATA_LF) || refuse("a chunk's data must end with CRLF");
            }
            case DATA_LF -> {
                if (b != '\n') {
                    return refuse("a chunk's data must end with CRLF");
                }
                size = 0;
                digits = 0;
                state = State.SIZE_START;
                return true;
            }
            case TRAILER_START -> {
                if (b == '\r') {
                    return to(State.END_LF);
                }
                if (isSpace(b) || b == '\n') {
                    return refuse("a trailer line must not start with whitespace");
                }
                trailerName.lineStarts();
                trailerName.follow(b);
                return to(State.TRAILER);
            }
            case TRAILER -> {
                FramingFieldName.Named named = trailerName.follow(b);
                if (named != null && named != FramingFieldName.Named.OTHER) {
                    // Netty drops them; llhttp refuses them; neither may frame anything here
                    return refuse("a trailer may not carry Content-Length or Transfer-Encoding");
                }
                return b == '\r' && to(State.TRAILER_LF) || b != '\n' || refuse("a trailer line must end with CRLF");
            }
            case TRAILER_LF -> {
                return b == '\n' && to(State.TRAILER_START) || refuse("a trailer line must end with CRLF");
            }
            case END_LF -> {
                return b == '\n' && to(State.ENDED) || refuse("a chunked body must end with CRLF");
            }
            default -> throw new IllegalStateException("scanning in state " + state);
        }
    }

    private boolean afterSize(byte b) {
        return b == ';' && to(State.NAME_START) || isSpace(b) && to(State.SIZE_SPACE) || b == '\r' && to(State.LINE_LF)
                || refuse("a chunk size is hex digits, then extensions or CRLF");
    }

    private boolean to(State next) {
        state = next;
        return true;
    }

    private boolean refuse(String why) {
        violation = why;
        return false;
    }

    private static boolean isSpace(byte b) {
        return b == ' ' || b == '\t';
    }

    /** RFC 9110's tchar. */
    private static boolean isTokenChar(byte b) {
        return b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9' || b > 0 && "!#$%&'*+-.^_`|~".indexOf(b) >= 0;
    }

    /** RFC 9110's qdtext: a quoted string's characters other than the quote and the backslash. */
    private static boolean isQuotedText(byte b) {
        int c = b & 0xff;
        return c == '\t' || c == ' ' || c == 0x21 || c >= 0x23 && c <= 0x5b || c >= 0x5d && c <= 0x7e || c >= 0x80;
    }
}
