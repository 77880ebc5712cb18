package io.thermowatch.common.runtime;

import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches the threads a service cannot work without (a writer loop, a consumer's dispatch, a dispatcher, a
 * sweeper). When one dies of anything it did not handle — an uncaught exception, an {@link OutOfMemoryError} — the
 * service is no longer ready ({@link #readiness()}) and the death handler runs: {@link ServiceMain} exits the
 * process with {@link ServiceMain#EXIT_WORKER_DIED} through its normal shutdown, so a supervisor (compose,
 * systemd) restarts it. A half-dead process that answers "ready" while nothing is written is worse than a restart.
 * Thread-safe.
 */
public final class WorkerSupervisor {

    private static final Logger log = LoggerFactory.getLogger(WorkerSupervisor.class);

    private final String serviceName;
    private final Runnable onDeath;
    private final AtomicReference<String> firstDeath = new AtomicReference<>();

    /** @param onDeath run once, on the dying thread, when the first worker dies; must not block */
    public WorkerSupervisor(String serviceName, Runnable onDeath) {
        this.serviceName = serviceName;
        this.onDeath = onDeath;
    }

    /** A new, not yet started thread running {@code body}; its death by any throwable is reported. */
    public Thread newThread(String name, Runnable body) {
        Thread thread = new Thread(body, name);
        thread.setUncaughtExceptionHandler((dead, cause) -> reportDeath(dead.getName(), cause));
        return thread;
    }

    /**
     * {@code task} for an executor, which would otherwise swallow its failure and silently stop a periodic task:
     * any throwable it lets escape is reported, then rethrown.
     */
    public Runnable supervised(String name, Runnable task) {
        return () -> {
            try {
                task.run();
            } catch (Throwable cause) {
                reportDeath(name, cause);
                throw cause;
            }
        };
    }

    /** Marks the service not ready and runs the death handler (the first time). */
    public void reportDeath(String worker, Throwable cause) {
        // Flag first, log last: after an OutOfMemoryError even logging may fail.
        boolean first = firstDeath.compareAndSet(null, worker);
        if (first) {
            onDeath.run();
        }
        try {
            log.error(
                    "{} - Worker '{}' died; the service is not ready and exits to be restarted",
                    serviceName,
                    worker,
                    cause);
        } catch (Throwable ignored) {
            // Nothing left to tell it with; the exit is under way.
        }
    }

    /** True until a worker died. */
    public boolean isHealthy() {
        return firstDeath.get() == null;
    }

    /** The readiness check {@code workers}: fails for good once a worker died. */
    public HealthServer.Check readiness() {
        return new HealthServer.Check("workers", this::isHealthy);
    }
}
