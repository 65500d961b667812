package dev.lbaas.amphora.proxy.http.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class LazyTrailersTest {

    private final EmbeddedChannel member = new EmbeddedChannel(
            new MemberHttpCodec(new HttpDecoderConfig().setTrailersFactory(LazyTrailers.FACTORY)));

    @AfterEach
    void close() {
        member.finishAndReleaseAll();
    }

    @Test
    void aBodyWithoutTrailerFieldsGetsNoTrailerMap() {
        LastHttpContent last = lastPartOf("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello");

        assertThat(last.trailingHeaders()).isInstanceOf(LazyTrailers.class).isEmpty();
        assertThat(((LazyTrailers) last.trailingHeaders()).allocated()).isFalse();
        ReferenceCountUtil.release(last);
    }

    @Test
    void trailerFieldsOfAChunkedBodyAreKept() {
        LastHttpContent last = lastPartOf("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "5\r\nhello\r\n0\r\nX-Digest: 42\r\nX-Digest: 43\r\n\r\n");

        assertThat(last.trailingHeaders().getAll("x-digest")).containsExactly("42", "43");
        assertThat(last.trailingHeaders().size()).isEqualTo(2);
        ReferenceCountUtil.release(last);
    }

    @Test
    void namesATrailerMustNotCarryAreRefusedAsByNettysTrailers() {
        LazyTrailers trailers = new LazyTrailers();

        assertThatThrownBy(() -> trailers.add("Content-Length", "5")).isInstanceOf(IllegalArgumentException.class);
        trailers.add("X-Checksum", "abc").remove("x-checksum");
        assertThat(trailers.isEmpty()).isTrue();
    }

    /** Sends a GET, feeds {@code response} and returns the last part of the response decoded. */
    private LastHttpContent lastPartOf(String response) {
        member.writeOutbound(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/"));
        member.outboundMessages().forEach(ReferenceCountUtil::release);
        member.outboundMessages().clear();
        member.writeInbound(Unpooled.copiedBuffer(response, StandardCharsets.US_ASCII));
        assertThat((Object) member.readInbound()).isInstanceOf(HttpResponse.class);
        Object part;
        while (!((part = member.readInbound()) instanceof LastHttpContent)) {
            ReferenceCountUtil.release(part);
        }
        return (LastHttpContent) part;
    }
}
