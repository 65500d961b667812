package dev.lbaas.amphora.proxy.http.codec;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
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

    @Test
    void statusLinesAreReadAsSentWhetherTheirWordsAreTheUsualOnesOrNot() {
        String[] lines = {
            "HTTP/1.1 200 OK", "HTTP/1.0 404 Not Found", "HTTP/1.1 200 Fine", "HTTP/1.1 299 Custom Thing",
            "HTTP/1.1 503 Service Unavailable", "HTTP/1.1 204 ok", "HTTP/1.1 301 Moved Permanently"};
        for (String line : lines) {
            send(HttpMethod.GET);
            receive(line + "\r\nContent-Length: 0\r\n\r\n");
            HttpResponse response = member.readInbound();
            String[] words = line.split(" ", 3);
            assertThat(response.protocolVersion().text()).as(line).isEqualTo(words[0]);
            assertThat(response.status().code()).as(line).isEqualTo(Integer.parseInt(words[1]));
            assertThat(response.status().reasonPhrase()).as(line).isEqualTo(words[2]);
            assertThat(readBody()).isEmpty();
        }
    }

    @Test
    void theUsualStatusLineWordsAreSharedNotMadeAnew() {
        MemberHttpCodec.ResponseDecoder decoder = new MemberHttpCodec.ResponseDecoder(new HttpDecoderConfig(),
                new ArrayDeque<>());
        byte[] line = bytes("HTTP/1.1 200 OK");
        String version = decoder.splitFirstWordInitialLine(line, 0, 8);
        String code = decoder.splitSecondWordInitialLine(line, 9, 3);
        String reason = decoder.splitThirdWordInitialLine(line, 13, 2);
        assertThat(version).isSameAs("HTTP/1.1");
        assertThat(code).isEqualTo("200").isSameAs(decoder.splitSecondWordInitialLine(bytes("200"), 0, 3));
        assertThat(reason).isSameAs(HttpResponseStatus.OK.reasonPhrase());
        // A reason phrase other than the standard one for its code is its own string.
        byte[] custom = bytes("HTTP/1.1 200 Fine");
        decoder.splitSecondWordInitialLine(custom, 9, 3);
        assertThat(decoder.splitThirdWordInitialLine(custom, 13, 4)).isEqualTo("Fine");
        // A word that is not a three-digit code is left to Netty's decoder, which refuses it later.
        assertThat(decoder.splitSecondWordInitialLine(bytes("20x"), 0, 3)).isEqualTo("20x");
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
