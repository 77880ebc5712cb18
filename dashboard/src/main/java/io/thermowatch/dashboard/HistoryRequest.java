package io.thermowatch.dashboard;

import io.thermowatch.common.config.DurationText;
import java.time.Duration;
import java.time.Instant;

/**
 * A validated history request: {@code from} and {@code to} (ISO-8601 instants or epoch milliseconds; default the
 * last hour), {@code step} (seconds, or {@code 250ms}/{@code 30s}/{@code 5m}/{@code 1h}; default the range split in
 * {@value #DEFAULT_POINTS} buckets, at least one second); or {@code range}, one of the picker's {@link HistoryRange}s,
 * which sets both {@code from} ({@code to} minus its length) and {@code step}.
 *
 * <p>Bounds: a range of at most {@link SensorSpan#MAX_RANGE}, a step of at least one second, at most
 * {@value #MAX_POINTS} buckets. Anything else throws {@link BadRequestException} naming the parameter.
 */
record HistoryRequest(String sensor, Instant from, Instant to, Duration step) {

    static final Duration DEFAULT_RANGE = Duration.ofHours(1);
    static final int DEFAULT_POINTS = 360;
    static final int MAX_POINTS = 2000;

    long points() {
        var stepMillis = step.toMillis();
        return (Duration.between(from, to).toMillis() + stepMillis - 1) / stepMillis;
    }

    static HistoryRequest parse(String sensor, String fromParam, String toParam, String stepParam, Instant now) {
        return parse(sensor, fromParam, toParam, stepParam, null, now);
    }

    static HistoryRequest parse(
            String sensor, String fromParam, String toParam, String stepParam, String rangeParam, Instant now) {
        if (!SensorSpan.isAbsent(rangeParam)) {
            var range = HistoryRange.named(rangeParam)
                    .orElseThrow(() -> new BadRequestException("range must be one of " + HistoryRange.names()));
            if (!SensorSpan.isAbsent(fromParam) || !SensorSpan.isAbsent(stepParam)) {
                throw new BadRequestException("range sets from and step: leave them out (to is allowed)");
            }
            return checked(SensorSpan.parse(sensor, null, toParam, range.length(), now), range.step());
        }
        var span = SensorSpan.parse(sensor, fromParam, toParam, DEFAULT_RANGE, now);
        var step = SensorSpan.isAbsent(stepParam) ? defaultStep(span.length()) : duration("step", stepParam);
        return checked(span, step);
    }

    private static HistoryRequest checked(SensorSpan span, Duration step) {
        if (step.compareTo(Duration.ofSeconds(1)) < 0) {
            throw new BadRequestException("step must be at least 1s");
        }
        var request = new HistoryRequest(span.sensor(), span.from(), span.to(), step);
        if (request.points() > MAX_POINTS) {
            throw new BadRequestException("step too small: " + request.points() + " buckets, at most " + MAX_POINTS
                    + " allowed (use step >= " + ceilDiv(span.length().toSeconds(), MAX_POINTS) + "s)");
        }
        return request;
    }

    private static Duration defaultStep(Duration range) {
        return Duration.ofSeconds(Math.max(1, ceilDiv(range.toSeconds(), DEFAULT_POINTS)));
    }

    private static long ceilDiv(long dividend, long divisor) {
        return (dividend + divisor - 1) / divisor;
    }

    private static Duration duration(String name, String value) {
        return DurationText.parse(value)
                .orElseThrow(
                        () -> new BadRequestException(name + " must be seconds or a duration such as 30s, 5m, 1h"));
    }
}
