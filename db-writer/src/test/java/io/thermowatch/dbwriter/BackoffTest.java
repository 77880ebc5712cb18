package io.thermowatch.dbwriter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class BackoffTest {

    @Test
    void delays_double_up_to_the_cap_and_reset_after_success() {
        // Given
        Backoff backoff = new Backoff(Duration.ofMillis(100), Duration.ofMillis(500));
        // When / Then
        assertEquals(100, backoff.nextDelayMillis());
        assertEquals(200, backoff.nextDelayMillis());
        assertEquals(400, backoff.nextDelayMillis());
        assertEquals(500, backoff.nextDelayMillis());
        assertEquals(500, backoff.nextDelayMillis());
        backoff.reset();
        assertEquals(100, backoff.nextDelayMillis());
    }

    @Test
    void a_cap_below_the_first_delay_is_refused() {
        assertThrows(IllegalArgumentException.class, () -> new Backoff(Duration.ofSeconds(2), Duration.ofSeconds(1)));
        assertThrows(IllegalArgumentException.class, () -> new Backoff(Duration.ZERO, Duration.ofSeconds(1)));
    }
}
