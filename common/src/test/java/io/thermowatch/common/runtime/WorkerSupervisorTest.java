package io.thermowatch.common.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class WorkerSupervisorTest {

    private final AtomicInteger deathHandlerRuns = new AtomicInteger();
    private final WorkerSupervisor workers = new WorkerSupervisor("test", deathHandlerRuns::incrementAndGet);

    @Test
    void a_thread_killed_by_an_out_of_memory_error_makes_the_service_unready_and_runs_the_death_handler()
            throws InterruptedException {
        // Given
        Thread worker = workers.newThread("writer", () -> {
            throw new OutOfMemoryError("Java heap space");
        });
        // When
        worker.start();
        worker.join(5_000);
        // Then
        assertFalse(workers.isHealthy());
        assertFalse(workers.readiness().ready().getAsBoolean());
        assertEquals("workers", workers.readiness().name());
        assertEquals(1, deathHandlerRuns.get());
    }

    @Test
    void a_thread_that_ends_normally_is_no_death() throws InterruptedException {
        // Given
        Thread worker = workers.newThread("writer", () -> {});
        // When
        worker.start();
        worker.join(5_000);
        // Then
        assertTrue(workers.isHealthy());
        assertEquals(0, deathHandlerRuns.get());
    }

    @Test
    void a_failing_executor_task_is_reported_and_rethrown() {
        // Given
        Runnable task = workers.supervised("sweeper", () -> {
            throw new IllegalStateException("bug");
        });
        // When / Then
        assertThrows(IllegalStateException.class, task::run);
        assertFalse(workers.isHealthy());
    }

    @Test
    void the_death_handler_runs_once_however_many_workers_die() {
        // When
        workers.reportDeath("a", new OutOfMemoryError());
        workers.reportDeath("b", new IllegalStateException());
        // Then
        assertEquals(1, deathHandlerRuns.get());
    }
}
