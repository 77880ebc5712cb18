package io.thermowatch.common.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.StringJoiner;
import java.util.regex.Pattern;

/**
 * Typed access to environment variables, validated once at start.
 *
 * <p>Every getter returns the parsed value or the default when the variable is unset or blank, and throws
 * {@link ConfigException} with a one-line message naming the variable, the value and what was expected.
 * The values read are remembered so {@link #describe()} can log the effective configuration with secrets
 * masked. Not thread-safe: use it from {@code main} while wiring the service.
 */
public final class EnvConfig {

    private static final String MASK = "****";
    /** A duration written without a unit, which {@link DurationText} reads as seconds. */
    private static final Pattern BARE_NUMBER = Pattern.compile("[\\d.]+");

    private final Map<String, String> env;
    private final Map<String, String> effective = new LinkedHashMap<>();

    private EnvConfig(Map<String, String> env) {
        this.env = Map.copyOf(env);
    }

    /** Configuration backed by the given variables (tests pass a map). */
    public static EnvConfig of(Map<String, String> env) {
        return new EnvConfig(env);
    }

    /** Configuration backed by the process environment. */
    public static EnvConfig fromSystem() {
        return new EnvConfig(System.getenv());
    }

    /** The raw value if set and not blank. */
    public Optional<String> optionalString(String name) {
        String raw = env.get(name);
        if (raw == null || raw.isBlank()) {
            return Optional.empty();
        }
        String value = raw.trim();
        effective.put(name, value);
        return Optional.of(value);
    }

    /** The value, or {@code defaultValue} when unset or blank. */
    public String string(String name, String defaultValue) {
        return optionalString(name).orElseGet(() -> remember(name, defaultValue));
    }

    /** The value; unset or blank is an error. */
    public String requiredString(String name) {
        return optionalString(name).orElseThrow(() -> ConfigException.invalid(name, "", "a non-empty value"));
    }

    /** Like {@link #requiredString} but masked in {@link #describe()}. */
    public String requiredSecret(String name) {
        String value = requiredString(name);
        effective.put(name, MASK);
        return value;
    }

    /** Like {@link #string} but masked in {@link #describe()}. */
    public String secret(String name, String defaultValue) {
        String value = string(name, defaultValue);
        effective.put(name, MASK);
        return value;
    }

    /** An integer in {@code [min, max]}. */
    public int integer(String name, int defaultValue, int min, int max) {
        Optional<String> raw = optionalString(name);
        if (raw.isEmpty()) {
            remember(name, Integer.toString(defaultValue));
            return defaultValue;
        }
        String expected = "an integer between " + min + " and " + max;
        try {
            int value = Integer.parseInt(raw.get());
            if (value < min || value > max) {
                throw ConfigException.invalid(name, raw.get(), expected);
            }
            return value;
        } catch (NumberFormatException e) {
            throw ConfigException.invalid(name, raw.get(), expected);
        }
    }

    /** A TCP port, 0..65535 (0 lets the system pick a free one). */
    public int port(String name, int defaultValue) {
        return integer(name, defaultValue, 0, 65535);
    }

    /**
     * A finite number in {@code [min, max]}.
     *
     * @param unit what the number measures, shown in the error, e.g. {@code °C}
     */
    public double decimal(String name, double defaultValue, double min, double max, String unit) {
        Optional<String> raw = optionalString(name);
        if (raw.isEmpty()) {
            remember(name, Double.toString(defaultValue));
            return defaultValue;
        }
        String expected = "a number (" + unit + ") between " + min + " and " + max;
        try {
            double value = Double.parseDouble(raw.get());
            if (!Double.isFinite(value) || value < min || value > max) {
                throw ConfigException.invalid(name, raw.get(), expected);
            }
            return value;
        } catch (NumberFormatException e) {
            throw ConfigException.invalid(name, raw.get(), expected);
        }
    }

    /** A non-negative duration written as {@link DurationText} reads it. */
    public Duration duration(String name, Duration defaultValue) {
        Optional<String> raw = optionalString(name);
        if (raw.isEmpty()) {
            remember(name, defaultValue.toString());
            return defaultValue;
        }
        return DurationText.parse(raw.get())
                .orElseThrow(() -> ConfigException.invalid(name, raw.get(), DurationText.EXPECTED));
    }

    /** A positive duration, see {@link #duration}; zero is an error. */
    public Duration positiveDuration(String name, Duration defaultValue) {
        Duration value = duration(name, defaultValue);
        if (value.isZero()) {
            throw ConfigException.invalid(name, env.get(name), "a duration greater than zero");
        }
        return value;
    }

    /**
     * A duration from {@code min} to {@code max}, both included, see {@link #duration}. The message of a value
     * outside names the range as a person writes it ({@code a duration from 10ms to 10s}), and adds that a bare
     * number means seconds when the value is one: {@code 30} meant as 30 days is refused, not kept as 30 s.
     *
     * @throws IllegalArgumentException if {@code min} exceeds {@code max} or the default lies outside them (a
     *     mistake in the code, not in the configuration)
     */
    public Duration durationBetween(String name, Duration defaultValue, Duration min, Duration max) {
        if (min.compareTo(max) > 0 || defaultValue.compareTo(min) < 0 || defaultValue.compareTo(max) > 0) {
            throw new IllegalArgumentException(
                    name + ": default " + defaultValue + " is not within " + min + " to " + max);
        }
        Duration value = duration(name, defaultValue);
        if (value.compareTo(min) < 0 || value.compareTo(max) > 0) {
            String raw = env.get(name).trim();
            String expected = "a duration from " + DurationText.format(min) + " to " + DurationText.format(max);
            throw ConfigException.invalid(
                    name,
                    raw,
                    BARE_NUMBER.matcher(raw).matches() ? expected + " (a bare number means seconds)" : expected);
        }
        return value;
    }

    /** {@code true/false}, {@code yes/no}, {@code on/off} or {@code 1/0}. */
    public boolean bool(String name, boolean defaultValue) {
        Optional<String> raw = optionalString(name);
        if (raw.isEmpty()) {
            remember(name, Boolean.toString(defaultValue));
            return defaultValue;
        }
        return switch (raw.get().toLowerCase(Locale.ROOT)) {
            case "true", "yes", "on", "1" -> true;
            case "false", "no", "off", "0" -> false;
            default -> throw ConfigException.invalid(name, raw.get(), "true or false");
        };
    }

    /** A comma-separated list, items trimmed, empty items dropped; {@code defaultValue} is parsed the same way. */
    public List<String> list(String name, String defaultValue) {
        String raw = string(name, defaultValue);
        List<String> items = new ArrayList<>();
        Arrays.stream(raw.split(","))
                .map(String::trim)
                .filter(s -> !s.isEmpty())
                .forEach(items::add);
        return List.copyOf(items);
    }

    /** Fails with a one-line message for {@code name} when {@code valid} is false; for cross-field rules. */
    public static void check(boolean valid, String name, Object value, String expected) {
        if (!valid) {
            throw ConfigException.invalid(name, String.valueOf(value), expected);
        }
    }

    /** The effective configuration read so far, {@code NAME=value} pairs, secrets masked. */
    public String describe() {
        StringJoiner joiner = new StringJoiner(", ");
        effective.forEach((k, v) -> joiner.add(k + "=" + (isSecretName(k) ? MASK : v)));
        return joiner.toString();
    }

    private String remember(String name, String value) {
        effective.put(name, value);
        return value;
    }

    private static boolean isSecretName(String name) {
        return name.endsWith("PASS") || name.endsWith("PASSWORD") || name.endsWith("SECRET");
    }
}
