package dev.lbaas.amphora.health;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * How PING health checks reach a member from this process. Sending ICMP echo needs a raw socket,
 * which Linux grants only with CAP_NET_RAW (root, or a container given that capability); without
 * it, the JDK would silently fall back to a TCP connection to the echo port (7), which firewalls
 * usually drop, so the amphora chooses its own, documented fallback instead.
 */
public enum PingMethod {
    /** An ICMP echo request; the member's address is checked, its port is not used. */
    ICMP_ECHO("PING health checks send ICMP echo requests"),
    /** A TCP connection to the member's monitor port; opened or refused, the host is alive. */
    TCP_CONNECT("PING health checks cannot send ICMP here (no CAP_NET_RAW): they open a TCP connection to the "
            + "member's monitor port instead, and an opened or refused connection counts as alive");

    /** CAP_NET_RAW's bit in the capability sets of /proc/self/status. */
    private static final int CAP_NET_RAW = 13;

    private final String description;

    PingMethod(String description) {
        this.description = description;
    }

    /** A sentence for the log, so that operators know what their PING monitors check. */
    public String description() {
        return description;
    }

    /** The method this process can use; where capabilities cannot be read (not Linux), the TCP fallback. */
    public static PingMethod detect() {
        try {
            return fromProcStatus(Files.readAllLines(Path.of("/proc/self/status")));
        } catch (IOException | RuntimeException e) {
            return TCP_CONNECT;
        }
    }

    /** Reads the effective capabilities ("CapEff:\t000001fffeffffff") of a /proc/PID/status. */
    static PingMethod fromProcStatus(List<String> lines) {
        for (String line : lines) {
            if (line.startsWith("CapEff:")) {
                long effective = Long.parseUnsignedLong(line.substring("CapEff:".length()).trim(), 16);
                return (effective & (1L << CAP_NET_RAW)) != 0 ? ICMP_ECHO : TCP_CONNECT;
            }
        }
        return TCP_CONNECT;
    }
}
