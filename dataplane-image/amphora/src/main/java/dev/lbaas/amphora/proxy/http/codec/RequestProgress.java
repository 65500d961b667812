package dev.lbaas.amphora.proxy.http.codec;

/**
 * How far the request a client is sending has come, as its decoder sees it: what the proxy asks
 * when the client side has gone quiet, to tell a client that stopped inside a request from one
 * that has nothing more to ask.
 */
public interface RequestProgress {

    /** Whether a request's head has begun to arrive and is not yet whole. */
    boolean receivingHead();

    /** Whether a request's head has arrived and its body is not yet whole. */
    boolean receivingBody();
}
