/**
 * HTTP/1.1 as bytes on a connection, below the proxy's decisions: the client side's and the
 * member side's codecs, the scanners that read a head's and a chunked body's framing exactly as
 * the amphora will forward it (so that no member can read a message differently), and the header
 * and trailer maps those codecs build. Nothing here picks a member or knows of pools; the proxy
 * ({@link dev.lbaas.amphora.proxy.http}) gets messages whose framing is already settled.
 */
package dev.lbaas.amphora.proxy.http.codec;
