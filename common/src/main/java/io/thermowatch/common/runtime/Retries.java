package io.thermowatch.common.runtime;

import dev.failsafe.Failsafe;
import dev.failsafe.FailsafeException;
import dev.failsafe.RetryPolicy;
import dev.failsafe.RetryPolicyBuilder;
import java.time.Duration;

/**
 * Every retry and reconnect back-off of the suite, stated once: Failsafe retry policies with exponential
 * back-off (doubling), a cap chosen per use, jitter, and no limit on attempts (a dependency that is down is
 * waited for; readiness tells the operator meanwhile). Callers add what they retry on and their logging; a
 * blocking wait (connect or migrate at start) runs through {@link #untilSuccess}.
 *
 * <table>
 *   <caption>Policies</caption>
 *   <tr><th>policy</th><th>first</th><th>cap</th><th>why the cap</th></tr>
 *   <tr><td>{@link #amqpConnect}</td><td>100 ms</td><td>5 s</td><td>compose starts the broker with the
 *       services; they should be up seconds after it is</td></tr>
 *   <tr><td>{@link #amqpResubscribe}</td><td>500 ms</td><td>10 s</td><td>a closed channel usually reopens at
 *       once; a deleted queue needs an operator, and the cap bounds how long the consumer stays unready after
 *       the queue is back</td></tr>
 *   <tr><td>{@link #database}</td><td>100 ms</td><td>5 s</td><td>a restarting PostgreSQL answers within
 *       seconds, and a held batch (unacknowledged messages) should be written soon after</td></tr>
 *   <tr><td>{@link #alertHistory}</td><td>1 s</td><td>30 s</td><td>email-sender's alert history: written in
 *       the background (mails never wait for it) from a bounded buffer, so there is no hurry and a database that
 *       is down is not hammered</td></tr>
 *   <tr><td>{@link #smtp}</td><td>1 s</td><td>{@code SMTP_RETRY_MAX_DELAY} (default 1 min)</td><td>a mail
 *       server is not hammered; how long an alert may wait is the operator's call</td></tr>
 *   <tr><td>{@link #mqttFirstConnect}</td><td>1 s</td><td>5 s</td><td>a sensor's first connect (Paho reconnects
 *       by itself afterwards); with thousands of sensors the jitter keeps them from connecting in step</td></tr>
 *   <tr><td>{@link #statusSubscription}</td><td>1 s</td><td>15 s</td><td>the dashboard's status feed is not part
 *       of readiness: no hurry</td></tr>
 * </table>
 *
 * <p>Jitter is ±{@value #JITTER_FACTOR} of each delay (so a capped delay lies within cap ±25 %): enough to spread
 * a fleet's retries, small enough to keep the cap meaningful.
 *
 * <p>Delays never depend on the wall clock: Failsafe computes each from the previous one and waits with
 * {@code Thread.sleep} or a {@code ScheduledExecutorService} (both on {@code System.nanoTime}); callers of a
 * standalone {@code Execution} wait {@code getDelay()} the same way. Never add {@code withMaxDuration}: Failsafe
 * measures an execution's elapsed time with {@code Instant.now()}.
 */
public final class Retries {

    /** Random part of each delay, as a fraction of it. */
    public static final double JITTER_FACTOR = 0.25;

    static final Duration AMQP_CONNECT_FIRST = Duration.ofMillis(100);
    static final Duration AMQP_CONNECT_MAX = Duration.ofSeconds(5);
    static final Duration AMQP_RESUBSCRIBE_FIRST = Duration.ofMillis(500);
    static final Duration AMQP_RESUBSCRIBE_MAX = Duration.ofSeconds(10);
    static final Duration DATABASE_FIRST = Duration.ofMillis(100);
    static final Duration DATABASE_MAX = Duration.ofSeconds(5);
    static final Duration ALERT_HISTORY_FIRST = Duration.ofSeconds(1);
    static final Duration ALERT_HISTORY_MAX = Duration.ofSeconds(30);
    static final Duration SMTP_FIRST = Duration.ofSeconds(1);
    static final Duration MQTT_FIRST_CONNECT_FIRST = Duration.ofSeconds(1);
    static final Duration MQTT_FIRST_CONNECT_MAX = Duration.ofSeconds(5);
    static final Duration STATUS_SUBSCRIPTION_FIRST = Duration.ofSeconds(1);
    static final Duration STATUS_SUBSCRIPTION_MAX = Duration.ofSeconds(15);

