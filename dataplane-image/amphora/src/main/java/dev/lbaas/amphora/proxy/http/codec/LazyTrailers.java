package dev.lbaas.amphora.proxy.http.codec;

import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpHeadersFactory;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The trailer section of a message, made only once a field is added to it. Netty's decoders make
 * a trailer map for the last part of every message with a body, though trailer fields are rare:
 * with a map, its entry table and its list head, that was about 7% of the garbage of each proxied
 * request. Until the first field arrives this is an empty view; after, every call goes to a map of
 * Netty's trailer kind, which keeps its validation (names a trailer must not carry are refused).
 */
public final class LazyTrailers extends HttpHeaders {

    /** Gives each message a {@link LazyTrailers}; for {@code HttpDecoderConfig#setTrailersFactory}. */
    public static final HttpHeadersFactory FACTORY = new HttpHeadersFactory() {
        @Override
        public HttpHeaders newHeaders() {
            return new LazyTrailers();
        }

        @Override
        public HttpHeaders newEmptyHeaders() {
            return new LazyTrailers();
        }
    };

    /** The fields, once there is one; null before. */
    private HttpHeaders fields;

    /** Whether a field was ever added, for tests. */
    boolean allocated() {
        return fields != null;
    }

    private HttpHeaders read() {
        return fields != null ? fields : EmptyHttpHeaders.INSTANCE;
    }

    private HttpHeaders write() {
        if (fields == null) {
            // Two hash buckets: plenty for the few fields a trailer carries.
            fields = DefaultHttpHeadersFactory.trailersFactory().newEmptyHeaders();
        }
        return fields;
    }

    @Override
    public String get(String name) {
        return read().get(name);
    }

    @Override
    public String get(CharSequence name) {
        return read().get(name);
    }

    @Override
    public Integer getInt(CharSequence name) {
        return read().getInt(name);
    }

    @Override
    public int getInt(CharSequence name, int defaultValue) {
        return read().getInt(name, defaultValue);
    }

    @Override
    public Short getShort(CharSequence name) {
        return read().getShort(name);
    }

    @Override
    public short getShort(CharSequence name, short defaultValue) {
        return read().getShort(name, defaultValue);
    }

    @Override
    public Long getTimeMillis(CharSequence name) {
        return read().getTimeMillis(name);
    }

    @Override
    public long getTimeMillis(CharSequence name, long defaultValue) {
        return read().getTimeMillis(name, defaultValue);
    }

    @Override
    public List<String> getAll(String name) {
        return read().getAll(name);
    }

    @Override
    public List<String> getAll(CharSequence name) {
        return read().getAll(name);
    }

    @Override
    public List<Map.Entry<String, String>> entries() {
        return read().entries();
    }

    @Override
    public boolean contains(String name) {
        return read().contains(name);
    }

    @Override
    public boolean contains(CharSequence name) {
        return read().contains(name);
    }

    @Override
    public boolean contains(String name, String value, boolean ignoreCase) {
        return read().contains(name, value, ignoreCase);
    }

    @Override
    public boolean contains(CharSequence name, CharSequence value, boolean ignoreCase) {
        return read().contains(name, value, ignoreCase);
    }

    @Override
    public boolean containsValue(CharSequence name, CharSequence value, boolean ignoreCase) {
        return read().containsValue(name, value, ignoreCase);
    }

    @Override
    public Iterator<Map.Entry<String, String>> iterator() {
        return read().iterator();
    }

    @Override
    public Iterator<Map.Entry<CharSequence, CharSequence>> iteratorCharSequence() {
        return read().iteratorCharSequence();
    }

    @Override
    public Iterator<String> valueStringIterator(CharSequence name) {
        return read().valueStringIterator(name);
    }

    @Override
    public Iterator<? extends CharSequence> valueCharSequenceIterator(CharSequence name) {
        return read().valueCharSequenceIterator(name);
    }

    @Override
    public boolean isEmpty() {
        return fields == null || fields.isEmpty();
    }

    @Override
    public int size() {
        return fields == null ? 0 : fields.size();
    }

    @Override
    public Set<String> names() {
        return read().names();
    }

    @Override
    public HttpHeaders add(String name, Object value) {
        write().add(name, value);
        return this;
    }

    @Override
    public HttpHeaders add(CharSequence name, Object value) {
        write().add(name, value);
        return this;
    }

    @Override
    public HttpHeaders add(String name, Iterable<?> values) {
        write().add(name, values);
        return this;
    }

    @Override
    public HttpHeaders add(CharSequence name, Iterable<?> values) {
        write().add(name, values);
        return this;
    }

    @Override
    public HttpHeaders add(HttpHeaders headers) {
        if (!headers.isEmpty()) {
            write().add(headers);
        }
        return this;
    }

    @Override
    public HttpHeaders addInt(CharSequence name, int value) {
        write().addInt(name, value);
        return this;
    }

    @Override
    public HttpHeaders addShort(CharSequence name, short value) {
        write().addShort(name, value);
        return this;
    }

    @Override
    public HttpHeaders set(String name, Object value) {
        write().set(name, value);
        return this;
    }

    @Override
    public HttpHeaders set(CharSequence name, Object value) {
        write().set(name, value);
        return this;
    }

    @Override
    public HttpHeaders set(String name, Iterable<?> values) {
        write().set(name, values);
        return this;
    }

    @Override
    public HttpHeaders set(CharSequence name, Iterable<?> values) {
        write().set(name, values);
        return this;
    }

    @Override
    public HttpHeaders set(HttpHeaders headers) {
        if (fields != null || !headers.isEmpty()) {
            write().set(headers);
        }
        return this;
    }

    @Override
    public HttpHeaders setInt(CharSequence name, int value) {
        write().setInt(name, value);
        return this;
    }

    @Override
    public HttpHeaders setShort(CharSequence name, short value) {
        write().setShort(name, value);
        return this;
    }

    @Override
    public HttpHeaders remove(String name) {
        if (fields != null) {
            fields.remove(name);
        }
        return this;
    }

    @Override
    public HttpHeaders remove(CharSequence name) {
        if (fields != null) {
            fields.remove(name);
        }
        return this;
    }

    @Override
    public HttpHeaders clear() {
        if (fields != null) {
            fields.clear();
        }
        return this;
    }

    @Override
    public HttpHeaders copy() {
        return read().copy();
    }
}
