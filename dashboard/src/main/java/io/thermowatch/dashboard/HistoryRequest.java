package io.thermowatch.dashboard;

import io.thermowatch.common.config.DurationText;
import io.thermowatch.common.wire.Topics;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.util.regex.Pattern;

/**
 * A validated history request: {@code from} and {@code to} (ISO-8601 instants or epoch milliseconds; default the
 * last hour), {@code step} (seconds, or {@code 250ms}/{@code 30s}/{@code 5m}/{@code 1h}; default the range split in
 * {@value #DEFAULT_POINTS} buckets, at least one second).
 *
 * <p>Bounds: a range of at most {@link #MAX_RANGE}, a step of at least one second, at most {@value #MAX_POINTS}
 * buckets. Anything else throws {@link BadRequestException} naming the parameter.
 */
record HistoryRequest(String sensor, Instant from, Instant to, Duration step) {

    static final Duration DEFAULT_RANGE = Duration.ofHours(1);
    static final Duration MAX_RANGE = Duration.ofDays(31);
    static final int DEFAULT_POINTS = 360;
    static final int MAX_POINTS = 2000;
    private static final Pattern DIGITS = Pattern.compile("-?\\d{1,19}");

    long points() {
        var stepMillis = step.toMillis();
        return (Duration.between(from, to).toMillis() + stepMillis - 1) / stepMillis;
    }

    static HistoryRequest parse(String sensor, String fromParam, String toParam, String stepParam, Instant now) {
        if (!Topics.isValidSensorId(sensor)) {
            throw new BadRequestException("sensor id must match [A-Za-z0-9_-]{1,64}");
        }
        var to = isAbsent(toParam) ? now : instant("to", toParam);
        var from = isAbsent(fromParam) ? to.minus(DEFAULT_RANGE) : instant("from", fromParam);
        if (!from.isBefore(to)) {
            throw new BadRequestException("from must be before to");
        }
        var range = Duration.between(from, to);
        if (range.compareTo(MAX_RANGE) > 0) {
            throw new BadRequestException("range from..to must be at most " + MAX_RANGE.toDays() + " days");
        }
        var step = isAbsent(stepParam) ? defaultStep(range) : duration("step", stepParam);
        if (step.compareTo(Duration.ofSeconds(1)) < 0) {
            throw new BadRequestException("step must be at least 1s");
        }
        var request = new HistoryRequest(sensor, from, to, step);
        if (request.points() > MAX_POINTS) {
            throw new BadRequestException("step too small: " + request.points() + " buckets, at most " + MAX_POINTS
                    + " allowed (use step >= " + ceilDiv(range.toSeconds(), MAX_POINTS) + "s)");
        }
        return request;
    }

    private static Duration defaultStep(Duration range) {
        return Duration.ofSeconds(Math.max(1, ceilDiv(range.toSeconds(), DEFAULT_POINTS)));
    }

    private static long ceilDiv(long dividend, long divisor) {
        return (dividend + divisor - 1) / divisor;
    }

    private static boolean isAbsent(String param) {
        return param == null || param.isBlank();
    }

    private static Instant instant(String name, String value) {
        try {
            return DIGITS.matcher(value).matches() ? Instant.ofEpochMilli(Long.parseLong(value)) : Instant.parse(value);
        } catch (DateTimeException | NumberFormatException e) {
            throw new BadRequestException(
                    name + " must be an ISO-8601 instant (2026-11-27T10:00:00Z) or epoch milliseconds");
        }
    }

    private static Duration duration(String name, String value) {
        return DurationText.parse(value)
                .orElseThrow(
                        () -> new BadRequestException(name + " must be seconds or a duration such as 30s, 5m, 1h"));
    }
}
