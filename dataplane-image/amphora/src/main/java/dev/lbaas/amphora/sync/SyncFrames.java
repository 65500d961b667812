package dev.lbaas.amphora.sync;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The session sync's wire format. The standby speaks first: a greeting of the magic "LBSS", the
 * version and a 16-byte nonce. Then the master sends frames: a 4-byte length, the body (a count
 * and that many bindings, each as pool id, key and member id, UTF-8 with 2-byte lengths) and an
 * HMAC-SHA256 over the magic, the load balancer's id, the nonce, the frame's number (from 0) and
 * the body.
 */
final class SyncFrames {

    static final int MAGIC = 0x4c425353; // "LBSS"
    static final byte VERSION = 1;
    static final int NONCE_LENGTH = 16;
    static final int GREETING_LENGTH = 4 + 1 + NONCE_LENGTH;
    static final int MAC_LENGTH = 32;
    /**
     * The longest key told to the standby, in characters (an APP_COOKIE value; a client address is
     * far shorter): longer ones are not synced, and their clients are picked afresh after a
     * failover. At most 3 bytes a character in UTF-8, so a binding always fits a frame.
     */
    static final int MAX_KEY_CHARS = 4096;
    /**
     * Frames are cut at 60 000 bytes of bindings, but one binding always goes out whole: ids of at
     * most 255 characters and a key of {@link #MAX_KEY_CHARS}. A longer frame is refused before
     * its MAC is read, so a stranger cannot make the standby buffer more.
     */
    static final int MAX_FRAME = 64 * 1024;

    /** One persistence binding: in pool {@code poolId}, clients with {@code key} go to {@code memberId}. */
    record Binding(String poolId, String key, String memberId) {
    }

    /** Why a frame is not acted on. */
    static final class Rejected extends Exception {
        Rejected(String reason) {
            super(reason, null, false, false);
        }
    }

    private final byte[] loadBalancer;
    private final SecretKeySpec key;

    SyncFrames(String loadBalancer, byte[] key) {
        this.loadBalancer = loadBalancer.getBytes(StandardCharsets.UTF_8);
        if (key.length < 32) {
            throw new IllegalArgumentException("the pair's key has " + key.length + " bytes; it needs at least 32");
        }
        this.key = new SecretKeySpec(key.clone(), "HmacSHA256");
    }

    static void writeGreeting(ByteBuf out, byte[] nonce) {
        out.writeInt(MAGIC).writeByte(VERSION).writeBytes(nonce);
    }

    /** The nonce of a greeting. */
    static byte[] readGreeting(ByteBuf in) throws Rejected {
        if (in.readInt() != MAGIC || in.readByte() != VERSION) {
            throw new Rejected("the peer does not speak this version of session sync");
        }
        byte[] nonce = new byte[NONCE_LENGTH];
        in.readBytes(nonce);
        return nonce;
    }

    /** The size of a binding in a body. */
    static int size(Binding binding) {
        return 6 + utf8Length(binding.poolId()) + utf8Length(binding.key()) + utf8Length(binding.memberId());
    }

    /** Writes one frame (length, body, MAC) of {@code bindings}. */
    void writeFrame(ByteBuf out, byte[] nonce, long number, List<Binding> bindings) {
        int lengthAt = out.writerIndex();
        out.writeInt(0);
        int bodyAt = out.writerIndex();
        out.writeShort(bindings.size());
        for (Binding binding : bindings) {
            writeString(out, binding.poolId());
            writeString(out, binding.key());
            writeString(out, binding.memberId());
        }
        int bodyLength = out.writerIndex() - bodyAt;
        out.writeBytes(mac(nonce, number, out, bodyAt, bodyLength));
        out.setInt(lengthAt, bodyLength + MAC_LENGTH);
    }

    /** The bindings of a frame without its length prefix, once its MAC holds for this nonce and number. */
    List<Binding> readFrame(ByteBuf frame, byte[] nonce, long number) throws Rejected {
        int bodyLength = frame.readableBytes() - MAC_LENGTH;
        if (bodyLength < 2) {
            throw new Rejected("a frame of " + frame.readableBytes() + " bytes is too short");
        }
        byte[] expected = mac(nonce, number, frame, frame.readerIndex(), bodyLength);
        byte[] actual = new byte[MAC_LENGTH];
        frame.getBytes(frame.readerIndex() + bodyLength, actual);
        // The MAC first: nothing of an unauthenticated frame is interpreted.
        if (!MessageDigest.isEqual(expected, actual)) {
            throw new Rejected("frame " + number + " is not signed with the pair's key for this connection");
        }
        ByteBuf body = frame.slice(frame.readerIndex(), bodyLength);
        try {
            int count = body.readUnsignedShort();
            List<Binding> bindings = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                bindings.add(new Binding(readString(body), readString(body), readString(body)));
            }
            if (body.isReadable()) {
                throw new Rejected(body.readableBytes() + " bytes after the bindings of frame " + number);
            }
            return bindings;
        } catch (IndexOutOfBoundsException e) {
            throw new Rejected("frame " + number + " is cut short");
        }
    }

    private byte[] mac(byte[] nonce, long number, ByteBuf data, int from, int length) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            mac.update(new byte[] {(byte) (MAGIC >>> 24), (byte) (MAGIC >>> 16), (byte) (MAGIC >>> 8), (byte) MAGIC});
            mac.update(loadBalancer);
            mac.update(nonce);
            for (int shift = 56; shift >= 0; shift -= 8) {
                mac.update((byte) (number >>> shift));
            }
            mac.update(data.nioBuffer(from, length));
            return mac.doFinal();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
        }
    }

    private static void writeString(ByteBuf out, String value) {
        byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        if (bytes.length > 0xffff) {
            throw new IllegalArgumentException("a value of " + bytes.length + " bytes does not fit a binding");
        }
        out.writeShort(bytes.length);
        out.writeBytes(bytes);
    }

    private static String readString(ByteBuf in) {
        int length = in.readUnsignedShort();
        return in.readCharSequence(length, StandardCharsets.UTF_8).toString();
    }

    private static int utf8Length(String value) {
        return value.getBytes(StandardCharsets.UTF_8).length;
    }
}
