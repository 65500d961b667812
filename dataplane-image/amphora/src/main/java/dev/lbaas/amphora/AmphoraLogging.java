package dev.lbaas.amphora;

import ch.qos.logback.classic.AsyncAppender;
import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ConfiguratorRank;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.CoreConstants;
import ch.qos.logback.core.hook.DefaultShutdownHook;
import ch.qos.logback.core.spi.ContextAwareBase;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The amphora's logging: one line per event on standard error, which the operator (or the
 * container runtime) collects. Event loops hand lines to a bounded queue and go on: when standard
 * error is slow or stuck (a pipe nobody drains), lines are dropped instead of stalling every
 * connection of the loop.
 *
 * <p>Configured in code, found by Logback through {@code META-INF/services}: an XML configuration
 * would load Logback's configuration language and the JDK's XML parser, about 450 classes and
 * 3 MiB of resident memory in every amphora. {@code -Dlogback.configurationFile=...} still
 * replaces this configuration, for chasing a problem with other levels or appenders.
 */
@ConfiguratorRank(ConfiguratorRank.CUSTOM_HIGH_PRIORITY)
public final class AmphoraLogging extends ContextAwareBase implements Configurator {

    static final String PATTERN = "%d{yyyy-MM-dd'T'HH:mm:ss.SSSXXX} [%thread] [%level] %logger{0} - %msg%n";
    static final int QUEUE_SIZE = 4096;

    @Override
    public ExecutionStatus configure(LoggerContext context) {
        if (System.getProperty("logback.configurationFile") != null) {
            return ExecutionStatus.INVOKE_NEXT_IF_ANY;
        }
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(context);
        encoder.setPattern(PATTERN);
        encoder.start();

        ConsoleAppender<ILoggingEvent> stderr = new ConsoleAppender<>();
        stderr.setContext(context);
        stderr.setName("stderr");
        stderr.setTarget("System.err");
        stderr.setEncoder(encoder);
        stderr.start();

        AsyncAppender async = new AsyncAppender();
        async.setContext(context);
        async.setName("async");
        async.setQueueSize(QUEUE_SIZE);
        // every level is kept while there is room; none is waited for when there is not
        async.setDiscardingThreshold(0);
        async.setNeverBlock(true);
        async.addAppender(stderr);
        async.start();

        context.getLogger("io.netty").setLevel(Level.WARN);
        ch.qos.logback.classic.Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        root.setLevel(Level.INFO);
        root.addAppender(async);

        // on exit, what is still queued is written (for up to a second)
        DefaultShutdownHook flush = new DefaultShutdownHook();
        flush.setContext(context);
        Thread hook = new Thread(flush, "logback-shutdown");
        context.putObject(CoreConstants.SHUTDOWN_HOOK_THREAD, hook);
        Runtime.getRuntime().addShutdownHook(hook);
        return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
    }

    /**
     * The process's shutdown hook: {@code work}, then logging stops, writing what is still queued.
     * It replaces the hook that only stops logging, as the JVM runs its hooks all at once: logging
     * stopped by one would lose what {@code work} logs about the shutdown.
     */
    static Thread shutdownHookAfter(Runnable work, String name) {
        if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
            return new Thread(work, name);
        }
        if (context.getObject(CoreConstants.SHUTDOWN_HOOK_THREAD) instanceof Thread loggingOnly) {
            Runtime.getRuntime().removeShutdownHook(loggingOnly);
        }
        Thread hook = new Thread(() -> {
            try {
                work.run();
            } finally {
                context.stop();
            }
        }, name);
        context.putObject(CoreConstants.SHUTDOWN_HOOK_THREAD, hook);
        return hook;
    }
}
