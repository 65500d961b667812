package dev.lbaas.amphora.proxy;

import static dev.lbaas.amphora.testing.Configs.config;
import static dev.lbaas.amphora.testing.Configs.listener;
import static dev.lbaas.amphora.testing.Configs.member;
import static dev.lbaas.amphora.testing.Configs.pool;
import static org.assertj.core.api.Assertions.assertThat;

import dev.lbaas.amphora.config.ListenerProtocol;
import dev.lbaas.amphora.config.PoolProtocol;
import dev.lbaas.amphora.runtime.ApplyResult;
import dev.lbaas.amphora.testing.RunningDataplane;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * SCTP listeners and pools are refused, and the message says why. Whether this platform has SCTP
 * is read from the kernel ({@code /proc/net/sctp} exists where its module is loaded), not from the
 * amphora's own probe: without it the message must carry the platform's reason.
 */
class SctpRefusalIT {

    private static final String VIP = "127.1.9.1";

    private static void assertRefusedWithTheReason(ApplyResult result, String field) {
        assertThat(result).isInstanceOf(ApplyResult.Rejected.class);
        String message = ((ApplyResult.Rejected) result).message();
        if (Files.exists(Path.of("/proc/net/sctp"))) {
            assertThat(message).isEqualTo(field + ": SCTP is not supported yet (the platform has SCTP, this amphora "
                    + "has no SCTP proxy)");
        } else {
            assertThat(message).startsWith(field + ": SCTP is not available on this platform (").endsWith(")");
            assertThat(message.substring(message.indexOf('(') + 1, message.length() - 1)).as("the platform's reason")
                    .isNotBlank();
        }
    }

    @Test
    void anSctpListenerIsRefusedWithThePlatformsReason() {
        try (RunningDataplane amphora = new RunningDataplane()) {
            ApplyResult result = amphora.dataplane.apply(config(1, VIP,
                    List.of(listener("s", ListenerProtocol.SCTP, 3868, null))));

            assertRefusedWithTheReason(result, "listeners[s].protocol");
            assertThat(amphora.dataplane.appliedGeneration()).isZero();
        }
    }

    @Test
    void anSctpPoolIsRefusedWithThePlatformsReason() {
        try (RunningDataplane amphora = new RunningDataplane()) {
            ApplyResult result = amphora.dataplane.apply(config(1, VIP, List.of(),
                    pool("sp", PoolProtocol.SCTP, null, member("m", 3868, 1))));

            assertRefusedWithTheReason(result, "pools[sp].protocol");
        }
    }
}
