package io.thermowatch.emailsender;

import dev.failsafe.Execution;
import dev.failsafe.RetryPolicy;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.thermowatch.common.config.DatabaseSettings;
import io.thermowatch.common.runtime.Retries;
import io.thermowatch.common.runtime.WorkerSupervisor;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes {@link AlertEvent}s into {@code alert_events}, in the background: {@link #record} never blocks and never
 * throws, so a database that is slow or down can never hold or delay a mail. Events wait in a bounded buffer
 * ({@value #CAPACITY}); one that does not fit is dropped and counted ({@code thermowatch_alert_events_dropped_total})
 * — the mail itself was not affected. A batch that fails is kept and retried with {@link Retries#alertHistory}
 * back-off, on a new connection, until the database takes it. Thread safe; one named thread writes.
 */
final class AlertHistoryWriter implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(AlertHistoryWriter.class);

    /** Buffered events; about 1,000 mails' worth at the worst grouping, a few hundred bytes each. */
    static final int CAPACITY = 10_000;

    private static final int BATCH = 500;
    private static final String INSERT = "INSERT INTO alert_events (time, sensor, rule, kind, from_level, to_level,"
            + " value, reading_time, mailed_at, silence_id, silenced_by, acknowledged_by, mail_error)"
            + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";

    private final DatabaseSettings database;
    private final BlockingQueue<AlertEvent> buffer;
    private final RetryPolicy<Object> retry = Retries.alertHistory().build();
    private final Counter recorded;
    private final Counter dropped;
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile Thread writer;
    private Connection connection; // the writer thread's, then close()'s once it stopped
    private final List<AlertEvent> batch = new ArrayList<>(BATCH); // likewise

    AlertHistoryWriter(DatabaseSettings database, MeterRegistry registry) {
        this(database, registry, CAPACITY);
    }

    AlertHistoryWriter(DatabaseSettings database, MeterRegistry registry, int capacity) {
        this.database = database;
        this.buffer = new ArrayBlockingQueue<>(capacity);
        this.recorded = Counter.builder("thermowatch.alert.events.recorded")
                .description("Alert events written to alert_events")
                .register(registry);
        this.dropped = Counter.builder("thermowatch.alert.events.dropped")
                .description("Alert events not recorded because the history buffer was full (database down)")
                .register(registry);
        registry.gauge("thermowatch.alert.events.pending", buffer, BlockingQueue::size);
    }

    void start(WorkerSupervisor workers) {
        Thread thread = workers.newThread("alert-history", this::run);
        thread.setDaemon(true);
        writer = thread;
        thread.start();
    }

    /** Queues events for writing; never blocks. Those that do not fit are dropped and counted. */
    void record(List<AlertEvent> events) {
        for (AlertEvent e : events) {
            if (!buffer.offer(e)) {
                dropped.increment();
            }
        }
    }

    /** For the dispatcher: what SMTP just accepted. */
    void mailed(List<Notification> notifications, Instant at) {
        List<AlertEvent> events = new ArrayList<>(notifications.size());
        for (Notification n : notifications) {
            events.add(AlertEvent.mailed(n, at));
        }
        record(events);
    }

    /** For the dispatcher: what SMTP refused for good, and why (the same reason for every one of its mail). */
    void refused(List<Notification> notifications, String reason) {
        List<AlertEvent> events = new ArrayList<>(notifications.size());
        for (Notification n : notifications) {
            events.add(AlertEvent.refused(n, reason));
        }
        record(events);
    }

    int pending() {
        return buffer.size();
    }

    private void run() {
        Execution<Object> outage = null;
        while (!closed.get()) {
            Duration backoff = null;
            try {
                if (batch.isEmpty()) {
                    AlertEvent first = buffer.poll(1, TimeUnit.SECONDS);
                    if (first == null) {
                        continue;
                    }
                    batch.add(first);
                    buffer.drainTo(batch, BATCH - 1);
                }
                write(batch);
                if (outage != null) {
                    log.info("history - alert_events written again after an outage");
                }
                outage = null;
                batch.clear();
            } catch (SQLException e) {
                closeConnection();
                if (outage == null) {
                    outage = Execution.of(retry);
                    log.warn(
                            "history - Writing {} alert event(s) failed: {}; retrying with back-off (mails are not"
                                    + " affected; events are buffered, up to {})",
                            batch.size(),
                            e.getMessage(),
                            CAPACITY);
                }
                outage.recordException(e);
                backoff = outage.getDelay();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            if (backoff != null && !pause(backoff)) {
                return;
            }
        }
    }

    /** False if interrupted (closing). */
    private static boolean pause(Duration delay) {
        try {
            Thread.sleep(Math.max(1, delay.toMillis()));
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private void write(List<AlertEvent> batch) throws SQLException {
        if (connection == null) {
            connection = connect(database);
            connection.setAutoCommit(false);
        }
        try (PreparedStatement insert = connection.prepareStatement(INSERT)) {
            for (AlertEvent e : batch) {
                insert.setTimestamp(1, Timestamp.from(e.time()));
                insert.setString(2, e.sensor());
                insert.setString(3, e.rule());
                insert.setString(4, e.kind());
                insert.setString(5, e.from() == null ? null : e.from().name());
                insert.setString(6, e.to() == null ? null : e.to().name());
                if (e.value() == null) {
                    insert.setNull(7, Types.DOUBLE);
                } else {
                    insert.setDouble(7, e.value());
                }
                insert.setTimestamp(8, e.readingTime() == null ? null : Timestamp.from(e.readingTime()));
                insert.setTimestamp(9, e.mailedAt() == null ? null : Timestamp.from(e.mailedAt()));
                if (e.silenceId() == null) {
                    insert.setNull(10, Types.BIGINT);
                } else {
                    insert.setLong(10, e.silenceId());
                }
                insert.setString(11, e.silencedBy());
                insert.setString(12, e.acknowledgedBy());
                insert.setString(13, e.mailError());
                insert.addBatch();
            }
            insert.executeBatch();
            connection.commit();
        } catch (SQLException e) {
            try {
                connection.rollback();
            } catch (SQLException ignored) {
                // the connection is replaced anyway
            }
            throw e;
        }
        recorded.increment(batch.size());
    }

    /** A connection that gives up within seconds: an unreachable database must not hang the writer for minutes. */
    static Connection connect(DatabaseSettings database) throws SQLException {
        Properties props = new Properties();
        props.setProperty("user", database.user());
        props.setProperty("password", database.password());
        props.setProperty("connectTimeout", "5");
        props.setProperty("socketTimeout", "30");
        props.setProperty("ApplicationName", "email-sender");
        return DriverManager.getConnection(database.jdbcUrl(), props);
    }

    private void closeConnection() {
        if (connection != null) {
            try {
                connection.close();
            } catch (SQLException ignored) {
                // already broken
            }
            connection = null;
        }
    }

    /** Stops the writer; what it could not write within a few seconds is lost (logged with its count). Idempotent. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        Thread thread = writer;
        if (thread != null) {
            thread.interrupt();
            try {
                thread.join(Duration.ofSeconds(5).toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        List<AlertEvent> rest = new ArrayList<>(batch);
        buffer.drainTo(rest);
        if (!rest.isEmpty()) {
            try {
                write(rest);
            } catch (SQLException e) {
                log.warn("history - {} alert event(s) not recorded at shutdown: {}", rest.size(), e.getMessage());
            }
        }
        closeConnection();
    }
}
