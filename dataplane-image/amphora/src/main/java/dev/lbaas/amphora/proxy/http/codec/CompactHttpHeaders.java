package dev.lbaas.amphora.proxy.http.codec;

import io.netty.handler.codec.DateFormatter;
import io.netty.handler.codec.DefaultHeaders;
import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpHeadersFactory;
import io.netty.util.AsciiString;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Calendar;
import java.util.Collections;
import java.util.Date;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.function.Function;

/**
 * The header fields of a proxied message: one array of name/value pairs in the order they came,
 * looked up by a scan. A proxy reads a message's fields a few times and writes them out once, and
 * a message usually carries a dozen or fewer, so Netty's {@code DefaultHttpHeaders}, a hash table whose
 * every field is an object of six references linked twice, mostly made garbage here: its entries,
 * bucket arrays and maps were 45% of what each proxied request allocated, which the young
 * collector then paused both event loops to sweep. Here a message's fields are one array and no
 * object per field.
 *
 * <p>Names and values are checked by the validators of Netty's own header maps, so what the
 * decoders accept and refuse does not change; names compare ignoring case and keep the case they
 * came in. Lookups scan, so the proxy refuses messages with more than
 * {@link dev.lbaas.amphora.proxy.http.ProxyHeaders#MAX_HEADER_FIELDS} fields, as HAProxy does.
 */
public final class CompactHttpHeaders extends HttpHeaders {

    /** Gives each decoded message a {@link CompactHttpHeaders}; for {@code HttpDecoderConfig#setHeadersFactory}. */
    public static final HttpHeadersFactory FACTORY = new HttpHeadersFactory() {
        @Override
        public HttpHeaders newHeaders() {
            return new CompactHttpHeaders();
        }

        @Override
        public HttpHeaders newEmptyHeaders() {
            return new CompactHttpHeaders();
        }
    };

    private static final DefaultHeaders.NameValidator<CharSequence> NAMES =
            DefaultHttpHeadersFactory.headersFactory().getNameValidator();
    private static final DefaultHeaders.ValueValidator<CharSequence> VALUES =
            DefaultHttpHeadersFactory.headersFactory().getValueValidator();

    /** Name, value, name, value, ...: {@code 2 * size} entries in use. */
    private CharSequence[] fields = NO_FIELDS;
    private int size;

    private static final CharSequence[] NO_FIELDS = {};

    private static boolean sameName(CharSequence a, CharSequence b) {
        return a.length() == b.length() && AsciiString.contentEqualsIgnoreCase(a, b);
    }

    private CharSequence name(int field) {
        return fields[2 * field];
    }

    private CharSequence value(int field) {
        return fields[2 * field + 1];
    }

    /** The index of the first field named {@code name} from field {@code from} on, or -1. */
    private int indexOf(CharSequence name, int from) {
        for (int i = from; i < size; i++) {
            if (sameName(name(i), name)) {
                return i;
            }
        }
        return -1;
    }

    private CharSequence first(CharSequence name) {
        int i = indexOf(name, 0);
        return i < 0 ? null : value(i);
    }

    /** {@code value} as stored, once Netty's validators accept it and {@code name}. */
    private static CharSequence checked(CharSequence name, Object value) {
        NAMES.validateName(name);
        CharSequence converted = toValue(value);
        VALUES.validate(converted);
        return converted;
    }

    private void append(CharSequence name, Object value) {
        store(name, checked(name, value));
    }

    private void store(CharSequence name, CharSequence value) {
        if (2 * size == fields.length) {
            fields = Arrays.copyOf(fields, size == 0 ? 2 * 8 : 4 * size);
        }
        fields[2 * size] = name;
        fields[2 * size + 1] = value;
        size++;
    }

    /** A value as Netty's header maps convert it: dates in HTTP's format, anything else as text. */
    private static CharSequence toValue(Object value) {
        if (value == null) {
            throw new NullPointerException("value");
        }
        if (value instanceof CharSequence text) {
            return text;
        }
        if (value instanceof Date date) {
            return DateFormatter.format(date);
        }
        if (value instanceof Calendar calendar) {
            return DateFormatter.format(calendar.getTime());
        }
        return value.toString();
    }

    private void removeAll(CharSequence name) {
        // Most removals find nothing (hop-by-hop fields on every message): then nothing is written.
        int kept = indexOf(name, 0);
        if (kept < 0) {
            return;
        }
        for (int i = kept + 1; i < size; i++) {
            if (!sameName(name(i), name)) {
                fields[2 * kept] = name(i);
                fields[2 * kept + 1] = value(i);
                kept++;
            }
        }
        Arrays.fill(fields, 2 * kept, 2 * size, null);
        size = kept;
    }

