package dev.lbaas.amphora.proxy.http.codec;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;

/**
 * Feeds bytes to a scanner of the HTTP codec the two ways they can arrive: in one buffer, or a
 * byte at a time, so that every rule is proven not to depend on where the reads split a message.
 */
final class ScannerFeed {

    /** A scanner's step: how many bytes of {@code buffer[from, to)} its message took, or -1. */
    @FunctionalInterface
    interface Scan {
        int scan(ByteBuf buffer, int from, int to);
    }

    private ScannerFeed() {
    }

    /** How many bytes of {@code bytes} the scanner took as its message, or -1 when it refused them. */
    static int feed(String bytes, Scan scanner, boolean byteAtATime) {
        ByteBuf buffer = Unpooled.copiedBuffer(bytes, StandardCharsets.ISO_8859_1);
        try {
            if (!byteAtATime) {
                return scanner.scan(buffer, 0, buffer.writerIndex());
            }
            int total = 0;
            for (int i = 0; i < buffer.writerIndex(); i++) {
                int scanned = scanner.scan(buffer, i, i + 1);
                if (scanned < 0) {
                    return -1;
                }
                total += scanned;
            }
            return total;
        } finally {
            buffer.release();
        }
    }
}
