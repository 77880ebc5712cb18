package io.thermowatch.dashboard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.thermowatch.common.wire.Reading;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class LiveCoalescerTest {

    private static final Duration INTERVAL = Duration.ofMillis(100);
    private static final long T0 = 1_764_260_000_000L;

    /** A scheduler whose tasks run when the test says, with the delay they asked for. */
    private record Scheduled(Runnable task, long delayNanos) {}

    private final AtomicLong now = new AtomicLong(1_000_000_000L);
    private final List<Scheduled> scheduled = new ArrayList<>();
    private final List<List<LiveEntry>> frames = new ArrayList<>();
    private final LiveCoalescer coalescer = new LiveCoalescer(
            INTERVAL, now::get, (task, delay) -> scheduled.add(new Scheduled(task, delay)), frames::add);

    @Test
    void per_sensor_the_latest_reading_by_arrival_is_sent_with_how_many_arrived() {
        // Given readings of two sensors, a1's last one stamped EARLIER than its first (a clock set back)
        coalescer.accept(new Reading("a1", 20.0, T0 + 5_000));
        coalescer.accept(new Reading("b2", 30.0, T0));
        coalescer.accept(new Reading("a1", 21.0, T0 + 1_000));
        coalescer.accept(new Reading("a1", 22.0, T0 + 2_000));

        // When the frame goes out
        runNext();

        // Then each sensor appears once: the reading that arrived last, and the count of those that arrived
        assertEquals(
                List.of(List.of(new LiveEntry("a1", 22.0, T0 + 2_000, 3), new LiveEntry("b2", 30.0, T0, 1))), frames);
    }

    @Test
    void counts_start_again_after_each_frame_and_a_quiet_sensor_is_not_repeated() {
        // Given a frame with a1 and b2
        coalescer.accept(new Reading("a1", 20.0, T0));
        coalescer.accept(new Reading("b2", 30.0, T0));
        runNext();

        // When only a1 sends again, one interval later
        now.addAndGet(INTERVAL.toNanos());
        coalescer.accept(new Reading("a1", 20.5, T0 + 1_000));
        runNext();

        // Then the second frame holds a1 alone, counted from the first frame
        assertEquals(List.of(new LiveEntry("a1", 20.5, T0 + 1_000, 1)), frames.get(1));
    }

    @Test
    void the_first_reading_after_a_quiet_interval_goes_out_at_once_and_later_ones_wait_for_the_interval() {
        // Given: the first reading ever is scheduled with no delay (leading edge)
        coalescer.accept(new Reading("a1", 20.0, T0));
        assertEquals(1, scheduled.size());
        assertEquals(0, scheduled.get(0).delayNanos());
        runNext();

        // When another arrives 30 ms after that frame, and a third before it is sent
        now.addAndGet(Duration.ofMillis(30).toNanos());
        coalescer.accept(new Reading("a1", 21.0, T0 + 30));
        coalescer.accept(new Reading("a1", 22.0, T0 + 40));

        // Then one flush is scheduled, for the frame's time + interval (70 ms from now): never two per interval
        assertEquals(1, scheduled.size());
        assertEquals(Duration.ofMillis(70).toNanos(), scheduled.get(0).delayNanos());
        now.addAndGet(Duration.ofMillis(70).toNanos());
        runNext();
        assertEquals(List.of(new LiveEntry("a1", 22.0, T0 + 40, 2)), frames.get(1));

        // And a reading arriving more than an interval after the last frame goes out at once again
        now.addAndGet(Duration.ofMillis(250).toNanos());
        coalescer.accept(new Reading("a1", 23.0, T0 + 400));
        assertEquals(0, scheduled.get(0).delayNanos());
    }

    @Test
    void a_cleared_coalescer_sends_nothing_of_what_it_held() {
        // Given a pending reading
        coalescer.accept(new Reading("a1", 20.0, T0));

        // When nobody watches any more, before the frame goes out
        coalescer.clear();
        runNext();

        // Then no frame is sent
        assertTrue(frames.isEmpty(), "frames: " + frames);
    }

    private void runNext() {
        assertEquals(1, scheduled.size(), "one flush scheduled");
        scheduled.remove(0).task().run();
    }
}
