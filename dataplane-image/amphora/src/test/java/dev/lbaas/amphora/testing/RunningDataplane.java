package dev.lbaas.amphora.testing;

import dev.lbaas.amphora.Transport;
import static org.assertj.core.api.Assertions.assertThat;

import dev.lbaas.amphora.config.AmphoraConfig;
import dev.lbaas.amphora.config.AmphoraStatus;
import dev.lbaas.amphora.config.MemberHealth;
import dev.lbaas.amphora.health.CheckRecord;
import dev.lbaas.amphora.runtime.ApplyResult;
import dev.lbaas.amphora.runtime.Dataplane;
import io.netty.channel.EventLoopGroup;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A data plane without the agent API, configured directly by the test thread. */
public final class RunningDataplane implements AutoCloseable {

    private final EventLoopGroup group;
    public final Dataplane dataplane;

    /** Two event loops, as most amphorae have. */
    public RunningDataplane() {
        this(2);
    }

    /** One event loop shares its member connections among all client connections; two split them. */
    public RunningDataplane(int eventLoops) {
        group = Transport.CURRENT.newEventLoopGroup(eventLoops);
        dataplane = new Dataplane("test-amphora", group, () -> { });
    }

    public void apply(AmphoraConfig config) {
        assertThat(dataplane.apply(config)).isEqualTo(new ApplyResult.Applied(config.generation()));
    }

    public MemberHealth health(String memberId) {
        AmphoraStatus status = dataplane.status();
        return status.pools().stream().flatMap(pool -> pool.members().stream())
                .filter(member -> member.id().equals(memberId)).findFirst().orElseThrow().health();
    }

    /** The latest verdicts on a member, oldest first. */
    public List<CheckRecord> checks(String memberId) {
        return dataplane.recentChecks(memberId);
    }

    @Override
    public void close() {
        dataplane.close();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
    }
}
