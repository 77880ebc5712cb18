package io.thermowatch.common.runtime;

/**
 * A clock for durations only: nanoseconds from an arbitrary origin that never jump when the wall clock is set
 * (NTP step, manual change, VM resume). Timers (offline detection, grouping windows, repeat intervals, retry
 * back-off) measure on it; the wall clock ({@link java.time.Clock}) only stamps what is shown to people. Only
 * differences between two readings of the same clock mean anything; compare with {@code a - b > 0}, never
 * {@code a > b} (overflow). Implementations are thread-safe.
 */
@FunctionalInterface
public interface MonotonicClock {

    /** Nanoseconds since an arbitrary, fixed origin. */
    long nanos();

    /** {@link System#nanoTime()}. */
    static MonotonicClock system() {
        return System::nanoTime;
    }
}
