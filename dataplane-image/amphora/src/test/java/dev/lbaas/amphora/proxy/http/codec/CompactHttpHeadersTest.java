package dev.lbaas.amphora.proxy.http.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** {@link CompactHttpHeaders} behaves as Netty's {@link DefaultHttpHeaders}, checked side by side. */
class CompactHttpHeadersTest {

    private static final List<CharSequence> NAMES = List.of("Host", "host", HttpHeaderNames.CONTENT_LENGTH,
            "Content-Length", "X-Forwarded-For", "x-forwarded-for", HttpHeaderNames.CONNECTION, "Set-Cookie", "Via");
    private static final List<Object> VALUES = List.of("a", "keep-alive, Upgrade", HttpHeaderValues.CLOSE, 42, "",
            "gzip,  chunked", new Date(1_700_000_000_000L), "chunked,", ",  Chunked\t ,x", "close,,keep-alive", ",");

    @Test
    void randomEditsLeaveBothMapsAlike() {
        Random random = new Random(11);
        for (int run = 0; run < 200; run++) {
            HttpHeaders expected = new DefaultHttpHeaders();
            HttpHeaders actual = new CompactHttpHeaders();
            for (int step = 0; step < 30; step++) {
                CharSequence name = NAMES.get(random.nextInt(NAMES.size()));
                Object value = VALUES.get(random.nextInt(VALUES.size()));
                switch (random.nextInt(7)) {
                    case 0, 1, 2 -> {
                        expected.add(name, value);
                        actual.add(name, value);
                    }
                    case 3 -> {
                        expected.set(name, value);
                        actual.set(name, value);
                    }
                    case 4 -> {
                        expected.remove(name);
                        actual.remove(name);
                    }
                    case 5 -> {
                        expected.setInt(name, step);
                        actual.setInt(name, step);
                    }
                    default -> {
                        expected.set(name, List.of("x", step));
                        actual.set(name, List.of("x", step));
                    }
                }
                assertAlike(actual, expected);
            }
            assertAlike(actual.copy(), expected);
            actual.clear();
            assertThat(actual.isEmpty()).isTrue();
            assertThat(actual.iteratorCharSequence().hasNext()).isFalse();
        }
    }

    private static void assertAlike(HttpHeaders actual, HttpHeaders expected) {
        assertThat(fields(actual)).isEqualTo(fields(expected));
        assertThat(actual.size()).isEqualTo(expected.size());
        assertThat(actual.isEmpty()).isEqualTo(expected.isEmpty());
        assertThat(actual.entries()).isEqualTo(expected.entries());
        for (CharSequence name : NAMES) {
            assertThat(actual.get(name)).isEqualTo(expected.get(name));
            assertThat(actual.getAll(name)).isEqualTo(expected.getAll(name));
            assertThat(actual.contains(name)).isEqualTo(expected.contains(name));
            assertThat(actual.getInt(name)).isEqualTo(expected.getInt(name));
            assertThat(actual.getTimeMillis(name)).isEqualTo(timeMillisOrNull(expected, name));
            assertThat(actual.containsValue(name, "chunked", true)).isEqualTo(expected.containsValue(name, "chunked", true));
            assertThat(actual.containsValue(name, "upgrade", true)).isEqualTo(expected.containsValue(name, "upgrade", true));
            assertThat(actual.containsValue(name, "Chunked", false)).isEqualTo(expected.containsValue(name, "Chunked", false));
            assertThat(actual.containsValue(name, HttpHeaderValues.KEEP_ALIVE, false))
                    .isEqualTo(expected.containsValue(name, HttpHeaderValues.KEEP_ALIVE, false));
            assertThat(actual.containsValue(name, "", true)).isEqualTo(expected.containsValue(name, "", true));
            assertThat(actual.contains(name, "CLOSE", true)).isEqualTo(expected.contains(name, "CLOSE", true));
            assertThat(actual.contains(name, "CLOSE", false)).isEqualTo(expected.contains(name, "CLOSE", false));
            List<String> values = new ArrayList<>();
            actual.valueStringIterator(name).forEachRemaining(values::add);
            assertThat(values).isEqualTo(expected.getAll(name));
        }
    }

    /** Netty's maps throw when the value is no date; these answer null, as they do for a missing field. */
    private static Long timeMillisOrNull(HttpHeaders headers, CharSequence name) {
        try {
            return headers.getTimeMillis(name);
        } catch (Exception e) {
            return null;
        }
    }

    /** Every field as "name: value", in order, with the name's case as given. */
    private static List<String> fields(HttpHeaders headers) {
        List<String> fields = new ArrayList<>();
        for (var it = headers.iteratorCharSequence(); it.hasNext();) {
            Map.Entry<CharSequence, CharSequence> field = it.next();
            fields.add(field.getKey() + ": " + field.getValue());
        }
        return fields;
    }

    @Test
    void refusesWhatNettysHeadersRefuseAndKeepsTheFieldsThen() {
        HttpHeaders headers = new CompactHttpHeaders().add("Host", "lb");

        assertThatThrownBy(() -> headers.add("Bad Name", "x")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> headers.add("", "x")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> headers.set("Host", "a\r\nX-Injected: 1")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new DefaultHttpHeaders().set("Host", "a\r\nX-Injected: 1"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> headers.add("Host", null)).isInstanceOf(NullPointerException.class);
        assertThat(fields(headers)).containsExactly("Host: lb");
    }
}
