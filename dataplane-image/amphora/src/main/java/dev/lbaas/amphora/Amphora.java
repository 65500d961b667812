package dev.lbaas.amphora;

import dev.lbaas.amphora.agent.AgentServer;
import dev.lbaas.amphora.agent.AgentTls;
import dev.lbaas.amphora.agent.ProbeServer;
import dev.lbaas.amphora.agent.StatusWaiters;
import dev.lbaas.amphora.runtime.Dataplane;
import dev.lbaas.amphora.vip.EndpointSlicePublisher;
import dev.lbaas.amphora.vip.VipPublisher;
import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.ssl.SslContext;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running amphora: the agent API and the data plane it configures, on one group of event
 * loops. Starts serving nothing; the operator pushes the first configuration.
 */
public final class Amphora implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Amphora.class);

    private final EventLoopGroup group;
    private final ExecutorService configThread;
    private final Dataplane dataplane;
    private final Channel agent;
    /** The kubelet's probes, or null. */
    private final Channel probes;
    private final AtomicBoolean closed = new AtomicBoolean();

    private Amphora(EventLoopGroup group, ExecutorService configThread, Dataplane dataplane, Channel agent,
            Channel probes) {
        this.group = group;
        this.configThread = configThread;
        this.dataplane = dataplane;
        this.agent = agent;
        this.probes = probes;
    }

    public static Amphora start(AmphoraOptions options) throws IOException {
        SslContext tls = AgentTls.serverContext(options.tlsCert().toFile(), options.tlsKey().toFile(),
                options.tlsCa().toFile());
        int loops = options.eventLoopThreads();
        CpuAffinity.Plan cpus = CpuAffinity.plan(options.cpuAffinity(), loops);
        EventLoopGroup group = Transport.CURRENT.newEventLoopGroup(loops, new DefaultThreadFactory("amphora-loop"));
        ExecutorService configThread = Executors.newSingleThreadExecutor(task -> {
            Thread thread = new Thread(task, "amphora-config");
            thread.setDaemon(true);
            return thread;
        });
        StatusWaiters waiters = new StatusWaiters();
        // A pair's adverts arrive at the agent's address, at the port the configuration names.
        AmphoraOptions.VipEndpoint vip = options.vipEndpoint();
        VipPublisher vipPublisher = vip != null ? EndpointSlicePublisher.inCluster(vip.slice(), vip.podName(),
                vip.podIp()) : options.vipFollowsReadiness() ? VipPublisher.READINESS : VipPublisher.NONE;
        Dataplane dataplane = new Dataplane(options.amphoraId(), group, waiters::wakeAll, configThread,
                InetAddress.getByName(options.agentAddress()), vipPublisher,
                Duration.ofSeconds(options.jitWarmUpSeconds()));
        InetSocketAddress address = new InetSocketAddress(options.agentAddress(), options.agentPort());
        var bound = AgentServer.bind(group, address, tls, dataplane, waiters, configThread).awaitUninterruptibly();
        if (!bound.isSuccess()) {
            vipPublisher.close();
            configThread.shutdownNow();
            group.shutdownGracefully(0, 0, TimeUnit.SECONDS);
            throw new IOException("agent API cannot listen on " + address + ": " + bound.cause().getMessage(),
                    bound.cause());
        }
        Channel probes = null;
        if (options.probePort() > 0) {
            InetSocketAddress probeAddress = new InetSocketAddress(options.agentAddress(), options.probePort());
            var probesBound = ProbeServer.bind(group, probeAddress, dataplane).awaitUninterruptibly();
            if (!probesBound.isSuccess()) {
                vipPublisher.close();
                bound.channel().close();
                configThread.shutdownNow();
                group.shutdownGracefully(0, 0, TimeUnit.SECONDS);
                throw new IOException("probes cannot listen on " + probeAddress + ": "
                        + probesBound.cause().getMessage(), probesBound.cause());
            }
            probes = probesBound.channel();
        }
        IdleHeapReturn.start(group.next(), configThread, dataplane::trafficActivity);
        cpus.pinOnceWarm(group, dataplane::servedTraffic);
        Amphora amphora = new Amphora(group, configThread, dataplane, bound.channel(), probes);
        LOG.info("amphora {} agent API listening on {}, {} event loops on {}", options.amphoraId(),
                bound.channel().localAddress(), options.eventLoopThreads(), Transport.CURRENT);
        ClassDataArchive.logUse();
        if (options.agentPortFile() != null) {
            writeAtomically(options.agentPortFile(), Integer.toString(amphora.agentPort()));
        }
        return amphora;
    }

    /** Readers of the port file see either no file or the whole number. */
    private static void writeAtomically(Path file, String content) throws IOException {
        Path absolute = file.toAbsolutePath();
        Path temporary = absolute.resolveSibling(absolute.getFileName() + ".tmp");
        Files.writeString(temporary, content, StandardCharsets.US_ASCII);
        Files.move(temporary, absolute, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    public int agentPort() {
        return ((InetSocketAddress) agent.localAddress()).getPort();
    }

    /** Stops accepting, then closes the event loops; connections still open are cut after a short grace period. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        agent.close().awaitUninterruptibly();
        if (probes != null) {
            probes.close().awaitUninterruptibly();
        }
        // A warm-up holds the configuration thread the close waits for: it ends first.
        dataplane.stopWarmUp();
        try {
            configThread.submit(dataplane::close).get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            LOG.warn("closing the listeners failed", e);
        }
        configThread.shutdown();
        // Bounded: this runs in the JVM's shutdown hook, and a hook that never returns keeps a
        // stopped amphora's process alive (seen once: the group's termination never completed
        // although its loop threads had ended).
        if (!group.shutdownGracefully(100, 2_000, TimeUnit.MILLISECONDS).awaitUninterruptibly(10, TimeUnit.SECONDS)) {
            LOG.warn("event loops did not stop within 10 s; exiting anyway");
        }
        LOG.info("amphora stopped");
    }
}
