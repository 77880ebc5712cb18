package io.thermowatch.emailsender;

import static io.thermowatch.emailsender.MailComposer.celsius;
import static io.thermowatch.emailsender.MailComposer.human;

import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * Fires at WARNING and/or CRITICAL when a value stays above a level's threshold for that level's {@code for}
 * duration, and resolves (or steps down) when it falls to that level's clear threshold or below. Immutable.
 *
 * @param levels one or two thresholds, highest level first; validated by {@link RulesFile}
 */
record ThresholdRule(
        String name, SensorSelector selector, List<Threshold> levels, Duration repeat, List<String> recipients)
        implements AlertRule {

    /**
     * @param above       a value strictly above it counts toward this level (°C)
     * @param clear       at this level, a value at or below it leaves the level (°C); below {@code above}
     * @param forDuration how long values must stay above {@code above} before the level fires (YAML {@code for})
     */
    record Threshold(Level level, double above, double clear, Duration forDuration) {

        Threshold {
            Objects.requireNonNull(level, "level");
            Objects.requireNonNull(forDuration, "forDuration");
            if (level == Level.NORMAL || !(clear < above) || forDuration.isNegative()) {
                throw new IllegalArgumentException("invalid threshold " + level + " " + above + "/" + clear);
            }
        }

        String describe() {
            return "above " + celsius(above) + (forDuration.isZero() ? "" : " for " + human(forDuration))
                    + ", clears at or below " + celsius(clear);
        }
    }

    ThresholdRule {
        levels = levels.stream()
                .sorted(Comparator.comparing(Threshold::level).reversed())
                .toList();
        recipients = List.copyOf(recipients);
        if (levels.isEmpty()) {
            throw new IllegalArgumentException("a threshold rule needs a level");
        }
    }

    /** The environment's rule: CRITICAL above {@code TEMPERATURE_THRESHOLD}, for every sensor, to {@code EMAIL_TO}. */
    static ThresholdRule fromEnv(AlertRules env) {
        return new ThresholdRule(
                "default",
                SensorSelector.ALL,
                List.of(new Threshold(Level.CRITICAL, env.threshold(), env.clearThreshold(), Duration.ZERO)),
                env.repeatInterval(),
                List.of());
    }

    /** The highest level this rule has: what an old state file's FIRING (one level only) meant. */
    Level topLevel() {
        return levels.get(0).level();
    }

    Threshold threshold(Level level) {
        for (Threshold t : levels) {
            if (t.level() == level) {
                return t;
            }
        }
        return null;
    }

    @Override
    public String describe() {
        return levels.stream()
                .map(t -> t.level().lowerCase() + " " + t.describe())
                .collect(Collectors.joining("; "));
    }
}
