package dev.lbaas.amphora;

import java.io.IOException;
import java.io.InputStream;

/** The amphora process. See {@link AmphoraOptions#USAGE} for the command line. */
public final class AmphoraMain {

    private AmphoraMain() {
    }

    public static void main(String[] args) throws Exception {
        // A constant, inlined: an amphora does not load the training's class.
        if (args.length > 0 && args[0].equals(ClassDataTraining.OPTION)) {
            ClassDataTraining.run(args);
            return;
        }
        AmphoraOptions options;
        try {
            options = AmphoraOptions.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.err.println(AmphoraOptions.USAGE);
            System.exit(2);
            return;
        }
        Amphora amphora = Amphora.start(options);
        Runtime.getRuntime().addShutdownHook(AmphoraLogging.shutdownHookAfter(() -> {
            keepServing(options.shutdownDelaySeconds());
            amphora.close();
        }, "amphora-shutdown"));
        if (options.exitOnStdinEof()) {
            Thread watcher = new Thread(() -> {
                awaitEof(System.in);
                amphora.close();
                System.exit(0);
            }, "amphora-stdin-watch");
            watcher.setDaemon(true);
            watcher.start();
        }
    }

    /** Serves on for a while after SIGTERM (see {@link AmphoraOptions#shutdownDelaySeconds}). */
    private static void keepServing(int seconds) {
        if (seconds <= 0) {
            return;
        }
        org.slf4j.LoggerFactory.getLogger(AmphoraMain.class).info("stopping in {} s; serving until then", seconds);
        try {
            Thread.sleep(seconds * 1000L);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Returns when the stream ends or fails: the parent that owns it is gone either way. */
    private static void awaitEof(InputStream in) {
        byte[] discard = new byte[256];
        try {
            while (in.read(discard) >= 0) {
                // whatever the parent writes is ignored; only the end matters
            }
        } catch (IOException e) {
            // a broken pipe means the parent is gone as well
        }
    }
}
