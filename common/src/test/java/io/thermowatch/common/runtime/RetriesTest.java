package io.thermowatch.common.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.failsafe.Execution;
import dev.failsafe.RetryPolicy;
import dev.failsafe.RetryPolicyConfig;
import java.io.IOException;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The policies' stated figures, and the delays Failsafe derives from them. */
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
}
