package io.thermowatch.emailsender;

/**
 * One sensor under one {@link ThresholdRule}: its level, the {@code for} timers of the levels it is not at yet, and
 * when it was last mailed. Durations run on the monotonic clock ({@link Now#nanos}). Not thread safe:
 * {@link AlertEngine} serialises calls.
 *
 * <p>Per reading, in arrival order: a level holds while the value is above its clear threshold once reached
 * (hysteresis), and is reached when the value has been above its threshold on every reading for its {@code for}
 * duration (measured from the first such reading). The highest level that holds is the new level. A stale reading
 * (see {@link SensorAlert#onReading}) may raise the level, never lower it, and never resets a {@code for} timer.
 */
final class ThresholdState {

    private ThresholdRule rule;
    private Level level = Level.NORMAL;
    /** Per level (by ordinal): whether, and since when, values have been above its threshold. */
    private final boolean[] pending = new boolean[Level.values().length];

    private final long[] pendingSinceNanos = new long[Level.values().length];
    /** Monotonic time of the last FIRING or REMINDER mail. */
    private long lastNoticeNanos;

    ThresholdState(ThresholdRule rule) {
        this.rule = rule;
    }

    ThresholdRule rule() {
        return rule;
    }

    Level level() {
        return level;
    }

    /** The same rule, perhaps with other thresholds, after a reload: the level is kept, the next reading decides. */
    void use(ThresholdRule changed) {
        this.rule = changed;
    }

    /** What the recipients were told before a restart: at {@code mailed} since {@code noticeNanos}. */
    void restore(Level mailed, long noticeNanos) {
        level = mailed;
        lastNoticeNanos = noticeNanos;
    }

    /** @return the mail this reading causes, or null */
    RuleOutcome evaluate(double value, boolean stale, Now now) {
        Level target = Level.NORMAL;
        for (ThresholdRule.Threshold t : rule.levels()) {
            int i = t.level().ordinal();
            boolean holds;
            if (!t.level().isAbove(level)) {
                holds = value > t.clear(); // reached already: hysteresis
                pending[i] = false;
            } else if (value > t.above()) {
                if (!pending[i]) {
                    pending[i] = true;
                    pendingSinceNanos[i] = now.nanos();
                }
                holds = now.isAtLeast(t.forDuration(), pendingSinceNanos[i]);
            } else {
                if (!stale) {
                    pending[i] = false; // one cool reading restarts the for duration
                }
                holds = false;
            }
            if (holds && t.level().isAbove(target)) {
                target = t.level();
            }
        }
        if (target == level) {
            if (level != Level.NORMAL && now.isAtLeast(rule.repeat(), lastNoticeNanos)) {
                lastNoticeNanos = now.nanos();
                return new RuleOutcome(Notification.Kind.REMINDER, alert(level, null));
            }
            return null;
        }
        if (stale && !target.isAbove(level)) {
            return null; // an old value says nothing about now: it never lowers a level
        }
        Level from = level;
        level = target;
        if (target == Level.NORMAL) {
            return new RuleOutcome(Notification.Kind.RESOLVED, alert(Level.NORMAL, from));
        }
        lastNoticeNanos = now.nanos();
        return new RuleOutcome(Notification.Kind.FIRING, alert(target, from == Level.NORMAL ? null : from));
    }

    /**
     * A reading evaluated out of band (a dead letter): it may only raise the level, to the highest one it is above
     * that has no {@code for} duration; it never lowers one, repeats one, or starts a {@code for} timer.
     *
     * @return the FIRING it causes, or null
     */
    RuleOutcome evaluateLate(double value, Now now) {
        Level target = level;
        for (ThresholdRule.Threshold t : rule.levels()) {
            if (t.forDuration().isZero() && value > t.above() && t.level().isAbove(target)) {
                target = t.level();
            }
        }
        if (target == level) {
            return null;
        }
        Level from = level;
        level = target;
        lastNoticeNanos = now.nanos();
        return new RuleOutcome(Notification.Kind.FIRING, alert(target, from == Level.NORMAL ? null : from));
    }

    /** The rule no longer applies to this sensor (rules reloaded): a firing alert ends, or null. */
    RuleOutcome end() {
        if (level == Level.NORMAL) {
            return null;
        }
        Level from = level;
        level = Level.NORMAL;
        return new RuleOutcome(
                Notification.Kind.RESOLVED,
                new Notification.Alert(
                        rule.name(), false, Level.NORMAL, from, "the rule no longer applies to this sensor", null));
    }

    private Notification.Alert alert(Level now, Level from) {
        ThresholdRule.Threshold t = rule.threshold(now == Level.NORMAL ? from : now);
        String condition = t == null ? rule.describe() : t.describe();
        return new Notification.Alert(rule.name(), false, now, from, condition, null);
    }
}
