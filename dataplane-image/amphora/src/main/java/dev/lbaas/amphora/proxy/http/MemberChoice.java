package dev.lbaas.amphora.proxy.http;

import dev.lbaas.amphora.balancing.Pool;
import dev.lbaas.amphora.balancing.PoolMember;
import dev.lbaas.amphora.balancing.SessionPersistence;
import dev.lbaas.amphora.config.SessionPersistenceConfig;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import java.net.InetSocketAddress;

/**
 * The member an HTTP request goes to, and the session binding its answer makes: the pool's pick,
 * unless the pool's session persistence binds the client (by its address, or by a cookie) to a
 * member; a cookie the client sent is noted in the exchange, where the answer's binding looks.
 */
final class MemberChoice {

    private MemberChoice() {
    }

    /** The member for {@code request} from {@code client}; null without a pool or when none can serve. */
    static PoolMember pick(Pool pool, HttpRequest request, InetSocketAddress client, Exchange exchange) {
        if (pool == null) {
            return null;
        }
        SessionPersistence persistence = pool.persistence();
        String cookieName = persistence.cookieName();
        if (cookieName != null) {
            exchange.persistenceCookie = PersistenceCookies.find(request.headers(), cookieName,
                    persistence.type() == SessionPersistenceConfig.Type.HTTP_COOKIE);
        }
        return pool.pick(client, exchange.persistenceCookie);
    }

    /**
     * Binds the session to {@code served}, the member whose final response this is, as the pool's
     * persistence says: its cookie set on the response (HTTP_COOKIE), or the application's cookie
     * that the response sets bound to it (APP_COOKIE). SOURCE_IP bound when it picked.
     */
    static void bindSession(Pool pool, PoolMember served, Exchange exchange, HttpResponse response) {
        if (pool == null || served == null || pool.persistence().type() == null) {
            return;
        }
        SessionPersistence persistence = pool.persistence();
        switch (persistence.type()) {
            case HTTP_COOKIE -> {
                if (!served.id().equals(exchange.persistenceCookie)) {
                    PersistenceCookies.insert(response.headers(), persistence.cookieName(), served.id());
                }
            }
            case APP_COOKIE -> PersistenceCookies.setCookies(response.headers(), persistence.cookieName(),
                    value -> persistence.sessionStarted(value, served));
            case SOURCE_IP -> {
                // bound when picked
            }
        }
    }
}
