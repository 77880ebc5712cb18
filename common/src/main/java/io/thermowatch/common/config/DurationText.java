package io.thermowatch.common.config;

import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one way a person writes a duration, in configuration and in the dashboard's API alike: a bare number means
 * seconds (fractions allowed, {@code 0.5} = 500 ms), or a number with a unit: {@code 250ms}, {@code 30s},
 * {@code 5m}, {@code 1h}, {@code 1d}.
 */
public final class DurationText {

    /** What callers put in their error message after "expected". */
    public static final String EXPECTED =
            "a duration: seconds (e.g. 60 or 0.5) or a number with ms, s, m, h or d (e.g. 250ms, 5m)";

    // Bounded digits: nothing a person writes is longer, and the product below stays a finite double.
    private static final Pattern DURATION = Pattern.compile("(\\d{1,12}(?:\\.\\d{1,9})?)\\s*(ms|s|m|h|d)?");

    private DurationText() {}

    /**
     * {@code duration} as a person writes it, in the largest unit that states it exactly: {@code 10ms}, {@code 30s},
     * {@code 5m}, {@code 1h}, {@code 36500d}; {@link #parse} reads it back. Below a millisecond is cut off.
     */
    public static String format(Duration duration) {
        long millis = duration.toMillis();
        if (millis == 0) {
            return "0s";
        }
        if (millis % 86_400_000 == 0) {
            return millis / 86_400_000 + "d";
        }
        if (millis % 3_600_000 == 0) {
            return millis / 3_600_000 + "h";
        }
        if (millis % 60_000 == 0) {
            return millis / 60_000 + "m";
        }
        if (millis % 1_000 == 0) {
            return millis / 1_000 + "s";
        }
        return millis + "ms";
    }

    /** The duration {@code text} says, or empty when it is not one (negative values never are). */
    public static Optional<Duration> parse(String text) {
        Matcher m = DURATION.matcher(text.trim().toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            return Optional.empty();
        }
        double amount = Double.parseDouble(m.group(1));
        String unit = m.group(2) == null ? "s" : m.group(2);
        double millis = switch (unit) {
            case "ms" -> amount;
            case "s" -> amount * 1_000;
            case "m" -> amount * 60_000;
            case "h" -> amount * 3_600_000;
            default -> amount * 86_400_000;
        };
        return Optional.of(Duration.ofMillis(Math.round(millis)));
    }
}
