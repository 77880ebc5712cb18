package io.thermowatch.common.inventory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WatchedFileTest {

    @TempDir
    Path dir;

    /** Records what the watch hands over; puts a text into force unless it says "bad". */
    private static final class Recorder implements WatchedFile.Listener {
        final List<String> changes = new ArrayList<>();
        final List<String> problems = new ArrayList<>();

        @Override
        public boolean changed(String text) {
            changes.add(text);
            return !text.contains("bad");
        }

        @Override
        public void unreadable(String problem) {
            problems.add(problem);
        }
    }

    /** Keeps the periodic task instead of running it, so a test runs one check when it wants. */
    private static final class ManualTimer extends ScheduledThreadPoolExecutor {
        Runnable task;
        long delayMillis;
        long periodMillis;

        ManualTimer() {
            super(1);
        }

        @Override
        public ScheduledFuture<?> scheduleWithFixedDelay(Runnable command, long initial, long delay, TimeUnit unit) {
            task = command;
            delayMillis = unit.toMillis(initial);
            periodMillis = unit.toMillis(delay);
            return null;
        }
    }

    private final Recorder recorder = new Recorder();

    private Path fileWith(String text) throws Exception {
        return Files.writeString(dir.resolve("alerts.yaml"), text);
    }

    @Test
    void the_text_read_at_start_is_not_handed_over_again_and_a_changed_one_is_once() throws Exception {
        // Given
        Path file = fileWith("a: 1\n");
        var watch = new WatchedFile("test", file, "a: 1\n", recorder);
        assertFalse(watch.check());
        // When
        Files.writeString(file, "a: 2\n");
        boolean first = watch.check();
        boolean second = watch.check();
        // Then
        assertTrue(first);
        assertFalse(second);
        assertEquals(List.of("a: 2\n"), recorder.changes);
    }

    @Test
    void a_change_of_the_same_size_within_the_same_timestamp_is_seen() throws Exception {
        // Given
        Path file = fileWith("a: 1\n");
        var stamp = Files.getLastModifiedTime(file);
        var watch = new WatchedFile("test", file, "a: 1\n", recorder);
        // When: one byte differs, size and modification time are those of before
        Files.writeString(file, "a: 2\n");
        Files.setLastModifiedTime(file, stamp);
        // Then
        assertTrue(watch.check());
        assertEquals(List.of("a: 2\n"), recorder.changes);
    }

    @Test
    void a_file_replaced_by_rename_is_read() throws Exception {
        // Given
        Path file = fileWith("a: 1\n");
        var watch = new WatchedFile("test", file, "a: 1\n", recorder);
        // When: written beside it, then moved over it, as editors and config map updates do
        Path next = Files.writeString(dir.resolve(".alerts.yaml.tmp"), "a: 3\n");
        Files.move(next, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        // Then
        assertTrue(watch.check());
        assertEquals(List.of("a: 3\n"), recorder.changes);
    }

    @Test
    void a_refused_text_is_handed_over_once_not_at_every_check() throws Exception {
        // Given
        Path file = fileWith("a: 1\n");
        var watch = new WatchedFile("test", file, "a: 1\n", recorder);
        // When
        Files.writeString(file, "bad\n");
        boolean first = watch.check();
        boolean second = watch.check();
        // Then
        assertFalse(first);
        assertFalse(second);
        assertEquals(List.of("bad\n"), recorder.changes);
    }

    @Test
    void a_missing_file_is_reported_once_and_read_as_new_when_it_is_back_even_unchanged() throws Exception {
        // Given
        Path file = fileWith("a: 1\n");
        var watch = new WatchedFile("test", file, "a: 1\n", recorder);
        // When
        Files.delete(file);
        boolean whileGone = watch.check();
        watch.check();
        Files.writeString(file, "a: 1\n");
        boolean back = watch.check();
        // Then
        assertFalse(whileGone);
        assertEquals(1, recorder.problems.size(), "one report per problem, not one per check");
        assertTrue(recorder.problems.get(0).startsWith("cannot be read"), recorder.problems.get(0));
        assertTrue(back);
        assertEquals(List.of("a: 1\n"), recorder.changes);
    }

    @Test
    void a_problem_that_comes_back_after_a_good_read_is_reported_again() throws Exception {
        // Given
        Path file = fileWith("a: 1\n");
        var watch = new WatchedFile("test", file, "a: 1\n", recorder);
        // When: gone, back, gone again
        Files.delete(file);
        watch.check();
        Files.writeString(file, "a: 2\n");
        watch.check();
        Files.delete(file);
        watch.check();
        // Then
        assertEquals(2, recorder.problems.size());
    }

    @Test
    void a_file_that_is_not_utf8_is_a_problem_not_a_change() throws Exception {
        // Given
        Path file = fileWith("a: 1\n");
        var watch = new WatchedFile("test", file, "a: 1\n", recorder);
        // When
        Files.write(file, new byte[] {'a', ':', ' ', (byte) 0xC3, '\n'});
        boolean changed = watch.check();
        // Then
        assertFalse(changed);
        assertEquals(List.of("not valid UTF-8"), recorder.problems);
        assertEquals(List.of(), recorder.changes);
    }

    @Test
    void the_schedule_checks_every_interval_and_goes_on_after_a_failing_listener() throws Exception {
        // Given: a listener that throws
        Path file = fileWith("a: 1\n");
        List<String> seen = new ArrayList<>();
        var watch = new WatchedFile("test", file, "a: 1\n", new WatchedFile.Listener() {
            @Override
            public boolean changed(String text) {
                seen.add(text);
                throw new IllegalStateException("listener bug");
            }

            @Override
            public void unreadable(String problem) {}
        });
        var timer = new ManualTimer();
        watch.schedule(timer, Duration.ofSeconds(5), UnaryOperator.identity());
        // When: two scheduled runs, the file changed before each
        Files.writeString(file, "a: 2\n");
        timer.task.run();
        Files.writeString(file, "a: 3\n");
        timer.task.run();
        // Then
        assertEquals(5000, timer.delayMillis);
        assertEquals(5000, timer.periodMillis);
        assertEquals(List.of("a: 2\n", "a: 3\n"), seen);
        // And closing stops the timer, twice without harm
        watch.close();
        watch.close();
        assertTrue(timer.isShutdown());
    }
}
