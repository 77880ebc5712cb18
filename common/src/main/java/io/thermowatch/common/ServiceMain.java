package io.thermowatch.common;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The life cycle every service's {@code main} shares: read the configuration, start, run until SIGTERM, close.
 *
 * <p>A {@link ConfigException} stops the process at start with exit code 2 and its one-line message on stderr;
 * any other start failure exits 1. On SIGTERM (or any JVM shutdown) the service is closed once, then the
 * process exits 0.
 */
public final class ServiceMain {

    /** Exit code for a bad configuration value. */
    public static final int EXIT_CONFIG = 2;
    /** Exit code for a failure while starting. */
    public static final int EXIT_START_FAILED = 1;

    private static final Logger log = LoggerFactory.getLogger(ServiceMain.class);

    /** Builds and starts a service from its configuration; the returned handle stops it. */
    @FunctionalInterface
    public interface Body {
        AutoCloseable start(EnvConfig env) throws Exception;
    }

    private ServiceMain() {
    }

    /** Runs {@code body} with the process environment and blocks until the JVM shuts down. */
    public static void run(String serviceName, Body body) {
        EnvConfig env = EnvConfig.fromSystem();
        AutoCloseable service;
        log.info("{} - Starting...", serviceName);
        try {
            service = body.start(env);
        } catch (ConfigException e) {
            System.err.println(serviceName + ": configuration error: " + e.getMessage());
            System.exit(EXIT_CONFIG);
            return;
        } catch (Exception e) {
            log.error("{} - Start failed", serviceName, e);
            System.exit(EXIT_START_FAILED);
            return;
        }
        log.info("{} - Effective configuration: {}", serviceName, env.describe());
        log.info("{} - Start completed.", serviceName);

        CountDownLatch stopped = new CountDownLatch(1);
        AtomicBoolean closed = new AtomicBoolean();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            if (closed.compareAndSet(false, true)) {
                log.info("{} - Shutdown initiated...", serviceName);
                try {
                    service.close();
                } catch (Exception e) {
                    log.warn("{} - Error during shutdown", serviceName, e);
                }
                log.info("{} - Shutdown completed.", serviceName);
            }
            stopped.countDown();
        }, serviceName + "-shutdown"));
        exitZeroOnSigterm(serviceName);
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * SIGTERM is the normal way to stop a service, so it exits 0 after the shutdown hook ran; the JVM's own
     * handling runs the hooks too but then exits 143 (128 + SIGTERM), which supervisors and tests read as a failure.
     */
    @SuppressWarnings("restriction")
    private static void exitZeroOnSigterm(String serviceName) {
        try {
            sun.misc.Signal.handle(new sun.misc.Signal("TERM"), signal -> System.exit(0));
        } catch (IllegalArgumentException | UnsupportedOperationException e) {
            log.warn("{} - Cannot handle SIGTERM ({}); it will exit 143 after a clean shutdown", serviceName, e.toString());
        }
    }
}
