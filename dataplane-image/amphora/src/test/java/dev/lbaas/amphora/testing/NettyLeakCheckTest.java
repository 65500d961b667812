package dev.lbaas.amphora.testing;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class NettyLeakCheckTest {

    @Test
    void onlyAnUntouchedReceiveBufferOfNettysIoUringDatagramChannelIsIgnored() {
        String untouched = "\nRecent access records: \nCreated at:\n\tio.netty.buffer.AdaptiveByteBufAllocator.newDirectBuffer"
                + "\n\tio.netty.channel.uring.IoUringDatagramChannel$IoUringDatagramChannelUnsafe.scheduleRead0(x)";
        String handedOn = "\nRecent access records: \n#1:\n\tdev.lbaas.amphora.proxy.udp.UdpSession.forward(x)\nCreated at:"
                + "\n\tio.netty.channel.uring.IoUringDatagramChannel$IoUringDatagramChannelUnsafe.scheduleRead0(x)";
        String streamRead = "\nRecent access records: \nCreated at:"
                + "\n\tio.netty.channel.uring.AbstractIoUringStreamChannel$IoUringStreamUnsafe.scheduleRead0(x)";

        assertThat(NettyLeakCheck.insideNettysDatagramRead(untouched)).isTrue();
        assertThat(NettyLeakCheck.insideNettysDatagramRead(handedOn)).isFalse();
        assertThat(NettyLeakCheck.insideNettysDatagramRead(streamRead)).isFalse();
    }
}
