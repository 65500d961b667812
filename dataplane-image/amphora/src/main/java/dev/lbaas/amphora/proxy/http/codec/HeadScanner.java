package dev.lbaas.amphora.proxy.http.codec;

import io.netty.buffer.ByteBuf;

/**
 * Checks the bytes of a head as they arrive, for what Netty's decoder reads leniently: the
 * request line must be exactly {@code method SP target SP version} (Netty also splits on tabs
 * and runs of spaces, RFC 9112, 3); no line after it may start with whitespace (obsolete line
 * folding, 5.2); every CR must be followed by LF (2.2); the framing fields' values hold no tabs or control characters.
 * Empty lines before the request line are skipped, as the decoder skips them; the empty line
 * after the header lines ends the head, and the scan.
 */
final class HeadScanner {

    private static final int BEFORE_REQUEST_LINE = 0;
    private static final int REQUEST_LINE = 1;
    private static final int FIELD_LINES = 2;
    private static final int ENDED = 3;

    private int state = BEFORE_REQUEST_LINE;
    private boolean atLineStart = true;
    private boolean afterCr;
    private int spaces;
    private boolean afterSpace;
    private final FramingFieldName name = new FramingFieldName();
    /** The value being read is Content-Length's, or Transfer-Encoding's. */
    private boolean inContentLength;
    private boolean inTransferEncoding;
    private String violation;

    /**
     * Follows a field line's name, and checks the values of the framing fields: a tab around
     * them is optional whitespace to RFC 9110, which Netty trims, llhttp refuses and llhttp's
     * lenient mode reads as another coding; control characters likewise. Content-Length is
     * digits and spaces, Transfer-Encoding visible characters and spaces.
     *
     * @return what is wrong with the byte, or null
     */
    private String followFraming(byte b) {
        if (inContentLength) {
            return b >= '0' && b <= '9' || b == ' ' || b == '\n' ? null
                    : "Content-Length must be digits, with nothing but spaces around them";
        }
        if (inTransferEncoding) {
            return b > ' ' && b != 0x7f || b == ' ' || b == '\n' ? null
                    : "Transfer-Encoding must be visible characters, with nothing but spaces around them";
        }
        FramingFieldName.Named named = name.follow(b);
        inContentLength = named == FramingFieldName.Named.CONTENT_LENGTH;
        inTransferEncoding = named == FramingFieldName.Named.TRANSFER_ENCODING;
        return null;
    }

    void reset() {
        state = BEFORE_REQUEST_LINE;
        atLineStart = true;
        afterCr = false;
        spaces = 0;
        afterSpace = false;
        violation = null;
        name.reset();
        inContentLength = false;
        inTransferEncoding = false;
    }

    /** What the last scan that returned -1 found. */
    String violation() {
        return violation;
    }

    /**
     * Scans the bytes from {@code from} to {@code to} of a head.
     *
     * @return how many were scanned (fewer than offered when the head ends among them), or -1
     *     when they break a rule, then named by {@link #violation()}
     */
    int scan(ByteBuf buffer, int from, int to) {
        if (state == ENDED) {
            return 0;
        }
        for (int i = from; i < to; i++) {
            byte b = buffer.getByte(i);
            if (afterCr) {
                afterCr = false;
                if (b != '\n') {
                    return refuse("a CR must be followed by LF");
                }
            }
            if (b == '\r') {
                afterCr = true;
                continue;
            }
            switch (state) {
                case BEFORE_REQUEST_LINE -> {
                    if (b == '\n') {
                        continue;
                    }
                    if (b == ' ' || b == '\t') {
                        return refuse("the request line starts with whitespace");
                    }
                    if (b >= 0 && b < ' ' || b == 0x7f) {
                        return refuse("the request line has a control character");
                    }
                    state = REQUEST_LINE;
                }
                case REQUEST_LINE -> {
                    if (b == '\n') {
                        if (spaces != 2 || afterSpace) {
                            return refuse("the request line must be: method, a space, target, a space, version");
                        }
                        state = FIELD_LINES;
                        atLineStart = true;
                    } else if (b == '\t' || b == ' ' && afterSpace) {
                        return refuse("the request line must be: method, a space, target, a space, version");
                    } else if (b >= 0 && b < ' ' || b == 0x7f) {
                        // Netty takes some of them for spaces, and trims them
                        return refuse("the request line has a control character");
                    } else if (b == ' ') {
                        spaces++;
                        afterSpace = true;
                    } else {
                        afterSpace = false;
                    }
                }
                default -> {
                    if (atLineStart && (b == ' ' || b == '\t')) {
                        return refuse("obsolete line folding is not accepted: a header line starts with whitespace");
                    }
                    if (atLineStart && b == '\n') {
                        // the empty line after the header lines
                        state = ENDED;
                        return i + 1 - from;
                    }
                    if (atLineStart) {
                        name.lineStarts();
                        inContentLength = false;
                        inTransferEncoding = false;
                    }
                    String framing = followFraming(b);
                    if (framing != null) {
                        return refuse(framing);
                    }
                    atLineStart = b == '\n';
                }
            }
        }
        return to - from;
    }

    private int refuse(String why) {
        violation = why;
        return -1;
    }
}