    private Retries() {}

    /** Connecting to RabbitMQ at start. */
    public static <R> RetryPolicyBuilder<R> amqpConnect() {
        return backoff(AMQP_CONNECT_FIRST, AMQP_CONNECT_MAX);
    }

    /** Subscribing a consumer again after its channel closed, its connection dropped or the broker cancelled it. */
    public static <R> RetryPolicyBuilder<R> amqpResubscribe() {
        return backoff(AMQP_RESUBSCRIBE_FIRST, AMQP_RESUBSCRIBE_MAX);
    }

    /** db-writer's database: the schema migration at start, and each batch write. */
    public static <R> RetryPolicyBuilder<R> database() {
        return backoff(DATABASE_FIRST, DATABASE_MAX);
    }

    /** email-sender writing its alert history (alert_events) while the database fails. */
    public static <R> RetryPolicyBuilder<R> alertHistory() {
        return backoff(ALERT_HISTORY_FIRST, ALERT_HISTORY_MAX);
    }

    /**
     * Mailing an alert group while SMTP fails; a cap at or below the first delay (1 s) makes every delay the cap.
     *
     * @throws IllegalArgumentException if {@code maxDelay} is not positive
     */
    public static <R> RetryPolicyBuilder<R> smtp(Duration maxDelay) {
        if (maxDelay.isNegative() || maxDelay.isZero()) {
            throw new IllegalArgumentException("maxDelay must be positive, got " + maxDelay);
        }
        if (maxDelay.compareTo(SMTP_FIRST) <= 0) {
            return RetryPolicy.<R>builder()
                    .withDelay(maxDelay)
                    .withJitter(JITTER_FACTOR)
                    .withMaxRetries(-1);
        }
        return backoff(SMTP_FIRST, maxDelay);
    }

    /** A sensor's first MQTT connect; Paho's automatic reconnect takes over once connected. */
    public static <R> RetryPolicyBuilder<R> mqttFirstConnect() {
        return backoff(MQTT_FIRST_CONNECT_FIRST, MQTT_FIRST_CONNECT_MAX);
    }

    /** The dashboard's first connect of its sensor-status subscription. */
    public static <R> RetryPolicyBuilder<R> statusSubscription() {
        return backoff(STATUS_SUBSCRIPTION_FIRST, STATUS_SUBSCRIPTION_MAX);
    }

    /** One try of what {@link #untilSuccess} repeats. */
    @FunctionalInterface
    public interface Attempt<T, E extends Exception> {
        T run() throws E;
    }

    /** How a service words a failure that will be retried: what failed, and how long until the next try. */
    @FunctionalInterface
    public interface RetryLog {
        void retrying(Throwable failure, Duration delay);
    }

    /**
     * Runs {@code attempt} on this thread until it succeeds, waiting {@code policy}'s delay after each failure the
     * policy handles, which {@code log} reports once. It gives up on a failure the policy does not handle or aborts
     * on (a stop condition is the policy's {@code abortIf}, e.g. "closed meanwhile") and throws that failure as the
     * attempt threw it, not wrapped; an interrupt while waiting throws {@link InterruptedException}.
     *
     * @param policy one of this class's builders, with what it retries on; this method adds the logging
     */
    public static <T, E extends Exception> T untilSuccess(
            RetryPolicyBuilder<T> policy, RetryLog log, Attempt<T, E> attempt) throws E, InterruptedException {
        RetryPolicy<T> retryPolicy = policy.onRetryScheduled(e -> log.retrying(e.getLastException(), e.getDelay()))
                .build();
        try {
            return Failsafe.with(retryPolicy).get(attempt::run);
        } catch (FailsafeException e) {
            // Failsafe wraps checked exceptions: the attempt's own (E) and an interrupt while it waited.
            if (e.getCause() instanceof InterruptedException interrupted) {
                throw interrupted;
            }
            if (e.getCause() instanceof Exception) {
                @SuppressWarnings("unchecked") // the attempt throws no other checked exception
                E failure = (E) e.getCause();
                throw failure;
            }
            throw e;
        }
    }

    private static <R> RetryPolicyBuilder<R> backoff(Duration first, Duration max) {
        return RetryPolicy.<R>builder()
                .withBackoff(first, max)
                .withJitter(JITTER_FACTOR)
                .withMaxRetries(-1);
    }
}
