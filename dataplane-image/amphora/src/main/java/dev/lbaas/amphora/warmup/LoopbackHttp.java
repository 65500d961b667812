package dev.lbaas.amphora.warmup;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * Just enough HTTP/1.1 for the warm-up's own client and member to talk through a listener: reads
 * a message's head and how its body is framed from a blocking stream, through a buffer of its own
 * so that a message costs a read or two rather than a call per byte. Both ends are the amphora's
 * own, so nothing here meets a stranger's bytes.
 */
final class LoopbackHttp {

    /**
     * A message head, as far as the warm-up needs it.
     *
     * @param status a response's status code; 0 for a request
     */
    record Head(int status, long contentLength, boolean chunked, boolean closes) {
    }

    private static final int MAX_HEAD = 64 * 1024;

    private final InputStream in;
    private final byte[] buffer = new byte[16 * 1024];
    private int position;
    private int limit;
    private int lineStart;
    private int lineLength;

    LoopbackHttp(InputStream in) {
        this.in = in;
    }

    /** The next head, or null at a clean end of stream before its first byte. */
    Head readHead() throws IOException {
        int status = 0;
        long contentLength = 0;
        boolean chunked = false;
        boolean closes = false;
        boolean startLine = true;
        int headBytes = 0;
        while (true) {
            if (!nextLine()) {
                if (startLine && position == limit) {
                    return null;
                }
                throw new EOFException("stream ended within a head");
            }
            headBytes += lineLength + 2;
            if (headBytes > MAX_HEAD) {
                throw new IOException("head longer than " + MAX_HEAD + " bytes");
            }
            if (lineLength == 0) {
                if (startLine) {
                    continue;
                }
                return new Head(status, contentLength, chunked, closes);
            }
            if (startLine) {
                startLine = false;
                status = responseStatus();
            } else if (lineStartsWith("content-length:")) {
                contentLength = Long.parseLong(lineValue("content-length:"));
                if (contentLength < 0) {
                    throw new IOException("negative Content-Length " + contentLength);
                }
            } else if (lineStartsWith("transfer-encoding:")) {
                chunked = lineValue("transfer-encoding:").endsWith("chunked");
            } else if (lineStartsWith("connection:")) {
                closes = lineValue("connection:").contains("close");
            }
        }
    }

    /** Reads and drops the body {@code head} announces. */
    void skipBody(Head head) throws IOException {
        if (!head.chunked()) {
            skip(head.contentLength());
            return;
        }
        while (true) {
            String size = line();
            int extension = size.indexOf(';');
            long length = Long.parseLong((extension < 0 ? size : size.substring(0, extension)).trim(), 16);
            if (length == 0) {
                // trailers, up to the empty line
                while (!line().isEmpty()) {
                    // dropped
                }
                return;
            }
            skip(length);
            line();
        }
    }

    /** A body chunk-encoded in two chunks, as a member or client that streams it would send. */
    static byte[] chunked(String body) {
        int half = body.length() / 2;
        String first = body.substring(0, half);
        String second = body.substring(half);
        return (Integer.toHexString(first.length()) + "\r\n" + first + "\r\n"
                + Integer.toHexString(second.length()) + "\r\n" + second + "\r\n0\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII);
    }

    /** Both arrays, one after the other. */
    static byte[] concat(byte[] first, byte[] second) {
        byte[] whole = new byte[first.length + second.length];
        System.arraycopy(first, 0, whole, 0, first.length);
        System.arraycopy(second, 0, whole, first.length, second.length);
        return whole;
    }

    /**
     * Finds the next line and moves past it: {@link #lineStart} and {@link #lineLength} (without
     * its CR LF) say where it is in the buffer. Reads more as needed, first moving what is left to
     * the buffer's start. False at the end of the stream.
     */
    private boolean nextLine() throws IOException {
        int scanned = position;
        while (true) {
            for (; scanned < limit; scanned++) {
                if (buffer[scanned] == '\n') {
                    lineStart = position;
                    lineLength = scanned > position && buffer[scanned - 1] == '\r'
                            ? scanned - 1 - position : scanned - position;
                    position = scanned + 1;
                    return true;
                }
            }
            if (position > 0) {
                int kept = limit - position;
                System.arraycopy(buffer, position, buffer, 0, kept);
                scanned -= position;
                position = 0;
                limit = kept;
            }
            if (limit == buffer.length) {
                throw new IOException("line longer than " + buffer.length + " bytes");
            }
            int read = in.read(buffer, limit, buffer.length - limit);
            if (read < 0) {
                return false;
            }
            limit += read;
        }
    }

    private String line() throws IOException {
        if (!nextLine()) {
            throw new EOFException("stream ended within a chunked body");
        }
        return new String(buffer, lineStart, lineLength, StandardCharsets.US_ASCII);
    }

    /** The status code of the current line if it is a status line ("HTTP/1.1 200 OK"), else 0. */
    private int responseStatus() {
        if (lineLength < 12 || !lineStartsWith("http/1.")) {
            return 0;
        }
        int status = 0;
        for (int i = 9; i < 12; i++) {
            byte digit = buffer[lineStart + i];
            if (digit < '0' || digit > '9') {
                return 0;
            }
            status = status * 10 + digit - '0';
        }
        return status;
    }

    /** Whether the current line starts with {@code prefix}, which is in lower case. */
    private boolean lineStartsWith(String prefix) {
        if (lineLength < prefix.length()) {
            return false;
        }
        for (int i = 0; i < prefix.length(); i++) {
            if (Character.toLowerCase(buffer[lineStart + i]) != prefix.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    /** The current line's value after {@code name}, trimmed, in lower case. */
    private String lineValue(String name) {
        return new String(buffer, lineStart + name.length(), lineLength - name.length(), StandardCharsets.US_ASCII)
                .trim().toLowerCase(Locale.ROOT);
    }

    private void skip(long length) throws IOException {
        long left = length;
        int buffered = (int) Math.min(left, limit - position);
        position += buffered;
        left -= buffered;
        while (left > 0) {
            long skipped = in.skip(left);
            if (skipped <= 0) {
                if (in.read() < 0) {
                    throw new EOFException("stream ended within a body");
                }
                skipped = 1;
            }
            left -= skipped;
        }
    }
}
