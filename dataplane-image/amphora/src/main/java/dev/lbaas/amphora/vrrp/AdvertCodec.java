package dev.lbaas.amphora.vrrp;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Objects;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Adverts on the wire, authenticated with HMAC-SHA256 under the load balancer's key (which the
 * operator gives both amphorae of the pair, and nobody else): magic, version, the load balancer's
 * id, the advert's fields, the time it was sent, then the MAC over all of it. A datagram that is
 * malformed, for another load balancer, or not signed with the key is refused with the reason.
 */
public final class AdvertCodec {

    private static final int MAGIC = 0x4c425652; // "LBVR"
    private static final byte VERSION = 1;
    private static final int MAC_LENGTH = 32;
    private static final int MAX_ID_BYTES = 255;
    /** Magic, version, two empty ids, term, sequence, priority, interval, time sent and the MAC. */
    static final int MIN_LENGTH = 4 + 1 + 1 + 1 + 8 + 8 + 1 + 4 + 8 + MAC_LENGTH;

    private final byte[] loadBalancer;
    private final SecretKeySpec key;

    /** An advert as received: its fields and when its sender says it sent it. */
    public record Received(Advert advert, long sentAtMillis) {
    }

    /** Why a datagram is not an advert to act on. */
    public static final class Rejected extends Exception {
        public Rejected(String reason) {
            super(reason, null, false, false);
        }
    }

    public AdvertCodec(String loadBalancer, byte[] key) {
        this.loadBalancer = utf8(loadBalancer);
        if (key.length < 32) {
            throw new IllegalArgumentException("the advert key has " + key.length + " bytes; it needs at least 32");
        }
        this.key = new SecretKeySpec(key.clone(), "HmacSHA256");
    }

    public byte[] encode(Advert advert, long sentAtMillis) {
        byte[] sender = utf8(advert.sender());
        ByteBuffer out = ByteBuffer.allocate(4 + 1 + 1 + loadBalancer.length + 1 + sender.length + 8 + 8 + 1 + 4 + 8
                + MAC_LENGTH);
        out.putInt(MAGIC).put(VERSION)
                .put((byte) loadBalancer.length).put(loadBalancer)
                .put((byte) sender.length).put(sender)
                .putLong(advert.term()).putLong(advert.sequence()).put((byte) advert.priority())
                .putInt(advert.advertIntervalMillis()).putLong(sentAtMillis);
        out.put(mac(out.array(), out.position()));
        return out.array();
    }

    public Received decode(byte[] datagram) throws Rejected {
        if (datagram.length < MIN_LENGTH) {
            throw new Rejected("a datagram of " + datagram.length + " bytes is too short for an advert");
        }
        int signed = datagram.length - MAC_LENGTH;
        // The MAC first: nothing of an unauthenticated datagram is interpreted.
        if (!MessageDigest.isEqual(mac(datagram, signed), Arrays.copyOfRange(datagram, signed, datagram.length))) {
            throw new Rejected("the advert is not signed with this load balancer's key");
        }
        ByteBuffer in = ByteBuffer.wrap(datagram, 0, signed);
        try {
            if (in.getInt() != MAGIC || in.get() != VERSION) {
                throw new Rejected("not an advert of this version");
            }
            byte[] lb = bytes(in);
            if (!Arrays.equals(lb, loadBalancer)) {
                throw new Rejected("an advert for load balancer " + new String(lb, StandardCharsets.UTF_8));
            }
            String sender = new String(bytes(in), StandardCharsets.UTF_8);
            long term = in.getLong();
            long sequence = in.getLong();
            int priority = Byte.toUnsignedInt(in.get());
            int interval = in.getInt();
            long sentAt = in.getLong();
            if (in.hasRemaining()) {
                throw new Rejected(in.remaining() + " bytes after the advert");
            }
            return new Received(new Advert(sender, term, priority, interval, sequence), sentAt);
        } catch (BufferUnderflowException e) {
            throw new Rejected("the advert is cut short");
        } catch (IllegalArgumentException e) {
            throw new Rejected(e.getMessage());
        }
    }

    private static byte[] bytes(ByteBuffer in) {
        byte[] value = new byte[Byte.toUnsignedInt(in.get())];
        in.get(value);
        return value;
    }

    private byte[] mac(byte[] data, int length) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            mac.update(data, 0, length);
            return mac.doFinal();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
        }
    }

    private static byte[] utf8(String value) {
        byte[] bytes = Objects.requireNonNull(value).getBytes(StandardCharsets.UTF_8);
        if (bytes.length > MAX_ID_BYTES) {
            throw new IllegalArgumentException("an id of " + bytes.length + " bytes; at most " + MAX_ID_BYTES);
        }
        return bytes;
    }
}
