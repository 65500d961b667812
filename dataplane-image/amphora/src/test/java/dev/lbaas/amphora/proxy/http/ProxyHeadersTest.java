package dev.lbaas.amphora.proxy.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lbaas.amphora.proxy.http.codec.CompactHttpHeaders;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class ProxyHeadersTest {

    /** Netty's header maps, and the ones the amphora's decoders make. */
    static List<Supplier<HttpHeaders>> headerMaps() {
        return List.of(named(DefaultHttpHeaders::new), named(CompactHttpHeaders.FACTORY::newHeaders));
    }

    private static Supplier<HttpHeaders> named(Supplier<HttpHeaders> maps) {
        String name = maps.get().getClass().getSimpleName();
        return new Supplier<>() {
            @Override
            public HttpHeaders get() {
                return maps.get();
            }

            @Override
            public String toString() {
                return name;
            }
        };
    }

    @ParameterizedTest
    @MethodSource("headerMaps")
    void hopByHopHeadersStayOnTheirHop(Supplier<HttpHeaders> maps) {
        HttpHeaders headers = maps.get()
                .add("Host", "example.test")
                .add("Connection", "keep-alive")
                .add("Keep-Alive", "timeout=5")
                .add("Proxy-Connection", "keep-alive")
                .add("TE", "trailers")
                .add("Trailer", "Expires")
                .add("Upgrade", "websocket")
                .add("Transfer-Encoding", "chunked")
                .add("Accept", "*/*");

        ProxyHeaders.removeHopByHop(headers);

        assertThat(headers.names()).containsExactlyInAnyOrder("Host", "Transfer-Encoding", "Accept");
    }

    @ParameterizedTest
    @MethodSource("headerMaps")
    void headersTheConnectionHeaderNamesAreRemovedInEveryConnectionHeader(Supplier<HttpHeaders> maps) {
        HttpHeaders headers = maps.get()
                .add("Connection", "keep-alive")
                .add("Connection", "X-Session-Secret, x-trace")
                .add("X-Session-Secret", "s3cr3t")
                .add("X-Trace", "1")
                .add("X-Kept", "yes");

        ProxyHeaders.removeHopByHop(headers);

        assertThat(headers.names()).containsExactly("X-Kept");
    }

    @ParameterizedTest
    @MethodSource("headerMaps")
    void headersOneConnectionHeaderNamesAreRemoved(Supplier<HttpHeaders> maps) {
        HttpHeaders headers = maps.get().add("Connection", "close, X-Secret").add("x-secret", "s3cr3t").add("X-Kept", "yes");

        ProxyHeaders.removeHopByHop(headers);

        assertThat(headers.names()).containsExactly("X-Kept");
    }

    @ParameterizedTest
    @MethodSource("headerMaps")
    void plainKeepAliveOrCloseNamesNothingElse(Supplier<HttpHeaders> maps) {
        HttpHeaders headers = maps.get().add("Connection", "Close").add("Content-Length", "5");

        ProxyHeaders.removeHopByHop(headers);

        assertThat(headers.names()).containsExactly("Content-Length");
    }

    @Test
    void framingChecksAnswerAsNettysWithOrWithoutTheirHeaders() {
        List<String[]> cases = List.of(
                new String[] {},
                new String[] {"Transfer-Encoding", "chunked"},
                new String[] {"Transfer-Encoding", "gzip, Chunked"},
                new String[] {"Transfer-Encoding", "gzip"},
                new String[] {"Connection", "close"},
                new String[] {"Connection", "Keep-Alive"},
                new String[] {"Connection", "x-trace"},
                new String[] {"Connection", "keep-alive", "Connection", "close"});
        for (HttpVersion version : List.of(HttpVersion.HTTP_1_0, HttpVersion.HTTP_1_1)) {
            for (String[] headers : cases) {
                HttpResponse response = new DefaultHttpResponse(version, HttpResponseStatus.OK);
                for (int i = 0; i < headers.length; i += 2) {
                    response.headers().add(headers[i], headers[i + 1]);
                }
                String described = version + " " + List.of(headers);
                assertThat(ProxyHeaders.isChunked(response)).as(described)
                        .isEqualTo(HttpUtil.isTransferEncodingChunked(response));
                assertThat(ProxyHeaders.isKeepAlive(response)).as(described).isEqualTo(HttpUtil.isKeepAlive(response));
            }
        }
    }

    @Test
    void onlyTheConfiguredHeadersAreInserted() {
        InetSocketAddress client = new InetSocketAddress("192.0.2.7", 40_000);
        InetSocketAddress vip = new InetSocketAddress("127.0.0.1", 8080);
        HttpHeaders none = new DefaultHttpHeaders().add("X-Forwarded-For", "203.0.113.1");
        ProxyHeaders.insert(none, List.of(), client, vip, null);
        assertThat(none.getAll("X-Forwarded-For")).containsExactly("203.0.113.1");

        HttpHeaders all = new DefaultHttpHeaders().add("X-Forwarded-For", "203.0.113.1");
        ProxyHeaders.insert(all, List.of("X-Forwarded-For", "X-Forwarded-Port", "X-Forwarded-Proto", "X-Real-IP"),
                client, vip, null);
        assertThat(all.getAll("X-Forwarded-For")).containsExactly("203.0.113.1", "192.0.2.7");
        assertThat(all.get("X-Forwarded-Port")).isEqualTo("8080");
        assertThat(all.get("X-Forwarded-Proto")).isEqualTo("http");
        assertThat(all.get("X-Real-IP")).isEqualTo("192.0.2.7");
    }
}