    @Override
    public String get(String name) {
        return get((CharSequence) name);
    }

    @Override
    public String get(CharSequence name) {
        CharSequence value = first(name);
        return value == null ? null : value.toString();
    }

    /** The first value named {@code name} as a number, or null when there is none or it is no number. */
    private <N extends Number> N number(CharSequence name, Function<String, N> parser) {
        CharSequence value = first(name);
        if (value == null) {
            return null;
        }
        try {
            return parser.apply(value.toString());
        } catch (NumberFormatException e) {
            return null;
        }
    }

    @Override
    public Integer getInt(CharSequence name) {
        return number(name, Integer::valueOf);
    }

    @Override
    public int getInt(CharSequence name, int defaultValue) {
        Integer value = getInt(name);
        return value == null ? defaultValue : value;
    }

    @Override
    public Short getShort(CharSequence name) {
        return number(name, Short::valueOf);
    }

    @Override
    public short getShort(CharSequence name, short defaultValue) {
        Short value = getShort(name);
        return value == null ? defaultValue : value;
    }

    @Override
    public Long getTimeMillis(CharSequence name) {
        CharSequence value = first(name);
        Date date = value == null ? null : DateFormatter.parseHttpDate(value);
        return date == null ? null : date.getTime();
    }

    @Override
    public long getTimeMillis(CharSequence name, long defaultValue) {
        Long value = getTimeMillis(name);
        return value == null ? defaultValue : value;
    }

    @Override
    public List<String> getAll(String name) {
        return getAll((CharSequence) name);
    }

    @Override
    public List<String> getAll(CharSequence name) {
        int i = indexOf(name, 0);
        if (i < 0) {
            return Collections.emptyList();
        }
        int next = indexOf(name, i + 1);
        if (next < 0) {
            return List.of(value(i).toString());
        }
        List<String> values = new ArrayList<>(4);
        for (; i >= 0; i = indexOf(name, i + 1)) {
            values.add(value(i).toString());
        }
        return values;
    }

    /** How many fields are named {@code name}, counted without a list of their values. */
    public int count(CharSequence name) {
        int count = 0;
        for (int i = indexOf(name, 0); i >= 0; i = indexOf(name, i + 1)) {
            count++;
        }
        return count;
    }

