package io.thermowatch.dbwriter;

import com.rabbitmq.client.Connection;
import com.zaxxer.hikari.HikariDataSource;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.thermowatch.common.amqp.AmqpConsumer;
import io.thermowatch.common.amqp.AmqpDelivery;
import io.thermowatch.common.runtime.ClockSkewMeter;
import io.thermowatch.common.runtime.HealthServer;
import io.thermowatch.common.runtime.Metrics;
import io.thermowatch.common.runtime.Retries;
import io.thermowatch.common.runtime.WorkerSupervisor;
import io.thermowatch.common.wire.ReadingCodec;
import io.thermowatch.common.wire.Topics;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * db-writer wired together: schema migration, the AMQP consumer, the writer thread and the health endpoint.
 *
 * <p>{@link #close()} (SIGTERM) cancels the consumer, lets the writer commit and acknowledge what it holds,
 * then closes the connection, the pool and the endpoint. Idempotent.
 */
final class DbWriterService implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(DbWriterService.class);
    private static final String NAME = "db-writer";
    private static final Duration DRAIN_TIMEOUT = Duration.ofSeconds(20);

    private final HikariDataSource dataSource;
    private final Connection connection;
    private final List<Lane> lanes;
    private final HealthServer health;
    private final SchemaMode mode;
    private final RejectRetention rejectRetention;
    private final AtomicBoolean closed = new AtomicBoolean();

    private DbWriterService(
            HikariDataSource dataSource,
            Connection connection,
            List<Lane> lanes,
            HealthServer health,
            SchemaMode mode,
            RejectRetention rejectRetention) {
        this.dataSource = dataSource;
        this.connection = connection;
        this.lanes = lanes;
        this.health = health;
        this.mode = mode;
        this.rejectRetention = rejectRetention;
    }

    /**
     * Migrates the schema (waiting for the database with back-off), connects to RabbitMQ and starts consuming.
     *
     * @param workers watches the writer threads and the consumers' dispatch: one dying stops the service
     */
    static DbWriterService start(DbWriterConfig config, WorkerSupervisor workers) throws Exception {
        Clock clock = Clock.systemUTC();
        PrometheusMeterRegistry registry = Metrics.newRegistry(NAME);
        WriterMetrics metrics = new WriterMetrics(registry);
        log.info(
                "{} - Database {}, {} consumer(s), batches of up to {} messages or {} ms, prefetch {}, messages of"
                        + " at most {} bytes, heap {} MiB",
                NAME,
                config.database(),
                config.consumers(),
                config.batchSize(),
                config.batchMaxWait().toMillis(),
                config.prefetch(),
                config.maxMessageBytes(),
                Runtime.getRuntime().maxMemory() / (1024 * 1024));

        HikariDataSource dataSource = WriterDataSource.open(config.database(), NAME, config.consumers() + 3);
        AtomicReference<List<Lane>> running = new AtomicReference<>(List.of());
        HealthServer health = null;
        Connection connection = null;
        RejectRetention rejectRetention = null;
        try {
            health = HealthServer.start(
                    config.healthPort(),
                    registry,
                    new HealthServer.Check(
                            "database",
                            () -> !running.get().isEmpty()
                                    && running.get().stream()
                                            .filter(Lane::isRequired)
                                            .allMatch(Lane::isDatabaseReady)),
                    new HealthServer.Check(
                            "amqp",
                            () -> !running.get().isEmpty()
                                    && running.get().stream()
                                            .filter(Lane::isRequired)
                                            .allMatch(Lane::isConsuming)),
                    workers.readiness());
            SchemaMode mode = migrateWithRetry(new SchemaMigrator(
                    config.database().jdbcUrl(),
                    config.database().user(),
                    config.database().password(),
                    config.retentionDays()));
            rejectRetention = RejectRetention.start(dataSource, config.rejectsRetention(), clock);
            connection = config.amqp().connect(NAME);
            BatchSink sink = new PostgresSink(dataSource);
            DeliveryTriage triage =
                    new DeliveryTriage(new ReadingCodec(clock), new ClockSkewMeter(config.clockSkewWarn(), registry));
            List<Lane> lanes = new ArrayList<>();
            for (int i = 1; i <= config.consumers(); i++) {
                // Unbounded in code, bounded in practice by the prefetch: the broker pushes no more than that
                // many unacknowledged messages to one consumer.
                BlockingQueue<AmqpDelivery> inbox = new LinkedBlockingQueue<>();
                AmqpConsumer consumer =
                        new AmqpConsumer(connection, Topics.DB_WRITER_QUEUE, config.prefetch(), clock, workers);
                BatchWriterLoop writer = new BatchWriterLoop(
                        inbox,
                        new Batcher<>(config.batchSize(), config.batchMaxWait(), clock),
                        triage,
                        sink,
                        consumer,
                        consumer,
                        metrics,
                        Retries.database().handle(SQLException.class).build(),
                        clock);
                Lane lane = new Lane(consumer, inbox, writer, workers.newThread(NAME + "-writer-" + i, writer), true);
                lanes.add(lane);
                lane.start();
            }
            lanes.add(startDeadLetterDrain(config, connection, sink, triage, metrics, registry, workers, clock));
            running.set(List.copyOf(lanes));
            log.info("{} - Running in {} mode, health on port {}", NAME, mode, health.port());
            return new DbWriterService(dataSource, connection, List.copyOf(lanes), health, mode, rejectRetention);
        } catch (Exception e) {
            running.get().forEach(Lane::abandon);
            closeQuietly(rejectRetention);
            closeQuietly(connection);
            closeQuietly(health);
            dataSource.close();
            throw e;
        }
    }

    /**
     * One more lane on {@code thermowatch.dead-letter}, so that nothing dead-lettered stays there: readings are
     * stored, the rest kept as rejects with their {@code x-death} reason (see {@link DeadLetterTriage}). It does not
     * gate readiness and subscribes in the background: a broker still running older definitions (no read
     * permission on the queue yet) delays the drain, not the service; the refusal is logged while it lasts.
     */
    private static Lane startDeadLetterDrain(
            DbWriterConfig config,
            Connection connection,
            BatchSink sink,
            DeliveryTriage triage,
            WriterMetrics metrics,
            PrometheusMeterRegistry registry,
            WorkerSupervisor workers,
            Clock clock)
            throws java.io.IOException {
        BlockingQueue<AmqpDelivery> inbox = new LinkedBlockingQueue<>();
        AmqpConsumer consumer = new AmqpConsumer(
                connection, DeadLetterTriage.QUEUE, DbWriterConfig.DEAD_LETTER_PREFETCH, clock, workers);
        BatchWriterLoop writer = new BatchWriterLoop(
                inbox,
                new Batcher<>(DbWriterConfig.DEAD_LETTER_BATCH, config.batchMaxWait(), clock),
                new DeadLetterTriage(triage, registry),
                sink,
                consumer,
                consumer,
                metrics,
                Retries.database().handle(SQLException.class).build(),
                clock);
        Lane lane = new Lane(consumer, inbox, writer, workers.newThread(NAME + "-dead-letter-drain", writer), false);
        lane.start();
        return lane;
    }

    /** Waits for the database: at start it may still be booting (compose starts everything at once). */
    private static SchemaMode migrateWithRetry(SchemaMigrator migrator) throws SQLException, InterruptedException {
        return Retries.untilSuccess(
                Retries.<SchemaMode>database().handleIf(DbWriterService::isConnectionFailure),
                (failure, delay) -> log.warn(
                        "schema - Database not reachable ({}); retrying in {} ms",
                        failure.getMessage(),
                        delay.toMillis()),
                migrator::migrate);
    }

    /** SQLState class 08 (connection exception) or 57P (server shutting down or starting up). */
    static boolean isConnectionFailure(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException sql
                    && sql.getSQLState() != null
                    && (sql.getSQLState().startsWith("08") || sql.getSQLState().startsWith("57P"))) {
                return true;
            }
            if (t instanceof java.net.ConnectException) {
                return true;
            }
        }
        return false;
    }

    SchemaMode mode() {
        return mode;
    }

    @Override
    public void close() throws Exception {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        lanes.forEach(Lane::beginStop);
        for (Lane lane : lanes) {
            if (!lane.awaitStopped(DRAIN_TIMEOUT)) {
                log.warn(
                        "{} - A writer did not finish within {} s; its batch stays unacknowledged",
                        NAME,
                        DRAIN_TIMEOUT.toSeconds());
            }
        }
        rejectRetention.close();
        closeQuietly(connection);
        dataSource.close();
        health.close();
    }

    private static void closeQuietly(AutoCloseable closeable) {
        if (closeable == null) {
            return;
        }
        try {
            closeable.close();
        } catch (Exception e) {
            log.warn(
                    "{} - Error while closing {}: {}",
                    NAME,
                    closeable.getClass().getSimpleName(),
                    e.getMessage());
        }
    }
}
