package dev.lbaas.amphora.testing;

import static dev.lbaas.amphora.testing.Configs.config;
import static dev.lbaas.amphora.testing.Configs.freePort;
import static dev.lbaas.amphora.testing.Configs.member;
import static dev.lbaas.amphora.testing.Configs.pool;

import dev.lbaas.amphora.config.ListenerConfig;
import dev.lbaas.amphora.config.ListenerProtocol;
import dev.lbaas.amphora.config.ListenerTimeouts;
import dev.lbaas.amphora.config.PoolProtocol;
import java.io.IOException;
import java.util.List;

/**
 * An amphora with one HTTP listener whose pool is one {@link RecordingHttpBackend}: what a client
 * sends on one side, and every byte that reached the member on the other.
 */
public final class RecordedHttpListener implements AutoCloseable {

    public final RunningDataplane amphora = new RunningDataplane();
    public final RecordingHttpBackend member;
    public final String vip;
    public final int port;

    /** With the listener's default timeouts. */
    public RecordedHttpListener(String vip) throws IOException {
        this(vip, null);
    }

    public RecordedHttpListener(String vip, ListenerTimeouts timeouts) throws IOException {
        this.vip = vip;
        this.member = new RecordingHttpBackend();
        this.port = freePort(vip);
        amphora.apply(config(1, vip,
                List.of(new ListenerConfig("l", null, ListenerProtocol.HTTP, port, -1, true, "p", timeouts, null, List.of())),
                pool("p", PoolProtocol.HTTP, null, member("m", member.port(), 1))));
    }

    /** A new client connection to the listener. */
    public RawHttp connect() throws IOException {
        return new RawHttp(vip, port);
    }

    @Override
    public void close() throws Exception {
        amphora.close();
        member.close();
    }
}
