package dev.lbaas.amphora.proxy.http;

import io.netty.buffer.ByteBuf;
import io.netty.channel.CombinedChannelDuplexHandler;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestEncoder;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseDecoder;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.util.AsciiString;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Queue;

/**
 * The HTTP codec of a member connection: requests out, responses in. It does what Netty's
 * {@link HttpClientCodec} does for a proxy (a response to HEAD has no body, whatever its
 * Content-Length says, so each response is matched with the method of its request) and, unlike
 * it, does not allocate the names of the headers servers send with every response: a header
 * named exactly as one of {@link #KNOWN_NAMES} gets that shared name, case kept, where Netty's
 * response decoder copies every name into a new string. Netty's request decoder does the same
 * for the headers clients send most.
 *
 * <p>A CONNECT request's tunnel is not served: a 200 answer to it is a head without a body, and
 * whatever follows is read as the next response.
 */
final class MemberHttpCodec extends CombinedChannelDuplexHandler<MemberHttpCodec.ResponseDecoder, MemberHttpCodec.RequestEncoder> {

    /** Header names as servers commonly spell them in their responses. */
    static final AsciiString[] KNOWN_NAMES = {
        AsciiString.cached("Date"),
        AsciiString.cached("ETag"),
        AsciiString.cached("Vary"),
        AsciiString.cached("Server"),
        AsciiString.cached("Expires"),
        AsciiString.cached("Location"),
        AsciiString.cached("Connection"),
        AsciiString.cached("Keep-Alive"),
        AsciiString.cached("Set-Cookie"),
        AsciiString.cached("Content-Type"),
        AsciiString.cached("Accept-Ranges"),
        AsciiString.cached("Cache-Control"),
        AsciiString.cached("Last-Modified"),
        AsciiString.cached("Content-Length"),
        AsciiString.cached("Content-Encoding"),
        AsciiString.cached("Transfer-Encoding"),
    };

    MemberHttpCodec(HttpDecoderConfig config) {
        Queue<HttpMethod> methods = new ArrayDeque<>(2);
        init(new ResponseDecoder(config, methods), new RequestEncoder(methods));
    }

    /** The shared name for the {@code length} bytes at {@code start}, or null when none is spelled so. */
    static AsciiString knownName(byte[] bytes, int start, int length) {
        for (AsciiString known : KNOWN_NAMES) {
            if (known.length() == length && Arrays.equals(known.array(), known.arrayOffset(),
                    known.arrayOffset() + length, bytes, start, start + length)) {
                return known;
            }
        }
        return null;
    }

    /** Records the method of each request sent, for the decoder to match its response with. */
    static final class RequestEncoder extends HttpRequestEncoder {
        private final Queue<HttpMethod> methods;

        RequestEncoder(Queue<HttpMethod> methods) {
            this.methods = methods;
        }

        @Override
        protected void encodeInitialLine(ByteBuf buf, HttpRequest request) throws Exception {
            methods.add(request.method());
            super.encodeInitialLine(buf, request);
        }
    }

    static final class ResponseDecoder extends HttpResponseDecoder {
        private final Queue<HttpMethod> methods;

        ResponseDecoder(HttpDecoderConfig config, Queue<HttpMethod> methods) {
            super(config);
            this.methods = methods;
        }

        @Override
        protected AsciiString splitHeaderName(byte[] bytes, int start, int length) {
            AsciiString known = knownName(bytes, start, length);
            return known != null ? known : super.splitHeaderName(bytes, start, length);
        }

        @Override
        protected boolean isContentAlwaysEmpty(HttpMessage msg) {
            // An interim response (100 Continue) precedes the final one to the same request.
            if (((HttpResponse) msg).status().codeClass() == HttpStatusClass.INFORMATIONAL) {
                return super.isContentAlwaysEmpty(msg);
            }
            HttpMethod method = methods.poll();
            if (HttpMethod.HEAD.equals(method)
                    || HttpMethod.CONNECT.equals(method) && ((HttpResponse) msg).status().code() == 200) {
                return true;
            }
            return super.isContentAlwaysEmpty(msg);
        }
    }
}
