package dev.lbaas.amphora.proxy.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import org.junit.jupiter.api.Test;

class ResponseHeadsTest {

    private static Exchange exchange(HttpVersion version, HttpMethod method, String connection) {
        DefaultHttpRequest request = new DefaultHttpRequest(version, method, "/");
        if (connection != null) {
            request.headers().set(HttpHeaderNames.CONNECTION, connection);
        }
        return new Exchange(null, null, request);
    }

    private static HttpResponse response(HttpResponseStatus status, String... headers) {
        HttpResponse response = new DefaultHttpResponse(HttpVersion.HTTP_1_1, status);
        for (int i = 0; i < headers.length; i += 2) {
            response.headers().add(headers[i], headers[i + 1]);
        }
        return response;
    }

    @Test
    void aHeadTheAmphoraCannotForwardFaithfullyIsRefusedWithItsReason() {
        HttpResponse broken = response(HttpResponseStatus.OK);
        broken.setDecoderResult(DecoderResult.failure(new IllegalArgumentException("bad")));
        assertThat(ResponseHeads.refusal(broken)).isEqualTo("the server sent an invalid response");

        HttpResponse crowded = response(HttpResponseStatus.OK);
        for (int i = 0; i <= ProxyHeaders.MAX_HEADER_FIELDS; i++) {
            crowded.headers().add("x-field-" + i, "v");
        }
        assertThat(ResponseHeads.refusal(crowded)).isEqualTo("the server sent too many header fields");

        assertThat(ResponseHeads.refusal(response(HttpResponseStatus.SWITCHING_PROTOCOLS, "upgrade", "websocket")))
                .isEqualTo("the server switched protocols unasked");
        assertThat(ResponseHeads.refusal(response(HttpResponseStatus.OK, "content-length", "0"))).isNull();
    }

    @Test
    void aDelimitedKeepAliveAnswerLeavesBothConnectionsOpenAndLosesItsHopByHopFields() {
        Exchange exchange = exchange(HttpVersion.HTTP_1_1, HttpMethod.GET, null);
        HttpResponse response = response(HttpResponseStatus.OK, "content-length", "5", "keep-alive", "timeout=5",
                "connection", "keep-alive");

        ResponseHeads.adapt(exchange, response);

        assertThat(exchange.memberReusable).isTrue();
        assertThat(exchange.clientKeepAlive).isTrue();
        assertThat(response.headers().contains("keep-alive")).isFalse();
        assertThat(response.headers().contains(HttpHeaderNames.CONNECTION)).isFalse();
    }

    @Test
    void aBodyEndedByTheMembersCloseIsChunkedForAnHttp11ClientAndTheMemberConnectionIsNotReused() {
        Exchange exchange = exchange(HttpVersion.HTTP_1_1, HttpMethod.GET, null);
        HttpResponse response = response(HttpResponseStatus.OK);

        ResponseHeads.adapt(exchange, response);

        assertThat(exchange.memberReusable).isFalse();
        assertThat(exchange.clientKeepAlive).isTrue();
        assertThat(response.headers().get(HttpHeaderNames.TRANSFER_ENCODING)).isEqualTo("chunked");
    }

    @Test
    void anHttp10ClientGetsNoChunksAndItsConnectionEndsWithTheBody() {
        Exchange exchange = exchange(HttpVersion.HTTP_1_0, HttpMethod.GET, "keep-alive");
        HttpResponse response = response(HttpResponseStatus.OK, "transfer-encoding", "chunked");

        ResponseHeads.adapt(exchange, response);

        assertThat(response.headers().contains(HttpHeaderNames.TRANSFER_ENCODING)).isFalse();
        assertThat(exchange.clientKeepAlive).isFalse();
        assertThat(response.headers().get(HttpHeaderNames.CONNECTION)).isEqualTo("close");
        assertThat(response.protocolVersion()).isEqualTo(HttpVersion.HTTP_1_1);
    }

    @Test
    void anHttp10KeepAliveClientIsToldItsConnectionGoesOn() {
        Exchange exchange = exchange(HttpVersion.HTTP_1_0, HttpMethod.GET, "keep-alive");
        HttpResponse response = response(HttpResponseStatus.OK, "content-length", "2");

        ResponseHeads.adapt(exchange, response);

        assertThat(exchange.clientKeepAlive).isTrue();
        assertThat(response.headers().get(HttpHeaderNames.CONNECTION)).isEqualTo("keep-alive");
    }

    @Test
    void answersWithoutABodyAreDelimitedByTheirKind() {
        for (HttpResponseStatus status : new HttpResponseStatus[] {HttpResponseStatus.NO_CONTENT,
                HttpResponseStatus.NOT_MODIFIED}) {
            Exchange exchange = exchange(HttpVersion.HTTP_1_1, HttpMethod.GET, null);
            HttpResponse response = response(status);
            ResponseHeads.adapt(exchange, response);
            assertThat(exchange.memberReusable).as(status.toString()).isTrue();
            assertThat(response.headers().contains(HttpHeaderNames.TRANSFER_ENCODING)).isFalse();
        }
        Exchange head = exchange(HttpVersion.HTTP_1_1, HttpMethod.HEAD, null);
        ResponseHeads.adapt(head, response(HttpResponseStatus.OK));
        assertThat(head.memberReusable).as("an answer to HEAD").isTrue();
    }

    @Test
    void aClientThatAskedToCloseIsToldSo() {
        Exchange exchange = exchange(HttpVersion.HTTP_1_1, HttpMethod.GET, "close");
        HttpResponse response = response(HttpResponseStatus.OK, "content-length", "0");

        ResponseHeads.adapt(exchange, response);

        assertThat(exchange.clientKeepAlive).isFalse();
        assertThat(response.headers().get(HttpHeaderNames.CONNECTION)).isEqualTo("close");
    }

    @Test
    void anExchangesSidesMoveOnTheirOwnAndAnInterimAnswerAwaitsTheFinalOne() {
        Exchange exchange = exchange(HttpVersion.HTTP_1_1, HttpMethod.POST, null);
        assertThat(exchange.requestSent()).isFalse();

        exchange.responseHead(true);
        assertThat(exchange.interimResponse()).isTrue();
        assertThat(exchange.responseStarted()).isFalse();
        exchange.responseEnded();
        assertThat(exchange.interimResponse()).isFalse();
        assertThat(exchange.responseReceived()).as("after 100 Continue").isFalse();

        // a member may answer before the request's body is all sent
        exchange.responseHead(false);
        assertThat(exchange.responseStarted()).isTrue();
        assertThat(exchange.requestSent()).isFalse();
        exchange.requestSentWhole();
        exchange.responseEnded();
        assertThat(exchange.responseReceived()).isTrue();
        assertThat(exchange.requestSent()).isTrue();
    }
}
