package dev.lbaas.amphora.proxy.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class MemberHttpCodecTest {

    private final EmbeddedChannel member = new EmbeddedChannel(new MemberHttpCodec(new HttpDecoderConfig()));

    @AfterEach
    void close() {
        member.finishAndReleaseAll();
    }

    @Test
    void aResponseToHeadHasNoBodyWhateverItsContentLengthSays() {
        send(HttpMethod.HEAD);
        send(HttpMethod.GET);
        receive("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n"
                + "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello");

        HttpResponse head = member.readInbound();
        assertThat(head.headers().get("content-length")).isEqualTo("5");
        assertThat(readBody()).isEmpty();
        HttpResponse get = member.readInbound();
        assertThat(get.status().code()).isEqualTo(200);
        assertThat(readBody()).isEqualTo("hello");
    }

    @Test
    void anInterimResponseWaitsForTheFinalOneOfTheSameRequest() {
        send(HttpMethod.HEAD);
        receive("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 7\r\n\r\n");

        HttpResponse interim = member.readInbound();
        assertThat(interim.status().code()).isEqualTo(100);
        assertThat(readBody()).isEmpty();
        HttpResponse head = member.readInbound();
        assertThat(head.status().code()).isEqualTo(200);
        assertThat(readBody()).isEmpty();
    }

    @Test
    void headerNamesServersSendOftenAreSharedAndKeepTheirCase() {
        send(HttpMethod.GET);
        receive("HTTP/1.1 200 OK\r\nServer: nginx\r\nContent-Length: 2\r\nX-Trace: 7\r\ncontent-type: text/plain\r\n\r\nok");

        HttpResponse response = member.readInbound();
        Map<String, CharSequence> names = StreamSupport.stream(
                        ((Iterable<Map.Entry<CharSequence, CharSequence>>) response.headers()::iteratorCharSequence)
                                .spliterator(), false)
                .collect(Collectors.toMap(e -> e.getKey().toString(), Map.Entry::getKey));
        assertThat(names).containsOnlyKeys("Server", "Content-Length", "X-Trace", "content-type");
        assertThat((Object) names.get("Server")).isSameAs(MemberHttpCodec.knownName(bytes("Server"), 0, 6));
        assertThat((Object) names.get("Content-Length")).isSameAs(MemberHttpCodec.knownName(bytes("Content-Length"), 0, 14));
        // Other names and other spellings are read as they come.
        assertThat((Object) MemberHttpCodec.knownName(bytes("X-Trace"), 0, 7)).isNull();
        assertThat((Object) MemberHttpCodec.knownName(bytes("content-type"), 0, 12)).isNull();
        assertThat(response.headers().get("Content-Type")).isEqualTo("text/plain");
        assertThat(readBody()).isEqualTo("ok");
    }

    private void send(HttpMethod method) {
        assertThat(member.writeOutbound(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, method, "/"))).isTrue();
        ByteBuf encoded;
        while ((encoded = member.readOutbound()) != null) {
            encoded.release();
        }
    }

    private void receive(String wire) {
        member.writeInbound(Unpooled.copiedBuffer(wire, StandardCharsets.US_ASCII));
    }

    /** The body of the response just read, up to its last content. */
    private String readBody() {
        StringBuilder body = new StringBuilder();
        while (true) {
            Object msg = member.readInbound();
            assertThat(msg).isInstanceOf(HttpContent.class);
            body.append(((HttpContent) msg).content().toString(StandardCharsets.US_ASCII));
            boolean last = msg instanceof LastHttpContent;
            ReferenceCountUtil.release(msg);
            if (last) {
                return body.toString();
            }
        }
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }
}
