package io.thermowatch.dbwriter;

import io.thermowatch.common.DatabaseSettings;
import io.thermowatch.common.AmqpSettings;
import io.thermowatch.common.ClockSkewMeter;
import io.thermowatch.common.EnvConfig;
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
 */
record DbWriterConfig(DatabaseSettings database, AmqpSettings amqp, int batchSize, Duration batchMaxWait,
                      int prefetch, int retentionDays, int healthPort, int consumers, Duration rejectsRetention,
                      Duration clockSkewWarn) {

    static final String DEFAULT_AMQP_USER = "db-writer";
    static final String DEFAULT_AMQP_PASS = "dbwriter-demo-pass";
    static final int DEFAULT_BATCH_SIZE = 2000;
    static final Duration DEFAULT_BATCH_MAX_WAIT = Duration.ofMillis(100);
    static final int DEFAULT_RETENTION_DAYS = 90;
    static final int DEFAULT_HEALTH_PORT = 9102;
    static final int DEFAULT_CONSUMERS = 2;
    static final Duration DEFAULT_REJECTS_RETENTION = Duration.ofDays(30);
    /** The sweep runs hourly; a shorter retention would be a unit mistake (a bare number means seconds). */
    static final Duration MIN_REJECTS_RETENTION = Duration.ofHours(1);
    static final Duration MAX_REJECTS_RETENTION = Duration.ofDays(36_500);

    /**
     * Reads every setting; a bad value throws {@link io.thermowatch.common.ConfigException} naming it.
     * {@code PREFETCH} defaults to four times {@code BATCH_SIZE}: the next batches arrive while one is written, and
     * the broker delivers in larger runs (measured in BENCHMARKS.md: 2× → 4× drained a backlog faster in 3 of 4 runs).
     */
    static DbWriterConfig load(EnvConfig env) {
        DatabaseSettings database = DatabaseSettings.fromEnv(env);
        AmqpSettings amqp = AmqpSettings.fromEnv(env, DEFAULT_AMQP_USER, DEFAULT_AMQP_PASS);
        int batchSize = env.integer("BATCH_SIZE", DEFAULT_BATCH_SIZE, 1, 50_000);
        Duration batchMaxWait = env.positiveDuration("BATCH_MAX_WAIT", DEFAULT_BATCH_MAX_WAIT);
        EnvConfig.check(batchMaxWait.compareTo(Duration.ofMinutes(1)) <= 0, "BATCH_MAX_WAIT", batchMaxWait,
                "a duration of at most 1m");
        int prefetch = env.integer("PREFETCH", Math.min(4 * batchSize, 65_535), 1, 65_535);
        EnvConfig.check(prefetch >= batchSize, "PREFETCH", prefetch,
                "at least BATCH_SIZE (" + batchSize + "), or batches can never fill");
        int retentionDays = env.integer("RETENTION_DAYS", DEFAULT_RETENTION_DAYS, 1, 36_500);
        int healthPort = env.port("HEALTH_PORT", DEFAULT_HEALTH_PORT);
        int consumers = env.integer("CONSUMERS", DEFAULT_CONSUMERS, 1, 8);
        Duration rejectsRetention = env.duration("REJECTS_RETENTION", DEFAULT_REJECTS_RETENTION);
        EnvConfig.check(rejectsRetention.compareTo(MIN_REJECTS_RETENTION) >= 0
                        && rejectsRetention.compareTo(MAX_REJECTS_RETENTION) <= 0,
                "REJECTS_RETENTION", env.optionalString("REJECTS_RETENTION").orElse(""),
                "a duration between 1h and 36500d, e.g. 30d or 12h (a bare number means seconds)");
        Duration clockSkewWarn = ClockSkewMeter.warnFromEnv(env);
        return new DbWriterConfig(database, amqp, batchSize, batchMaxWait, prefetch, retentionDays, healthPort,
                consumers, rejectsRetention, clockSkewWarn);
    }
}
