package io.thermowatch.emailsender;

import java.time.Duration;
import java.time.Instant;

/**
 * One moment read from both clocks: {@code wall} stamps what people read (mails, the state file), {@code nanos}
 * (monotonic, see common's {@code MonotonicClock}) measures every duration, so a wall clock set forward or back
 * neither fires nor delays a timer.
 */
record Now(Instant wall, long nanos) {

    /** True if at least {@code duration} has passed since {@code earlierNanos} (overflow-safe). */
    boolean isAtLeast(Duration duration, long earlierNanos) {
        return nanos - earlierNanos >= duration.toNanos();
    }
}
