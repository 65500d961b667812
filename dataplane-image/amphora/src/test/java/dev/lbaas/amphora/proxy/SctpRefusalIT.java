package dev.lbaas.amphora.proxy;

import static dev.lbaas.amphora.testing.Configs.config;
import static dev.lbaas.amphora.testing.Configs.listener;
import static dev.lbaas.amphora.testing.Configs.member;
import static dev.lbaas.amphora.testing.Configs.pool;
import static org.assertj.core.api.Assertions.assertThat;

import com.sun.nio.sctp.SctpChannel;
import dev.lbaas.amphora.config.ListenerProtocol;
import dev.lbaas.amphora.config.PoolProtocol;
import dev.lbaas.amphora.runtime.ApplyResult;
import dev.lbaas.amphora.testing.RunningDataplane;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * SCTP listeners and pools are refused, and the message says why: on a platform without SCTP
 * (no kernel module or no libsctp) it carries the platform's own reason, found here the same way
 * by opening an SCTP socket.
 */
class SctpRefusalIT {

    private static final String VIP = "127.1.9.1";
    private static String why;

    @BeforeAll
    static void probeThePlatform() {
        try {
            SctpChannel.open().close();
            why = "SCTP is not supported yet (the platform has SCTP, this amphora has no SCTP proxy)";
        } catch (UnsupportedOperationException | IOException e) {
            why = "SCTP is not available on this platform (" + e.getMessage() + ")";
        }
    }

    @Test
    void anSctpListenerIsRefusedWithThePlatformsReason() {
        try (RunningDataplane amphora = new RunningDataplane()) {
            ApplyResult result = amphora.dataplane.apply(config(1, VIP,
                    List.of(listener("s", ListenerProtocol.SCTP, 3868, null))));

            assertThat(result).isEqualTo(new ApplyResult.Rejected("listeners[s].protocol: " + why));
            assertThat(amphora.dataplane.appliedGeneration()).isZero();
        }
    }

    @Test
    void anSctpPoolIsRefusedWithThePlatformsReason() {
        try (RunningDataplane amphora = new RunningDataplane()) {
            ApplyResult result = amphora.dataplane.apply(config(1, VIP, List.of(),
                    pool("sp", PoolProtocol.SCTP, null, member("m", 3868, 1))));

            assertThat(result).isEqualTo(new ApplyResult.Rejected("pools[sp].protocol: " + why));
        }
    }
}