    @Override
    public List<Map.Entry<String, String>> entries() {
        List<Map.Entry<String, String>> entries = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
            entries.add(new AbstractMap.SimpleImmutableEntry<>(name(i).toString(), value(i).toString()));
        }
        return entries;
    }

    @Override
    public boolean contains(String name) {
        return indexOf(name, 0) >= 0;
    }

    @Override
    public boolean contains(CharSequence name) {
        return indexOf(name, 0) >= 0;
    }

    @Override
    public boolean contains(CharSequence name, CharSequence value, boolean ignoreCase) {
        for (int i = indexOf(name, 0); i >= 0; i = indexOf(name, i + 1)) {
            CharSequence field = value(i);
            if (ignoreCase ? AsciiString.contentEqualsIgnoreCase(field, value) : AsciiString.contentEquals(field, value)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public boolean contains(String name, String value, boolean ignoreCase) {
        return contains((CharSequence) name, value, ignoreCase);
    }

    /**
     * Whether a field named {@code name} lists {@code value} among its comma-separated elements,
     * as Netty's maps answer it, without their iterator and the trimmed copies of each element:
     * the decoders and encoders ask this of Transfer-Encoding and Connection for every message.
     * Case is ignored for ASCII letters; the values asked for (chunked, close, keep-alive) are ASCII.
     */
    @Override
    public boolean containsValue(CharSequence name, CharSequence value, boolean ignoreCase) {
        for (int i = indexOf(name, 0); i >= 0; i = indexOf(name, i + 1)) {
            if (listsElement(value(i), value, ignoreCase)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether one of the comma-separated elements of {@code list}, without the whitespace around
     * it, is {@code element}. After a final comma there is no further element, as in Netty's maps.
     */
    private static boolean listsElement(CharSequence list, CharSequence element, boolean ignoreCase) {
        int length = list.length();
        for (int begin = 0;;) {
            int comma = AsciiString.indexOf(list, ',', begin);
            int end = comma < 0 ? length : comma;
            int from = begin;
            int to = end;
            while (from < to && list.charAt(from) <= ' ') {
                from++;
            }
            while (to > from && list.charAt(to - 1) <= ' ') {
                to--;
            }
            if (to - from == element.length()
                    && AsciiString.regionMatchesAscii(list, ignoreCase, from, element, 0, to - from)) {
                return true;
            }
            begin = end + 1;
            if (begin >= length) {
                return false;
            }
        }
    }

    @Override
    public Iterator<Map.Entry<String, String>> iterator() {
        return entries().iterator();
    }

    /**
     * The fields in order. For the encoders, which write each field as it comes, the iterator
     * hands out one entry that it moves from field to field: an entry is valid until the next
     * call to {@code next()}, and the headers must not change meanwhile.
     */
    @Override
    public Iterator<Map.Entry<CharSequence, CharSequence>> iteratorCharSequence() {
        return new FieldCursor();
    }

    private final class FieldCursor implements Iterator<Map.Entry<CharSequence, CharSequence>>,
            Map.Entry<CharSequence, CharSequence> {
        private int next;
        private int current = -1;

        @Override
        public boolean hasNext() {
            return next < size;
        }

        @Override
        public Map.Entry<CharSequence, CharSequence> next() {
            if (next >= size) {
                throw new NoSuchElementException();
            }
            current = next++;
            return this;
        }

        @Override
        public CharSequence getKey() {
            return name(current);
        }

        @Override
        public CharSequence getValue() {
            return value(current);
        }

        @Override
        public CharSequence setValue(CharSequence value) {
            throw new UnsupportedOperationException("set the field through its headers");
        }
    }

    @Override
    public Iterator<String> valueStringIterator(CharSequence name) {
        return new ValueCursor<>(name, CharSequence::toString);
    }

    @Override
    public Iterator<? extends CharSequence> valueCharSequenceIterator(CharSequence name) {
        return new ValueCursor<>(name, Function.identity());
    }

    /** The values of the fields named {@code name}, in order, as {@code as} turns them. */
    private final class ValueCursor<V> implements Iterator<V> {
        private final CharSequence name;
        private final Function<CharSequence, V> as;
        private int next;

        ValueCursor(CharSequence name, Function<CharSequence, V> as) {
            this.name = name;
            this.as = as;
            this.next = indexOf(name, 0);
        }

        @Override
        public boolean hasNext() {
            return next >= 0;
        }

        @Override
        public V next() {
            if (next < 0) {
                throw new NoSuchElementException();
            }
            CharSequence value = value(next);
            next = indexOf(name, next + 1);
            return as.apply(value);
        }
    }

    @Override
    public boolean isEmpty() {
        return size == 0;
    }

    @Override
    public int size() {
        return size;
    }

    @Override
    public Set<String> names() {
        Set<String> names = new LinkedHashSet<>();
        for (int i = 0; i < size; i++) {
            names.add(name(i).toString());
        }
        return names;
    }

    @Override
    public HttpHeaders add(String name, Object value) {
        append(name, value);
        return this;
    }

    @Override
    public HttpHeaders add(CharSequence name, Object value) {
        append(name, value);
        return this;
    }

    @Override
    public HttpHeaders add(String name, Iterable<?> values) {
        return add((CharSequence) name, values);
    }

    @Override
    public HttpHeaders add(CharSequence name, Iterable<?> values) {
        for (Object value : values) {
            append(name, value);
        }
        return this;
    }

    @Override
    public HttpHeaders addInt(CharSequence name, int value) {
        append(name, Integer.toString(value));
        return this;
    }

    @Override
    public HttpHeaders addShort(CharSequence name, short value) {
        append(name, Short.toString(value));
        return this;
    }

    @Override
    public HttpHeaders set(String name, Object value) {
        return set((CharSequence) name, value);
    }

    @Override
    public HttpHeaders set(CharSequence name, Object value) {
        // Checked before anything is removed, so that a refused value leaves the fields as they were.
        CharSequence checked = checked(name, value);
        removeAll(name);
        store(name, checked);
        return this;
    }

    @Override
    public HttpHeaders set(String name, Iterable<?> values) {
        return set((CharSequence) name, values);
    }

    @Override
    public HttpHeaders set(CharSequence name, Iterable<?> values) {
        removeAll(name);
        return add(name, values);
    }

    @Override
    public HttpHeaders setInt(CharSequence name, int value) {
        return set(name, Integer.toString(value));
    }

    @Override
    public HttpHeaders setShort(CharSequence name, short value) {
        return set(name, Short.toString(value));
    }

    @Override
    public HttpHeaders remove(String name) {
        removeAll(name);
        return this;
    }

    @Override
    public HttpHeaders remove(CharSequence name) {
        removeAll(name);
        return this;
    }

    @Override
    public HttpHeaders clear() {
        Arrays.fill(fields, 0, 2 * size, null);
        size = 0;
        return this;
    }

    @Override
    public HttpHeaders copy() {
        CompactHttpHeaders copy = new CompactHttpHeaders();
        copy.fields = size == 0 ? NO_FIELDS : Arrays.copyOf(fields, fields.length);
        copy.size = size;
        return copy;
    }
}
