package dev.lbaas.amphora;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.AsyncAppender;
import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The logging configuration Logback finds through META-INF/services, without any XML. */
class AmphoraLoggingTest {

    @Test
    void eventLoopsLogThroughABoundedQueueThatDropsRatherThanWaits() {
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        ch.qos.logback.classic.Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);

        assertThat(root.getAppender("async")).isInstanceOf(AsyncAppender.class);
        AsyncAppender async = (AsyncAppender) root.getAppender("async");
        assertThat(async.isNeverBlock()).isTrue();
        assertThat(async.getQueueSize()).isEqualTo(AmphoraLogging.QUEUE_SIZE);
        assertThat(async.getDiscardingThreshold()).isZero();
        assertThat(async.getAppender("stderr")).isNotNull();
        assertThat(root.getLevel()).isEqualTo(Level.INFO);
        assertThat(context.getLogger("io.netty").getEffectiveLevel()).isEqualTo(Level.WARN);
    }

    @Test
    void oneLinePerEventOnStandardError() {
        PrintStream original = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            LoggerFactory.getLogger(AmphoraLoggingTest.class).info("listener {} serves", "web");
            LoggerFactory.getLogger("io.netty.channel.Test").info("below the threshold of Netty's loggers");
            await().atMost(Duration.ofSeconds(5))
                    .until(() -> captured.toString(StandardCharsets.UTF_8).contains("listener web serves"));
        } finally {
            System.setErr(original);
        }
        assertThat(captured.toString(StandardCharsets.UTF_8))
                .matches("(?s)\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}\\S+ \\[[^]]+\\] \\[INFO\\] "
                        + "AmphoraLoggingTest - listener web serves\\R")
                .doesNotContain("below the threshold");
    }
}
