package dev.lbaas.amphora.proxy.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.net.InetSocketAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

class RequestHeadsTest {

    private static HttpRequest request(HttpMethod method, String... headers) {
        HttpRequest request = new DefaultHttpRequest(HttpVersion.HTTP_1_1, method, "/");
        request.headers().set(HttpHeaderNames.HOST, "lb");
        for (int i = 0; i < headers.length; i += 2) {
            request.headers().add(headers[i], headers[i + 1]);
        }
        return request;
    }

    @Test
    void onlyBodylessIdempotentRequestsMayBeSentAgain() {
        assertThat(RequestHeads.retryable(request(HttpMethod.GET))).isTrue();
        assertThat(RequestHeads.retryable(request(HttpMethod.HEAD))).isTrue();
        assertThat(RequestHeads.retryable(request(HttpMethod.OPTIONS))).isTrue();
        assertThat(RequestHeads.retryable(request(HttpMethod.GET, "content-length", "0"))).isTrue();

        assertThat(RequestHeads.retryable(request(HttpMethod.POST))).as("not idempotent").isFalse();
        assertThat(RequestHeads.retryable(request(HttpMethod.DELETE))).as("not among the safe three").isFalse();
        assertThat(RequestHeads.retryable(request(HttpMethod.GET, "content-length", "5"))).as("a body").isFalse();
        assertThat(RequestHeads.retryable(request(HttpMethod.GET, "transfer-encoding", "chunked")))
                .as("a chunked body").isFalse();
    }

    @Test
    void anUnreadableHeadIsRefusedWithTheDecodersReason() {
        HttpRequest broken = request(HttpMethod.GET);
        broken.setDecoderResult(DecoderResult.failure(new IllegalArgumentException("bad")));

        RequestRules.Refusal refusal = RequestHeads.refusal(broken);

        assertThat(refusal).isNotNull();
        assertThat(refusal.status()).isEqualTo(HttpResponseStatus.BAD_REQUEST);
        assertThat(RequestHeads.refusal(request(HttpMethod.GET))).as("a plain GET").isNull();
    }

    @Test
    void anAdmittedHeadLosesItsHopByHopFieldsAndGainsTheListenersInsertedOnes() {
        HttpRequest request = request(HttpMethod.GET, "connection", "keep-alive, x-private", "x-private", "1",
                "keep-alive", "timeout=5", "x-forwarded-for", "192.0.2.1");

        RequestHeads.adapt(request, List.of("X-Forwarded-For", "X-Forwarded-Port", "X-Real-IP"),
                new InetSocketAddress("198.51.100.7", 40000), new InetSocketAddress("203.0.113.1", 8080), null);

        assertThat(request.headers().contains("x-private")).as("named by Connection").isFalse();
        assertThat(request.headers().contains("keep-alive")).isFalse();
        assertThat(request.headers().contains(HttpHeaderNames.CONNECTION)).isFalse();
        assertThat(request.headers().getAll("x-forwarded-for")).as("the client appended to the chain")
                .containsExactly("192.0.2.1", "198.51.100.7");
        assertThat(request.headers().get("x-forwarded-port")).isEqualTo("8080");
        assertThat(request.headers().get("x-real-ip")).isEqualTo("198.51.100.7");
    }
}
