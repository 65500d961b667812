package dev.lbaas.amphora.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lbaas.amphora.sync.SyncFrames.Binding;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

class SyncFramesTest {

    private static final byte[] KEY = new byte[32];
    private static final byte[] NONCE = "0123456789abcdef".getBytes();
    private final SyncFrames frames = new SyncFrames("lb-1", KEY);
    private final List<Binding> bindings = List.of(new Binding("pool", "10.0.0.7", "web1"),
            new Binding("pool", "JSESSIONID=å", "web2"));

    /** A frame as the receiver's decoder hands it on: without the length. */
    private ByteBuf frame(SyncFrames writer, byte[] nonce, long number) {
        ByteBuf out = Unpooled.buffer();
        writer.writeFrame(out, nonce, number, bindings);
        assertThat(out.readInt()).isEqualTo(out.readableBytes());
        return out;
    }

    @Test
    void aFrameReadsBackUnderItsNonceAndNumber() throws Exception {
        assertThat(frames.readFrame(frame(frames, NONCE, 7), NONCE, 7)).isEqualTo(bindings);
        int size = 2 + bindings.stream().mapToInt(SyncFrames::size).sum() + SyncFrames.MAC_LENGTH;
        assertThat(frame(frames, NONCE, 7).readableBytes()).isEqualTo(size);
    }

    @Test
    void theMacCoversMagicPairNonceNumberAndBodyAsDocumented() throws Exception {
        ByteBuf frame = frame(frames, NONCE, 0x0102030405060708L);
        int bodyLength = frame.readableBytes() - SyncFrames.MAC_LENGTH;
        byte[] body = new byte[bodyLength];
        frame.getBytes(frame.readerIndex(), body);
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(KEY, "HmacSHA256"));
        mac.update("LBSS".getBytes(StandardCharsets.US_ASCII));
        mac.update("lb-1".getBytes(StandardCharsets.UTF_8));
        mac.update(NONCE);
        mac.update(new byte[] {1, 2, 3, 4, 5, 6, 7, 8});
        mac.update(body);
        byte[] sent = new byte[SyncFrames.MAC_LENGTH];
        frame.getBytes(frame.readerIndex() + bodyLength, sent);
        assertThat(sent).isEqualTo(mac.doFinal());
    }

    @Test
    void anEmptyFrameIsTheShortestThereIs() throws Exception {
        ByteBuf empty = Unpooled.buffer();
        frames.writeFrame(empty, NONCE, 3, List.of());
        empty.skipBytes(4);
        assertThat(empty.readableBytes()).isEqualTo(2 + SyncFrames.MAC_LENGTH);
        assertThat(frames.readFrame(empty, NONCE, 3)).isEmpty();
    }

    @Test
    void aFrameOfAnotherConnectionPlaceOrPairIsRefused() {
        assertThatThrownBy(() -> frames.readFrame(frame(frames, NONCE, 7), NONCE, 8))
                .hasMessage("frame 8 is not signed with the pair's key for this connection");
        assertThatThrownBy(() -> frames.readFrame(frame(frames, NONCE, 7), "fedcba9876543210".getBytes(), 7))
                .isInstanceOf(SyncFrames.Rejected.class);
        assertThatThrownBy(() -> frames.readFrame(frame(new SyncFrames("lb-2", KEY), NONCE, 7), NONCE, 7))
                .isInstanceOf(SyncFrames.Rejected.class);
        byte[] otherKey = Arrays.copyOf(KEY, 32);
        otherKey[0] = 1;
        assertThatThrownBy(() -> frames.readFrame(frame(new SyncFrames("lb-1", otherKey), NONCE, 7), NONCE, 7))
                .isInstanceOf(SyncFrames.Rejected.class);
    }

    @Test
    void aTamperedOrTruncatedFrameIsRefused() {
        ByteBuf tampered = frame(frames, NONCE, 1);
        tampered.setByte(5, tampered.getByte(5) ^ 1);
        assertThatThrownBy(() -> frames.readFrame(tampered, NONCE, 1)).isInstanceOf(SyncFrames.Rejected.class);
        assertThatThrownBy(() -> frames.readFrame(Unpooled.wrappedBuffer(new byte[10]), NONCE, 1))
                .hasMessage("a frame of 10 bytes is too short");
    }

    @Test
    void theGreetingCarriesTheNonceAndTheVersion() throws Exception {
        ByteBuf greeting = Unpooled.buffer();
        SyncFrames.writeGreeting(greeting, NONCE);
        assertThat(greeting.readableBytes()).isEqualTo(SyncFrames.GREETING_LENGTH);
        assertThat(SyncFrames.readGreeting(greeting.copy())).isEqualTo(NONCE);
        greeting.setByte(4, 9);
        assertThatThrownBy(() -> SyncFrames.readGreeting(greeting))
                .hasMessage("the peer does not speak this version of session sync");
    }
}
