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
