package dev.lbaas.amphora.proxy.http;

import dev.lbaas.amphora.balancing.Pool;
import dev.lbaas.amphora.balancing.PoolMember;
import dev.lbaas.amphora.proxy.ListenerRuntime;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;

/**
 * One request of a client connection and its response, as far as each has come. The two sides
 * move on their own: a member may answer (say 413) before the request's body is all sent, and a
 * request sent whole may still wait for its answer.
 *
 * <p>Only the client connection's event loop touches an exchange.
 */
final class Exchange {

    /** How far the request has gone to the member. */
    enum Request {
        /** Its head or body parts are still going to the member (or wait for a member connection). */
        SENDING,
        /** Its last part went to the member. */
        SENT
    }

    /** How far the member's response has come. */
    enum Response {
        /** Nothing yet, or an interim response ended: the final one is awaited. */
        AWAITED,
        /** A 1xx response (100 Continue and friends) is being forwarded; the final one follows. */
        INTERIM,
        /** The final response's head came; its body is being forwarded. */
        STREAMING,
        /** The final response's last part came: the member connection is free. */
        RECEIVED
    }

    final ListenerRuntime listener;
    /** The pool the request goes to: the listener's default pool, or the one an L7 policy chose; null for none. */
    final Pool pool;
    final HttpMethod method;
    final HttpVersion clientVersion;
    private Request request = Request.SENDING;
    private Response response = Response.AWAITED;
    /** Whether the client connection goes on after this exchange, as far as the client and the answer allow. */
    boolean clientKeepAlive;
    /** Whether the member's answer leaves its connection fit for another request. */
    boolean memberReusable;
    /** The request head while it may be sent again: bodyless and idempotent, not yet retried. */
    HttpRequest retryHead;
    /** The Strict-Transport-Security value its response gets: on a TLS connection of a listener with HSTS. */
    String strictTransportSecurity;
    /** The value of the pool's persistence cookie in the request, or null. */
    String persistenceCookie;
    /** The member counting this exchange as one of its sessions, once the request goes to it. */
    private PoolMember servedBy;

    Exchange(ListenerRuntime listener, Pool pool, HttpRequest request) {
        this.listener = listener;
        this.pool = pool;
        this.method = request.method();
        this.clientVersion = request.protocolVersion();
        this.clientKeepAlive = ProxyHeaders.isKeepAlive(request);
    }

    boolean requestSent() {
        return request == Request.SENT;
    }

    /** The request's last part went to the member. */
    void requestSentWhole() {
        request = Request.SENT;
    }

    /** The request goes again, on another member connection, from its head. */
    void requestToBeSentAgain() {
        request = Request.SENDING;
    }

    /** Whether the client has had part of the final response (so an error can only cut it). */
    boolean responseStarted() {
        return response == Response.STREAMING || response == Response.RECEIVED;
    }

    boolean responseReceived() {
        return response == Response.RECEIVED;
    }

    boolean interimResponse() {
        return response == Response.INTERIM;
    }

    /** A response head came: an interim one (1xx), or the final one. */
    void responseHead(boolean interim) {
        response = interim ? Response.INTERIM : Response.STREAMING;
    }

    /** A response's last part came: the end of an interim one awaits the final one. */
    void responseEnded() {
        response = response == Response.INTERIM ? Response.AWAITED : Response.RECEIVED;
    }

    /** The member this exchange's request goes to: a session of that member until the exchange ends. */
    void servedBy(PoolMember target) {
        if (servedBy == target) {
            return;
        }
        if (servedBy != null) {
            // sent again, to another member
            servedBy.counters().connectionClosed();
        }
        servedBy = target;
        target.counters().connectionOpened();
    }

    /** The exchange is over: its member session ends. */
    void end() {
        if (servedBy != null) {
            servedBy.counters().connectionClosed();
            servedBy = null;
        }
    }
}
