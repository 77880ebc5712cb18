package io.thermowatch.common;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
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
    private static final int START_GRACE_SECONDS = 30;

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
        AtomicReference<AutoCloseable> service = new AtomicReference<>();
        CountDownLatch startFinished = new CountDownLatch(1);
        CountDownLatch stopped = new CountDownLatch(1);
        // The hook is in place before the service can report ready, so a SIGTERM right after /readyz turns
        // green still shuts down gracefully; a SIGTERM during start waits for the start to finish first.
        Runtime.getRuntime().addShutdownHook(new Thread(
                () -> shutDown(serviceName, service, startFinished, stopped), serviceName + "-shutdown"));
        exitZeroOnSigterm(serviceName);

        log.info("{} - Starting...", serviceName);
        try {
            service.set(body.start(env));
        } catch (ConfigException e) {
            System.err.println(serviceName + ": configuration error: " + e.getMessage());
            exit(startFinished, EXIT_CONFIG);
            return;
        } catch (Exception e) {
            log.error("{} - Start failed", serviceName, e);
            exit(startFinished, EXIT_START_FAILED);
            return;
        }
        startFinished.countDown();
        log.info("{} - Effective configuration: {}", serviceName, env.describe());
        log.info("{} - Start completed.", serviceName);
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void shutDown(String serviceName, AtomicReference<AutoCloseable> service,
                                 CountDownLatch startFinished, CountDownLatch stopped) {
        try {
            if (!startFinished.await(START_GRACE_SECONDS, TimeUnit.SECONDS)) {
                log.warn("{} - Still starting after {} s; shutting down without closing", serviceName,
                        START_GRACE_SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        AutoCloseable running = service.getAndSet(null);
        if (running != null) {
            log.info("{} - Shutdown initiated...", serviceName);
            try {
                running.close();
            } catch (Exception e) {
                log.warn("{} - Error during shutdown", serviceName, e);
            }
            log.info("{} - Shutdown completed.", serviceName);
        }
        stopped.countDown();
    }

    private static void exit(CountDownLatch startFinished, int status) {
        startFinished.countDown();
        System.exit(status);
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
