package dev.lbaas.amphora;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.netty.channel.epoll.Epoll;
import java.util.Locale;
import org.junit.jupiter.api.Test;

class TransportTest {

    @Test
    void linuxGetsTheNativeEpollTransport() {
        String os = System.getProperty("os.name").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch");
        assumeTrue(os.contains("linux") && (arch.equals("amd64") || arch.equals("aarch64")),
                "the native library is packaged for Linux x86_64 and aarch64 only");
        assertThat(Epoll.unavailabilityCause()).isNull();
        assertThat(Transport.CURRENT).isEqualTo(Transport.EPOLL);
    }
}
