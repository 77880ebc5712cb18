package io.thermowatch.dbwriter;

import io.thermowatch.common.config.AmqpSettings;
import io.thermowatch.common.config.ConfigException;
import io.thermowatch.common.config.DatabaseSettings;
import io.thermowatch.common.config.EnvConfig;
import io.thermowatch.common.runtime.ClockSkewMeter;
import java.time.Duration;

/**
 * db-writer's configuration, read once from the environment and validated at the edge.
 *
 * @param database       where readings are stored
 * @param amqp           where readings come from
 * @param batchSize      largest number of messages written (and acknowledged) together
 * @param batchMaxWait   longest a message waits in a partial batch before the batch is written anyway
 * @param prefetch       unacknowledged messages RabbitMQ may push to this consumer
 * @param retentionDays  TimescaleDB retention policy on raw readings, in days
 * @param healthPort     port of /healthz, /readyz, /metrics
 * @param consumers      consumers (channel + writer thread each) in this process
 * @param rejectsRetention how long rows of {@code rejected_messages} are kept
 * @param clockSkewWarn  {@code CLOCK_SKEW_WARN}: a stamp this far from arrival is counted as clock skew (default 30 s)
 * @param maxMessageBytes the broker's {@code max_message_size}: no delivery is larger
 */
record DbWriterConfig(
        DatabaseSettings database,
        AmqpSettings amqp,
        int batchSize,
        Duration batchMaxWait,
        int prefetch,
        int retentionDays,
        int healthPort,
        int consumers,
        Duration rejectsRetention,
        Duration clockSkewWarn,
        int maxMessageBytes) {

    static final String DEFAULT_AMQP_USER = "db-writer";
    static final String DEFAULT_AMQP_PASS = "dbwriter-demo-pass";
    static final int DEFAULT_BATCH_SIZE = 2000;
    static final Duration DEFAULT_BATCH_MAX_WAIT = Duration.ofMillis(100);
    /** Any wait at all: durations are read in whole milliseconds, so this refuses only zero. */
    static final Duration MIN_BATCH_MAX_WAIT = Duration.ofMillis(1);

    static final Duration MAX_BATCH_MAX_WAIT = Duration.ofMinutes(1);
    static final int DEFAULT_RETENTION_DAYS = 90;
    static final int DEFAULT_HEALTH_PORT = 9102;
    static final int DEFAULT_CONSUMERS = 2;
    static final Duration DEFAULT_REJECTS_RETENTION = Duration.ofDays(30);
    /** The sweep runs hourly; a shorter retention would be a unit mistake (a bare number means seconds). */
    static final Duration MIN_REJECTS_RETENTION = Duration.ofHours(1);

    static final Duration MAX_REJECTS_RETENTION = Duration.ofDays(36_500);
    /** rabbitmq/rabbitmq.conf's {@code max_message_size}. */
    static final int DEFAULT_MAX_MESSAGE_BYTES = 16_384;
    /** The dead-letter drain's window (see {@link DbWriterService}): small, dead letters are rare. */
    static final int DEAD_LETTER_PREFETCH = 200;

    static final int DEAD_LETTER_BATCH = 100;
    private static final long MIB = 1024 * 1024;

    /** Reads every setting, sizing the in-memory window against this JVM's heap ({@code -Xmx}). */
    static DbWriterConfig fromEnv(EnvConfig env) {
        return fromEnv(env, Runtime.getRuntime().maxMemory());
    }

    /**
     * Reads every setting; a bad value throws {@link io.thermowatch.common.config.ConfigException} naming it.
     * {@code PREFETCH} defaults to four times {@code BATCH_SIZE}: the next batches arrive while one is written, and
     * the broker delivers in larger runs (measured in BENCHMARKS.md: 2× → 4× drained a backlog faster in 3 of 4 runs)
     * — but never more than fits the heap budget below.
     *
     * <p><b>Bytes bounded.</b> RabbitMQ may push {@code PREFETCH} unacknowledged messages to each of the
     * {@code CONSUMERS} (and {@value #DEAD_LETTER_PREFETCH} to the dead-letter drain), each at most
     * {@code AMQP_MAX_MESSAGE_SIZE} bytes (the broker refuses larger ones). That worst case must fit in half the
     * heap, leaving the other half for batches, rejects' heads and the JDBC driver; otherwise the service stops at
     * start with one line naming the combination, instead of dying of {@code OutOfMemoryError} on a flood of big
     * payloads later.
     *
     * @param maxHeapBytes {@code Runtime.maxMemory()}
     */
    static DbWriterConfig fromEnv(EnvConfig env, long maxHeapBytes) {
        DatabaseSettings database = DatabaseSettings.fromEnv(env);
        AmqpSettings amqp = AmqpSettings.fromEnv(env, DEFAULT_AMQP_USER, DEFAULT_AMQP_PASS);
        int batchSize = env.integer("BATCH_SIZE", DEFAULT_BATCH_SIZE, 1, 50_000);
        Duration batchMaxWait =
                env.durationBetween("BATCH_MAX_WAIT", DEFAULT_BATCH_MAX_WAIT, MIN_BATCH_MAX_WAIT, MAX_BATCH_MAX_WAIT);
        int consumers = env.integer("CONSUMERS", DEFAULT_CONSUMERS, 1, 8);
        int maxMessageBytes = env.integer("AMQP_MAX_MESSAGE_SIZE", DEFAULT_MAX_MESSAGE_BYTES, 1024, 536_870_912);
        long budget = maxHeapBytes / 2;
        long fitting = (budget - (long) DEAD_LETTER_PREFETCH * maxMessageBytes) / ((long) consumers * maxMessageBytes);
        int defaultPrefetch = (int) Math.max(batchSize, Math.min(Math.min(4L * batchSize, 65_535), fitting));
        int prefetch = env.integer("PREFETCH", defaultPrefetch, 1, 65_535);
        EnvConfig.check(
                prefetch >= batchSize,
                "PREFETCH",
                prefetch,
                "at least BATCH_SIZE (" + batchSize + "), or batches can never fill");
        long worstCase = ((long) consumers * prefetch + DEAD_LETTER_PREFETCH) * maxMessageBytes;
        if (worstCase > budget) {
            throw new ConfigException("PREFETCH=" + prefetch + " x CONSUMERS=" + consumers + " (+"
                    + DEAD_LETTER_PREFETCH
                    + " dead letters) x AMQP_MAX_MESSAGE_SIZE=" + maxMessageBytes + " bytes = " + worstCase / MIB
                    + " MiB unacknowledged in memory at worst, more than half the heap (" + budget / MIB + " of "
                    + maxHeapBytes / MIB + " MiB): lower PREFETCH, BATCH_SIZE or CONSUMERS, or raise -Xmx");
        }
        int retentionDays = env.integer("RETENTION_DAYS", DEFAULT_RETENTION_DAYS, 1, 36_500);
        int healthPort = env.port("HEALTH_PORT", DEFAULT_HEALTH_PORT);
        Duration rejectsRetention = env.durationBetween(
                "REJECTS_RETENTION", DEFAULT_REJECTS_RETENTION, MIN_REJECTS_RETENTION, MAX_REJECTS_RETENTION);
        Duration clockSkewWarn = ClockSkewMeter.warnFromEnv(env);
        return new DbWriterConfig(
                database,
                amqp,
                batchSize,
                batchMaxWait,
                prefetch,
                retentionDays,
                healthPort,
                consumers,
                rejectsRetention,
                clockSkewWarn,
                maxMessageBytes);
    }
}
