package dev.lbaas.amphora.proxy.http.codec;

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
import io.netty.handler.codec.http.HttpResponseStatus;
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
public final class MemberHttpCodec extends CombinedChannelDuplexHandler<MemberHttpCodec.ResponseDecoder, MemberHttpCodec.RequestEncoder> {

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

    public MemberHttpCodec(HttpDecoderConfig config) {
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

    /**
     * Decodes member responses. Besides matching each with its request's method, it shares the
     * status line's words where they are the usual ones ("HTTP/1.1", "200", "OK"): Netty's decoder
     * makes a new string of each word of every status line.
     */
    static final class ResponseDecoder extends HttpResponseDecoder {
        /** The text of each status code from 100 to 599, made on first sight and shared from then on. */
        private static final String[] CODE_TEXTS = new String[500];
        /**
         * String literals are interned: these are the very strings Netty's {@code HttpVersion}
         * recognises by identity before it compares any text.
         */
        private static final String HTTP_1_1 = "HTTP/1.1";
        private static final String HTTP_1_0 = "HTTP/1.0";

        private final Queue<HttpMethod> methods;
        /** The code of the status line being split, whose standard reason phrase is then shared. */
        private int statusCode = -1;

        ResponseDecoder(HttpDecoderConfig config, Queue<HttpMethod> methods) {
            super(config);
            this.methods = methods;
        }

        @Override
        protected String splitFirstWordInitialLine(byte[] bytes, int start, int length) {
            if (equalsAscii(HTTP_1_1, bytes, start, length)) {
                return HTTP_1_1;
            }
            if (equalsAscii(HTTP_1_0, bytes, start, length)) {
                return HTTP_1_0;
            }
            return super.splitFirstWordInitialLine(bytes, start, length);
        }

        @Override
        protected String splitSecondWordInitialLine(byte[] bytes, int start, int length) {
            statusCode = -1;
            if (length == 3 && isDigit(bytes[start]) && isDigit(bytes[start + 1]) && isDigit(bytes[start + 2])) {
                int code = (bytes[start] - '0') * 100 + (bytes[start + 1] - '0') * 10 + (bytes[start + 2] - '0');
                if (code >= 100 && code < 600) {
                    statusCode = code;
                    // Loops may race to fill a slot: each makes an equal string, any of them serves.
                    String text = CODE_TEXTS[code - 100];
                    if (text == null) {
                        text = Integer.toString(code);
                        CODE_TEXTS[code - 100] = text;
                    }
                    return text;
                }
            }
            return super.splitSecondWordInitialLine(bytes, start, length);
        }

        @Override
        protected String splitThirdWordInitialLine(byte[] bytes, int start, int length) {
            if (statusCode != -1) {
                String standard = HttpResponseStatus.valueOf(statusCode).reasonPhrase();
                if (equalsAscii(standard, bytes, start, length)) {
                    return standard;
                }
            }
            return super.splitThirdWordInitialLine(bytes, start, length);
        }

        private static boolean isDigit(byte b) {
            return b >= '0' && b <= '9';
        }

        /** Whether the {@code length} bytes at {@code start} spell {@code text}, case and all. */
        private static boolean equalsAscii(String text, byte[] bytes, int start, int length) {
            if (text.length() != length) {
                return false;
            }
            for (int i = 0; i < length; i++) {
                if (bytes[start + i] != text.charAt(i)) {
                    return false;
                }
            }
            return true;
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
