package dev.lbaas.amphora.sync;

import static dev.lbaas.amphora.testing.Configs.member;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.lbaas.amphora.Transport;
import dev.lbaas.amphora.balancing.PoolMember;
import dev.lbaas.amphora.balancing.SessionPersistence;
import dev.lbaas.amphora.balancing.StickTables;
import dev.lbaas.amphora.config.LbAlgorithm;
import dev.lbaas.amphora.config.MemberHealth;
import dev.lbaas.amphora.config.PoolConfig;
import dev.lbaas.amphora.config.PoolProtocol;
import dev.lbaas.amphora.config.SessionPersistenceConfig;
import dev.lbaas.amphora.stats.TrafficCounters;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.EventLoopGroup;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Session sync over real sockets on loopback: a master's bindings reach its standby, and what a
 * stranger, a replayed frame or an oversized frame sends is refused without touching the tables.
 */
class SessionSyncIT {

    private static final byte[] KEY = new byte[32];
    private static final InetAddress MASTER = address("127.0.0.2");
    private static final InetAddress STANDBY = address("127.0.0.3");

    /** Sessions by the application's cookie: a binding is made when a member starts a session. */
    private static final PoolConfig POOL = new PoolConfig("p", null, PoolProtocol.HTTP, LbAlgorithm.ROUND_ROBIN,
            true, List.of(member("a", 1, 1)), null,
            new SessionPersistenceConfig(SessionPersistenceConfig.Type.APP_COOKIE, "JSESSIONID", null, null));

    private EventLoopGroup group;
    private final StickTables masterTables = new StickTables();
    private final StickTables standbyTables = new StickTables();
    private final List<SessionSync> syncs = new ArrayList<>();
    private SessionSync standby;

    private static InetAddress address(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @BeforeEach
    void start() throws Exception {
        group = Transport.CURRENT.newEventLoopGroup(2);
        // Both sides have the pool's table, as both serve the same generation.
        masterTables.persistence(POOL, List.of());
        standbyTables.persistence(POOL, List.of());
        standby = sync(new InetSocketAddress(STANDBY, 0), MASTER, standbyTables);
    }

    private SessionSync sync(InetSocketAddress listen, InetAddress peer, StickTables tables) throws Exception {
        SessionSync sync = SessionSync.start(group, "lb", listen, peer, KEY, tables);
        syncs.add(sync);
        return sync;
    }

    @AfterEach
    void stop() {
        syncs.forEach(SessionSync::close);
        group.shutdownGracefully(0, 0, TimeUnit.SECONDS).awaitUninterruptibly();
    }

    @Test
    void aMastersBindingsReachItsStandbyThoseInForceFirst() throws Exception {
        SessionSync master = sync(new InetSocketAddress(MASTER, 0), STANDBY, masterTables);
        PoolMember a = new PoolMember(POOL.members().get(0), new InetSocketAddress("127.0.0.1", 1),
                () -> MemberHealth.UP, new TrafficCounters());
        SessionPersistence persistence = masterTables.persistence(POOL, List.of(a));
        persistence.sessionStarted("session-1", a); // in force before the standby connects
        master.publishTo(standby.address());
        await().atMost(Duration.ofSeconds(5)).until(() -> standby.restored() == 1);
        persistence.sessionStarted("session-2", a); // told as it is made
        await().atMost(Duration.ofSeconds(5)).until(() -> standby.restored() == 2);
        List<String> keys = new ArrayList<>();
        standbyTables.forEach((pool, key, member) -> keys.add(pool + ":" + key + "->" + member));
        assertThat(keys).containsExactlyInAnyOrder("p:session-1->a", "p:session-2->a");

        // A master that hears from a stale master (both briefly master) keeps its own bindings.
        standby.publishTo(master.address());
        masterTables.restore("p", "session-3", "a");
        Thread.sleep(300);
        List<String> after = new ArrayList<>();
        standbyTables.forEach((pool, key, member) -> after.add(key));
        assertThat(after).as("nothing taken while publishing itself").doesNotContain("session-3");
    }

    @Test
    void aConnectionFromAnyoneButThePeerIsClosedAtOnce() throws Exception {
        try (Socket stranger = new Socket()) {
            stranger.bind(new InetSocketAddress("127.0.0.9", 0));
            stranger.connect(standby.address(), 1_000);
            stranger.setSoTimeout(2_000);
            assertThat(stranger.getInputStream().read()).as("closed without a greeting").isEqualTo(-1);
        }
    }

    @Test
    void aFrameReplayedOnAnotherConnectionOrTooLongIsRefusedAndTheConnectionClosed() throws Exception {
        SyncFrames frames = new SyncFrames("lb", KEY);
        List<SyncFrames.Binding> binding = List.of(new SyncFrames.Binding("p", "10.0.0.7", "a"));
        byte[] recorded;
        try (Socket first = fromMaster()) {
            byte[] nonce = greeting(first.getInputStream());
            recorded = frame(frames, nonce, 0, binding);
            first.getOutputStream().write(recorded);
            await().atMost(Duration.ofSeconds(5)).until(() -> standby.restored() == 1);
        }
        try (Socket second = fromMaster()) {
            greeting(second.getInputStream());
            second.getOutputStream().write(recorded); // signed for the first connection's nonce
            assertThat(second.getInputStream().read()).as("closed").isEqualTo(-1);
        }
        try (Socket third = fromMaster()) {
            greeting(third.getInputStream());
            OutputStream out = third.getOutputStream();
            out.write(new byte[] {0, 2, 0, 0}); // 128 KiB announced: refused before any of it is read
            out.flush();
            assertThat(third.getInputStream().read()).as("closed").isEqualTo(-1);
        }
        assertThat(standby.restored()).isEqualTo(1);
    }

    /** A connection to the standby from the master's address, as a forger on the master's host could open. */
    private Socket fromMaster() throws IOException {
        Socket socket = new Socket();
        socket.bind(new InetSocketAddress(MASTER, 0));
        socket.connect(standby.address(), 1_000);
        socket.setSoTimeout(5_000);
        return socket;
    }

    private static byte[] greeting(InputStream in) throws IOException {
        byte[] greeting = new byte[SyncFrames.GREETING_LENGTH];
        new DataInputStream(in).readFully(greeting);
        byte[] nonce = new byte[SyncFrames.NONCE_LENGTH];
        System.arraycopy(greeting, 5, nonce, 0, nonce.length);
        return nonce;
    }

    private static byte[] frame(SyncFrames frames, byte[] nonce, long number, List<SyncFrames.Binding> bindings) {
        ByteBuf out = Unpooled.buffer();
        frames.writeFrame(out, nonce, number, bindings);
        byte[] bytes = new byte[out.readableBytes()];
        out.readBytes(bytes);
        return bytes;
    }
}
