package io.thermowatch.common.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.failsafe.Execution;
import dev.failsafe.RetryPolicy;
import dev.failsafe.RetryPolicyBuilder;
import dev.failsafe.RetryPolicyConfig;
import java.io.IOException;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The policies' stated figures, the delays Failsafe derives from them, and the blocking retry loop. */
class RetriesTest {

    private static void assertBackoff(RetryPolicy<Object> policy, Duration first, Duration max) {
        RetryPolicyConfig<Object> config = policy.getConfig();
        assertEquals(first, config.getDelay());
        assertEquals(max, config.getMaxDelay());
        assertEquals(2.0, config.getDelayFactor());
        assertEquals(Retries.JITTER_FACTOR, config.getJitterFactor());
        assertEquals(-1, config.getMaxRetries(), "a dependency that is down is waited for, not given up on");
        assertEquals(null, config.getMaxDuration(), "Failsafe measures max duration on the wall clock");
    }

    @Test
    void each_use_has_its_stated_first_delay_cap_and_jitter() {
        assertBackoff(Retries.amqpConnect().build(), Duration.ofMillis(100), Duration.ofSeconds(5));
        assertBackoff(Retries.amqpResubscribe().build(), Duration.ofMillis(500), Duration.ofSeconds(10));
        assertBackoff(Retries.database().build(), Duration.ofMillis(100), Duration.ofSeconds(5));
        assertBackoff(Retries.smtp(Duration.ofMinutes(1)).build(), Duration.ofSeconds(1), Duration.ofMinutes(1));
        assertBackoff(Retries.mqttFirstConnect().build(), Duration.ofSeconds(1), Duration.ofSeconds(5));
        assertBackoff(Retries.statusSubscription().build(), Duration.ofSeconds(1), Duration.ofSeconds(15));
    }

    @Test
    void an_smtp_cap_at_or_below_one_second_is_a_fixed_delay() {
        RetryPolicyConfig<Object> config =
                Retries.smtp(Duration.ofMillis(200)).build().getConfig();
        assertEquals(Duration.ofMillis(200), config.getDelay());
        assertEquals(null, config.getMaxDelay());
        assertEquals(Retries.JITTER_FACTOR, config.getJitterFactor());
        assertThrows(IllegalArgumentException.class, () -> Retries.smtp(Duration.ZERO));
    }

    @Test
    void delays_double_with_jitter_up_to_the_cap_and_never_give_up() {
        // Given
        Execution<Object> execution = Execution.of(Retries.amqpResubscribe().build());
        double low = 1 - Retries.JITTER_FACTOR;
        double high = 1 + Retries.JITTER_FACTOR;
        long expectedMillis = 500;
        // When / Then
        for (int attempt = 1; attempt <= 12; attempt++) {
            execution.recordException(new IOException("down"));
            long delay = execution.getDelay().toMillis();
            assertFalse(execution.isComplete(), "gave up after " + attempt + " attempts");
            assertTrue(
                    delay >= expectedMillis * low - 1 && delay <= expectedMillis * high + 1,
                    "attempt " + attempt + ": " + delay + " ms, expected " + expectedMillis + " ms ±25 %");
            expectedMillis = Math.min(expectedMillis * 2, 10_000);
        }
    }

    @Test
    void a_success_completes_the_execution_so_the_next_outage_starts_from_the_first_delay() {
        // Given
        RetryPolicy<Object> policy = Retries.database().build();
        Execution<Object> outage = Execution.of(policy);
        for (int i = 0; i < 6; i++) {
            outage.recordException(new IOException("down"));
        }
        // When
        outage.recordResult(null);
        Execution<Object> next = Execution.of(policy);
        next.recordException(new IOException("down again"));
        // Then
        assertTrue(outage.isComplete());
        assertTrue(next.getDelay().toMillis() <= 100 * (1 + Retries.JITTER_FACTOR) + 1);
    }

    /** A policy that retries IOException at once (Failsafe's default delay is zero): the logic without waiting. */
    private static RetryPolicyBuilder<String> immediately() {
        return RetryPolicy.<String>builder().handle(IOException.class).withMaxRetries(-1);
    }

    @Test
    void until_success_retries_handled_failures_logging_each_once_and_returns_the_result() throws Exception {
        // Given
        List<Throwable> logged = new ArrayList<>();
        AtomicInteger attempts = new AtomicInteger();
        IOException first = new IOException("down");
        IOException second = new IOException("still down");
        // When
        String result = Retries.untilSuccess(
                immediately(),
                (failure, delay) -> {
                    logged.add(failure);
                    assertEquals(Duration.ZERO, delay);
                },
                () -> switch (attempts.incrementAndGet()) {
                    case 1 -> throw first;
                    case 2 -> throw second;
                    default -> "up";
                });
        // Then
        assertEquals("up", result);
        assertEquals(3, attempts.get());
        assertEquals(List.of(first, second), logged);
    }

    @Test
    void until_success_throws_a_failure_the_policy_does_not_handle_as_the_attempt_threw_it() {
        // Given
        List<Throwable> logged = new ArrayList<>();
        SQLException broken = new SQLException("syntax error");
        RuntimeException bug = new IllegalStateException("bug");
        // When
        SQLException thrown = assertThrows(
                SQLException.class,
                () -> Retries.untilSuccess(immediately(), (f, d) -> logged.add(f), () -> {
                    throw broken;
                }));
        RuntimeException thrownBug = assertThrows(
                RuntimeException.class,
                () -> Retries.untilSuccess(immediately(), (f, d) -> logged.add(f), () -> {
                    throw bug;
                }));
        // Then
        assertSame(broken, thrown);
        assertSame(bug, thrownBug);
        assertEquals(List.of(), logged, "a failure that is not retried is the caller's to report");
    }

    @Test
    void until_success_stops_when_the_policy_aborts_and_throws_the_last_failure() {
        // Given
        AtomicBoolean closed = new AtomicBoolean();
        AtomicInteger attempts = new AtomicInteger();
        List<Throwable> logged = new ArrayList<>();
        IOException last = new IOException("down, and closed meanwhile");
        // When
        IOException thrown = assertThrows(
                IOException.class,
                () -> Retries.untilSuccess(
                        immediately().abortIf((result, failure) -> closed.get()), (f, d) -> logged.add(f), () -> {
                            if (attempts.incrementAndGet() == 3) {
                                closed.set(true);
                                throw last;
                            }
                            throw new IOException("down");
                        }));
        // Then
        assertSame(last, thrown);
        assertEquals(3, attempts.get());
        assertEquals(2, logged.size());
    }

    @Test
    @Timeout(10)
    void until_success_gives_up_with_an_interrupted_exception_when_interrupted_while_waiting() {
        // Given: an hour's delay that the interrupt cuts short at once
        AtomicInteger attempts = new AtomicInteger();
        RetryPolicyBuilder<String> hourly = RetryPolicy.<String>builder()
                .handle(IOException.class)
                .withDelay(Duration.ofHours(1))
                .withMaxRetries(-1);
        Thread.currentThread().interrupt();
        try {
            // When / Then
            assertThrows(
                    InterruptedException.class,
                    () -> Retries.untilSuccess(hourly, (f, d) -> {}, () -> {
                        attempts.incrementAndGet();
                        throw new IOException("down");
                    }));
            assertEquals(1, attempts.get());
        } finally {
            Thread.interrupted(); // whatever Failsafe left, the next test starts clean
        }
    }
}
