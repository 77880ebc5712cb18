package io.thermowatch.common.runtime;

import io.thermowatch.common.config.ConfigException;
import io.thermowatch.common.config.EnvConfig;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The life cycle every service's {@code main} shares: read the configuration, start, run until SIGTERM, close.
 *
 * <p>A {@link ConfigException} stops the process at start with exit code 2 and its one-line message on stderr;
 * any other start failure exits 1. On SIGTERM (or any JVM shutdown) the service is closed once, then the
 * process exits 0. When a worker thread registered with the service's {@link WorkerSupervisor} dies, the service
 * is closed the same way and the process exits {@value #EXIT_WORKER_DIED}.
 */
public final class ServiceMain {

    /** Exit code for a bad configuration value. */
    public static final int EXIT_CONFIG = 2;
    /** Exit code for a failure while starting. */
    public static final int EXIT_START_FAILED = 1;
    /** Exit code after a worker thread died (sysexits' EX_SOFTWARE: internal software error). */
    public static final int EXIT_WORKER_DIED = 70;

    private static final Logger log = LoggerFactory.getLogger(ServiceMain.class);
    private static final int START_GRACE_SECONDS = 30;
    /** After a worker died, a shutdown that hangs (e.g. on a heap too full to close cleanly) is cut short. */
    private static final int HALT_AFTER_WORKER_DEATH_SECONDS = 60;

    private static final Set<String> LOG_LEVELS = Set.of("TRACE", "DEBUG", "INFO", "WARN", "ERROR", "OFF");

    /** Builds and starts a service from its configuration; the returned handle stops it. */
    @FunctionalInterface
    public interface Body {
        AutoCloseable start(EnvConfig env) throws Exception;
    }

    /** A {@link Body} with worker threads: it creates them through {@code workers} and adds its readiness check. */
    @FunctionalInterface
    public interface SupervisedBody {
        AutoCloseable start(EnvConfig env, WorkerSupervisor workers) throws Exception;
    }

    private ServiceMain() {}

    /** Runs {@code body} with the process environment and blocks until the JVM shuts down. */
    public static void run(String serviceName, Body body) {
        run(serviceName, (env, workers) -> body.start(env));
    }

    /** Runs {@code body} with the process environment and blocks until the JVM shuts down or a worker dies. */
    public static void run(String serviceName, SupervisedBody body) {
        EnvConfig env = EnvConfig.fromSystem();
        AtomicReference<AutoCloseable> service = new AtomicReference<>();
        CountDownLatch startFinished = new CountDownLatch(1);
        CountDownLatch stopped = new CountDownLatch(1);
        AtomicBoolean shuttingDown = new AtomicBoolean();
        // The hook is in place before the service can report ready, so a SIGTERM right after /readyz turns
        // green still shuts down gracefully; a SIGTERM during start waits for the start to finish first.
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            shuttingDown.set(true);
                            shutDown(serviceName, service, startFinished, stopped);
                        },
                        serviceName + "-shutdown"));
        exitZeroOnSigterm(serviceName);
        WorkerSupervisor workers =
                new WorkerSupervisor(serviceName, () -> exitAfterWorkerDeath(serviceName, shuttingDown));

        log.info("{} - Starting...", serviceName);
        try {
            checkLogging(env);
            service.set(body.start(env, workers));
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

    /** {@code LOG_LEVEL} and {@code LOG_FORMAT} are read by logback, which would ignore a bad value silently. */
    static void checkLogging(EnvConfig env) {
        env.optionalString("LOG_LEVEL")
                .ifPresent(level -> EnvConfig.check(
                        LOG_LEVELS.contains(level.toUpperCase(Locale.ROOT)),
                        "LOG_LEVEL",
                        level,
                        "one of TRACE, DEBUG, INFO, WARN, ERROR, OFF"));
        env.optionalString(LogEncoder.FORMAT_VARIABLE)
                .ifPresent(format -> EnvConfig.check(
                        LogEncoder.isValidFormat(format), LogEncoder.FORMAT_VARIABLE, format, "text or json"));
    }

    private static void shutDown(
            String serviceName,
            AtomicReference<AutoCloseable> service,
            CountDownLatch startFinished,
            CountDownLatch stopped) {
        try {
            if (!startFinished.await(START_GRACE_SECONDS, TimeUnit.SECONDS)) {
                log.warn(
                        "{} - Still starting after {} s; shutting down without closing",
                        serviceName,
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

    /**
     * Exits {@value #EXIT_WORKER_DIED} through the shutdown hook (which closes the service), from a thread of its
     * own: {@code System.exit} blocks its caller, which is the dying worker. A worker dying during a shutdown
     * already under way changes nothing.
     */
    private static void exitAfterWorkerDeath(String serviceName, AtomicBoolean shuttingDown) {
        if (shuttingDown.get()) {
            return;
        }
        try {
            Thread halt = new Thread(
                    () -> {
                        try {
                            Thread.sleep(TimeUnit.SECONDS.toMillis(HALT_AFTER_WORKER_DEATH_SECONDS));
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                        Runtime.getRuntime().halt(EXIT_WORKER_DIED);
                    },
                    serviceName + "-halt");
            halt.setDaemon(true);
            halt.start();
            new Thread(() -> System.exit(EXIT_WORKER_DIED), serviceName + "-exit").start();
        } catch (Throwable e) {
            // Not even a thread to spare (out of memory): stop without the hooks rather than stay half alive.
            Runtime.getRuntime().halt(EXIT_WORKER_DIED);
        }
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
            log.warn(
                    "{} - Cannot handle SIGTERM ({}); it will exit 143 after a clean shutdown",
                    serviceName,
                    e.toString());
        }
    }
}
