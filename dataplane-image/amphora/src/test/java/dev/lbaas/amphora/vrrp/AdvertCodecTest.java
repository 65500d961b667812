package dev.lbaas.amphora.vrrp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class AdvertCodecTest {

    private static final byte[] KEY = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
    private final AdvertCodec codec = new AdvertCodec("lb-web", KEY);
    private final Advert advert = new Advert("amphora-1", 3, 100, 100, 1_700_000_000_000_123L);

    @Test
    void anAdvertSurvivesTheWire() throws Exception {
        AdvertCodec.Received received = codec.decode(codec.encode(advert, 1_700_000_000_000L));
        assertThat(received.advert()).isEqualTo(advert);
        assertThat(received.sentAtMillis()).isEqualTo(1_700_000_000_000L);
    }

    @Test
    void everyAlteredByteIsRefused() {
        byte[] datagram = codec.encode(advert, 1L);
        for (int i = 0; i < datagram.length; i++) {
            byte[] altered = datagram.clone();
            altered[i] ^= 0x01;
            assertThatThrownBy(() -> codec.decode(altered)).as("byte " + i).isInstanceOf(AdvertCodec.Rejected.class)
                    .hasMessage("the advert is not signed with this load balancer's key");
        }
    }

    @Test
    void anotherKeyOrAnotherLoadBalancerIsRefused() {
        byte[] otherKey = KEY.clone();
        otherKey[0] = 'X';
        assertThatThrownBy(() -> new AdvertCodec("lb-web", otherKey).decode(codec.encode(advert, 1L)))
                .hasMessage("the advert is not signed with this load balancer's key");
        assertThatThrownBy(() -> new AdvertCodec("lb-api", KEY).decode(codec.encode(advert, 1L)))
                .hasMessage("an advert for load balancer lb-web");
    }

    @Test
    void truncatedAndEmptyDatagramsAreRefused() {
        byte[] datagram = codec.encode(advert, 1L);
        assertThatThrownBy(() -> codec.decode(new byte[0])).hasMessage("a datagram of 0 bytes is too short for an advert");
        assertThatThrownBy(() -> codec.decode(Arrays.copyOf(datagram, datagram.length - 1)))
                .isInstanceOf(AdvertCodec.Rejected.class);
    }

    @Test
    void theShortestAdvertIsReadAndShorterDatagramsAreNot() throws Exception {
        AdvertCodec nameless = new AdvertCodec("", KEY);
        byte[] shortest = nameless.encode(new Advert("", 0, 0, 1, 0), 0);
        assertThat(shortest).hasSize(AdvertCodec.MIN_LENGTH);
        assertThat(nameless.decode(shortest).advert()).isEqualTo(new Advert("", 0, 0, 1, 0));
        assertThatThrownBy(() -> nameless.decode(Arrays.copyOf(shortest, AdvertCodec.MIN_LENGTH - 1)))
                .hasMessage("a datagram of " + (AdvertCodec.MIN_LENGTH - 1) + " bytes is too short for an advert");
    }

    @Test
    void idsOfUpTo255BytesAreCarried() throws Exception {
        String longest = "a".repeat(255);
        assertThat(codec.decode(codec.encode(new Advert(longest, 1, 1, 1, 1), 0)).advert().sender()).isEqualTo(longest);
        assertThatThrownBy(() -> codec.encode(new Advert(longest + "a", 1, 1, 1, 1), 0))
                .hasMessage("an id of 256 bytes; at most 255");
    }

    @Test
    void advertFieldsOutsideTheirRangesAreRefused() {
        new Advert("a", 0, 254, 1, 0);
        assertThatThrownBy(() -> new Advert("a", 0, 255, 1, 0)).hasMessage("priority 255 is not 0-254");
        assertThatThrownBy(() -> new Advert("a", 0, -1, 1, 0)).hasMessage("priority -1 is not 0-254");
        assertThatThrownBy(() -> new Advert("a", 0, 1, 0, 0)).hasMessage("advert interval 0 ms is not positive");
        assertThatThrownBy(() -> new Advert("a", -1, 1, 1, 0)).hasMessage("term -1 is negative");
        new VrrpTimers(1, 10);
        new VrrpTimers(254, 40_950);
        assertThatThrownBy(() -> new VrrpTimers(0, 100)).hasMessage("priority 0 is not 1-254");
        assertThatThrownBy(() -> new VrrpTimers(255, 100)).hasMessage("priority 255 is not 1-254");
        assertThatThrownBy(() -> new VrrpTimers(100, 9)).hasMessage("advert interval 9 ms is not 10-40950");
        assertThatThrownBy(() -> new VrrpTimers(100, 40_951)).hasMessage("advert interval 40951 ms is not 10-40950");
    }

    @Test
    void aShortKeyIsRefused() {
        assertThatThrownBy(() -> new AdvertCodec("lb", new byte[16]))
                .hasMessage("the advert key has 16 bytes; it needs at least 32");
    }

    @Test
    void replaysAndStaleAdvertsAreRefused() throws Exception {
        ReplayGuard guard = new ReplayGuard(30_000);
        long now = 1_700_000_000_000L;
        AdvertCodec.Received first = codec.decode(codec.encode(advert, now));
        guard.check(first, now);
        assertThatThrownBy(() -> guard.check(first, now + 10))
                .hasMessage("sequence 1700000000000123 from amphora-1 is not after 1700000000000123: a replay");
        Advert next = new Advert("amphora-1", 3, 100, 100, advert.sequence() + 1);
        guard.check(codec.decode(codec.encode(next, now + 100)), now + 100);

        // a receiver that restarted remembers no sequence: freshness refuses the old recording
        ReplayGuard restarted = new ReplayGuard(30_000);
        assertThatThrownBy(() -> restarted.check(first, now + 60_000))
                .hasMessage("an advert sent 60000 ms ago; fresh ones are within 30000 ms");
        assertThatThrownBy(() -> restarted.check(first, now - 31_000))
                .hasMessage("an advert sent -31000 ms ago; fresh ones are within 30000 ms");
        assertThat(ReplayGuard.firstSequence(now)).isEqualTo(now * 1000);

        // exactly as old as allowed, either way
        new ReplayGuard(30_000).check(first, now + 30_000);
        new ReplayGuard(30_000).check(first, now - 30_000);
    }
}
