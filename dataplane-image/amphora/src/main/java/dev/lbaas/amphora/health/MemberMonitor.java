package dev.lbaas.amphora.health;

import dev.lbaas.amphora.Transport;
import dev.lbaas.amphora.config.MemberHealth;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks one member every delay on one event loop and keeps its rise/fall state. Checks never
 * overlap because each is bounded by the timeout, which is shorter than the delay.
 */
final class MemberMonitor {

    private static final Logger LOG = LoggerFactory.getLogger(MemberMonitor.class);

    private final MonitorTarget target;
    private final HealthCheck check;
    private final EventLoop loop;
    private final HealthListener listener;
    private final RiseFall riseFall;
    private volatile MemberHealth health = MemberHealth.CHECKING;
    private ScheduledFuture<?> schedule;
    private boolean stopped;

    MemberMonitor(MonitorTarget target, EventLoop loop, HealthListener listener) {
        this.target = target;
        this.check = HealthCheck.of(target.monitor());
        this.loop = loop;
        this.listener = listener;
        this.riseFall = new RiseFall(target.monitor().maxRetries(), target.monitor().maxRetriesDown());
    }

    MonitorTarget target() {
        return target;
    }

    MemberHealth health() {
        return health;
    }

    void start() {
        loop.execute(() -> {
            if (!stopped) {
                schedule = loop.scheduleAtFixedRate(this::runCheck, 0, target.monitor().delayMillis(),
                        TimeUnit.MILLISECONDS);
            }
        });
    }

    void stop() {
        loop.execute(() -> {
            stopped = true;
            if (schedule != null) {
                schedule.cancel(false);
            }
        });
    }

    private void runCheck() {
        long timeout = target.monitor().timeoutMillis();
        Bootstrap bootstrap = new Bootstrap().group(loop).channel(Transport.CURRENT.socketChannel())
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) timeout);
        Promise<Boolean> outcome = loop.newPromise();
        ScheduledFuture<?> deadline = loop.schedule(() -> outcome.trySuccess(false), timeout, TimeUnit.MILLISECONDS);
        ChannelFuture connection = check.start(bootstrap, target.address(), outcome);
        outcome.addListener((Future<Boolean> done) -> {
            deadline.cancel(false);
            connection.channel().close();
            record(done.getNow());
        });
    }

    private void record(boolean success) {
        if (stopped) {
            return;
        }
        MemberHealth before = health;
        MemberHealth after = riseFall.record(success);
        if (after != before) {
            health = after;
            LOG.info("member {} ({}) {} -> {}", target.memberName(), target.memberId(), before, after);
            listener.healthChanged();
        }
    }
}
