package io.thermowatch.testkit;

import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.function.Predicate;
import org.awaitility.core.ConditionTimeoutException;

/**
 * The testkit's waits for a condition: Awaitility polls a probe until its value is done, checking at once and then
 * every {@code interval}. A timeout is an {@link AssertionError} that says what the last probe still found wrong,
 * the contract the public {@code await…} methods document. An exception or error thrown by the probe ends the
 * wait at once (a process that exited is not worth waiting for).
 */
final class Waits {

    private Waits() {}

    /**
     * Returns the first value of {@code probe} that {@code done} accepts.
     *
     * @param stillWrong describes the last value probed (null if none answered yet) for the timeout's message
     * @throws AssertionError when {@code timeout} passes first: "{@code what} not within {@code timeout}: …"
     */
    static <T> T until(
            String what,
            Duration timeout,
            Duration interval,
            Callable<T> probe,
            Predicate<? super T> done,
            Function<? super T, String> stillWrong) {
        AtomicReference<T> last = new AtomicReference<>();
        try {
            return await(what)
                    .atMost(timeout)
                    .pollDelay(Duration.ZERO)
                    .pollInterval(interval)
                    .until(
                            () -> {
                                T value = probe.call();
                                last.set(value);
                                return value;
                            },
                            done);
        } catch (ConditionTimeoutException e) {
            throw new AssertionError(what + " not within " + timeout + ": " + stillWrong.apply(last.get()), e);
        }
    }

    /** Waits until {@code problem} answers null; its last answer names what was still wrong at the timeout. */
    static void untilNoProblem(String what, Duration timeout, Duration interval, Callable<String> problem) {
        until(
                what,
                timeout,
                interval,
                () -> {
                    String found = problem.call();
                    return found == null ? "" : found;
                },
                String::isEmpty,
                found -> found == null ? "no answer yet" : found);
    }
}
