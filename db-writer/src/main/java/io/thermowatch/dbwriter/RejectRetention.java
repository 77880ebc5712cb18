package io.thermowatch.dbwriter;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deletes rejected messages older than {@code REJECTS_RETENTION}: at start, then every {@link #SWEEP_INTERVAL}, on
 * its own thread, in transactions of at most {@link #BATCH_ROWS} rows.
 *
 * <p>One mechanism for both schema modes: plain PostgreSQL has no job scheduler, and TimescaleDB's would be a
 * second code path to test by hand. Small batches keep each lock and WAL burst short, so the writers never wait on a
 * large delete; {@code SKIP LOCKED} lets several db-writer instances sweep at once without blocking each other.
 * A failed sweep (database down) is logged and retried at the next interval. {@link #close()} is idempotent.
 */
final class RejectRetention implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(RejectRetention.class);
    static final Duration SWEEP_INTERVAL = Duration.ofHours(1);
    static final int BATCH_ROWS = 1_000;
    private static final String DELETE_BATCH = """
            DELETE FROM rejected_messages
             WHERE id IN (SELECT id FROM rejected_messages WHERE received_at < ?
                           ORDER BY received_at LIMIT ? FOR UPDATE SKIP LOCKED)""";

    private final DataSource dataSource;
    private final Duration retention;
    private final Clock clock;
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "db-writer-reject-retention");
        thread.setDaemon(true);
        return thread;
    });
    private final AtomicBoolean closed = new AtomicBoolean();

    RejectRetention(DataSource dataSource, Duration retention, Clock clock) {
        this.dataSource = dataSource;
        this.retention = retention;
        this.clock = clock;
    }

    /** A retention sweeping now and then every {@link #SWEEP_INTERVAL}. */
    static RejectRetention start(DataSource dataSource, Duration retention, Clock clock) {
        RejectRetention sweeper = new RejectRetention(dataSource, retention, clock);
        log.info(
                "rejects - Keeping rejected messages for {} (REJECTS_RETENTION), swept every {}",
                retention,
                SWEEP_INTERVAL);
        sweeper.scheduler.scheduleWithFixedDelay(
                sweeper::sweepAndLog, 0, SWEEP_INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
        return sweeper;
    }

    /**
     * Deletes every reject received before now minus the retention, batch by batch.
     *
     * @return rows deleted
     * @throws SQLException if a batch failed (the batches before it stay deleted)
     */
    long sweep() throws SQLException {
        Instant cutoff = clock.instant().minus(retention);
        long deleted = 0;
        try (Connection c = dataSource.getConnection();
                PreparedStatement delete = c.prepareStatement(DELETE_BATCH)) {
            c.setAutoCommit(true);
            delete.setObject(1, OffsetDateTime.ofInstant(cutoff, ZoneOffset.UTC));
            delete.setInt(2, BATCH_ROWS);
            int batch;
            do {
                batch = delete.executeUpdate();
                deleted += batch;
            } while (batch == BATCH_ROWS && !closed.get());
        }
        return deleted;
    }

    private void sweepAndLog() {
        try {
            long deleted = sweep();
            if (deleted > 0) {
                log.info(
                        "rejects - Deleted {} rejected message(s) older than REJECTS_RETENTION ({})",
                        deleted,
                        retention);
            }
        } catch (SQLException | RuntimeException e) {
            if (!closed.get()) {
                log.warn("rejects - Retention sweep failed ({}); next attempt in {}", e.getMessage(), SWEEP_INTERVAL);
            }
        }
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        scheduler.shutdownNow();
        try {
            // A running batch finishes (JDBC ignores interrupts); the loop stops after it, before the pool closes.
            scheduler.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
