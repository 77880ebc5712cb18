package io.thermowatch.dashboard;

import io.thermowatch.common.wire.Topics;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.util.regex.Pattern;

/**
 * One sensor's readings with {@code from <= time < to}, as the history and the CSV export ask for them: a valid id,
 * {@code from} before {@code to}, at most {@link #MAX_RANGE} apart. Anything else throws {@link BadRequestException}
 * naming the parameter.
 */
record SensorSpan(String sensor, Instant from, Instant to) {

    static final Duration MAX_RANGE = Duration.ofDays(31);
    private static final Pattern DIGITS = Pattern.compile("-?\\d{1,19}");

    Duration length() {
        return Duration.between(from, to);
    }

    /**
     * @param fromParam     ISO-8601 instant or epoch milliseconds; absent: {@code to} minus {@code defaultLength}
     * @param toParam       the same; absent: {@code now}
     */
    static SensorSpan parse(String sensor, String fromParam, String toParam, Duration defaultLength, Instant now) {
        if (!Topics.isValidSensorId(sensor)) {
            throw new BadRequestException("sensor id must match [A-Za-z0-9_-]{1,64}");
        }
        var to = isAbsent(toParam) ? now : instant("to", toParam);
        var from = isAbsent(fromParam) ? to.minus(defaultLength) : instant("from", fromParam);
        if (!from.isBefore(to)) {
            throw new BadRequestException("from must be before to");
        }
        if (Duration.between(from, to).compareTo(MAX_RANGE) > 0) {
            throw new BadRequestException("range from..to must be at most " + MAX_RANGE.toDays() + " days");
        }
        return new SensorSpan(sensor, from, to);
    }

    static boolean isAbsent(String param) {
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
}
