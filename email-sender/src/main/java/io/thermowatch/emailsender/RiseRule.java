package io.thermowatch.emailsender;

import static io.thermowatch.emailsender.MailComposer.celsius;
import static io.thermowatch.emailsender.MailComposer.human;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Rate of rise: fires at {@code level} when a value is at least {@code by} above the lowest value of the last
 * {@code within} (the early sign of a cooling failure, long before a threshold is crossed), and resolves when the
 * rise over that window has fallen to {@code clear} or less. Immutable.
 *
 * @param by    rise that fires (°C, positive)
 * @param clear rise at or below which the alert resolves (°C, below {@code by}; default half of it)
 */
record RiseRule(
        String name,
        SensorSelector selector,
        Level level,
        double by,
        double clear,
        Duration within,
        Duration repeat,
        List<String> recipients)
        implements AlertRule {

    RiseRule {
        Objects.requireNonNull(level, "level");
        recipients = List.copyOf(recipients);
        if (level == Level.NORMAL || !(by > 0) || !(clear < by) || within.isNegative() || within.isZero()) {
            throw new IllegalArgumentException("invalid rise rule " + name);
        }
    }

    @Override
    public String describe() {
        return level.lowerCase() + " on a rise of " + celsius(by) + " within " + human(within) + ", clears at "
                + celsius(clear) + " or less";
    }
}
