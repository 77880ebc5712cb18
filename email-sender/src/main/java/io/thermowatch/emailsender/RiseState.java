package io.thermowatch.emailsender;

import static io.thermowatch.emailsender.MailComposer.celsius;
import static io.thermowatch.emailsender.MailComposer.human;

/**
 * One sensor under one {@link RiseRule}: recent lows and the alert level. The rise is the value minus the lowest
 * value of the last {@code within}; it fires at {@code by} and resolves at {@code clear} or less. Not thread safe:
 * {@link AlertEngine} serialises calls.
 *
 * <p>Time is arrival time on the monotonic clock, like every other rule, with one guard: a pair of readings counts
 * only if their stamps are also at most {@code within} apart, so a backlog delivered in a burst (after an SMTP outage
 * or a restart: readings of half an hour arriving in seconds) is not taken for a fast rise. A stale reading may fire
 * but never resolves.
 *
 * <p>Bounded: lows are kept per slot of {@code within / 20} (at most 21 slots per sensor), so the window is
 * measured within 5 % whatever the reading rate.
 */
final class RiseState {

    static final int SLOTS = 20;
    private static final int CAPACITY = SLOTS + 1;

    private RiseRule rule;
    private Level level = Level.NORMAL;
    private long lastNoticeNanos;
    /** After a restore the window is empty: no resolution until it has been watched for {@code within}. */
    private boolean restored;

    private long restoredAtNanos;
    // A ring of slots, oldest at head: arrival time of the slot's first reading, its lowest value and that stamp.
    private final long[] slotStartNanos = new long[CAPACITY];
    private final double[] slotLow = new double[CAPACITY];
    private final long[] slotLowStampMillis = new long[CAPACITY];
    private int head;
    private int count;

    RiseState(RiseRule rule) {
        this.rule = rule;
    }

    RiseRule rule() {
        return rule;
    }

    Level level() {
        return level;
    }

    /** The same rule after a reload; a firing alert takes the rule's level without a mail. */
    void use(RiseRule changed) {
        this.rule = changed;
        if (level != Level.NORMAL) {
            level = changed.level();
        }
    }

    /** What the recipients were told before a restart: firing, mailed at {@code noticeNanos}. */
    void restore(long noticeNanos, long nowNanos) {
        level = rule.level();
        lastNoticeNanos = noticeNanos;
        restored = true;
        restoredAtNanos = nowNanos;
    }

    /** @return the mail this reading causes, or null */
    RuleOutcome evaluate(double value, long stampMillis, boolean stale, Now now) {
        record(value, stampMillis, now.nanos());
        double rise = riseTo(value, stampMillis, now.nanos());
        if (level == Level.NORMAL) {
            if (rise < rule.by()) {
                return null;
            }
            level = rule.level();
            lastNoticeNanos = now.nanos();
            return new RuleOutcome(Notification.Kind.FIRING, alert(level, null, rise));
        }
        if (rise <= rule.clear()) {
            if (stale || (restored && !now.isAtLeast(rule.within(), restoredAtNanos))) {
                return null;
            }
            restored = false;
            Level from = level;
            level = Level.NORMAL;
            return new RuleOutcome(Notification.Kind.RESOLVED, alert(Level.NORMAL, from, rise));
        }
        if (now.isAtLeast(rule.repeat(), lastNoticeNanos)) {
            lastNoticeNanos = now.nanos();
            return new RuleOutcome(Notification.Kind.REMINDER, alert(level, null, rise));
        }
        return null;
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
                        rule.name(), true, Level.NORMAL, from, "the rule no longer applies to this sensor", null));
    }

    private void record(double value, long stampMillis, long nanos) {
        long window = rule.within().toNanos();
        while (count > 0 && nanos - slotStartNanos[head] > window) {
            head = (head + 1) % CAPACITY;
            count--;
        }
        if (count > 0) {
            int last = (head + count - 1) % CAPACITY;
            if (nanos - slotStartNanos[last] < Math.max(1, window / SLOTS)) {
                if (value < slotLow[last]) {
                    slotLow[last] = value;
                    slotLowStampMillis[last] = stampMillis;
                }
                return;
            }
        }
        if (count == CAPACITY) {
            head = (head + 1) % CAPACITY;
            count--;
        }
        int at = (head + count) % CAPACITY;
        slotStartNanos[at] = nanos;
        slotLow[at] = value;
        slotLowStampMillis[at] = stampMillis;
        count++;
    }

    /** The value minus the lowest one within the window by both clocks (0 if none is lower). */
    private double riseTo(double value, long stampMillis, long nanos) {
        long windowNanos = rule.within().toNanos();
        long windowMillis = rule.within().toMillis();
        double low = value;
        for (int k = 0; k < count; k++) {
            int i = (head + k) % CAPACITY;
            if (nanos - slotStartNanos[i] <= windowNanos && stampMillis - slotLowStampMillis[i] <= windowMillis) {
                low = Math.min(low, slotLow[i]);
            }
        }
        return value - low;
    }

    private Notification.Alert alert(Level now, Level from, double rise) {
        return new Notification.Alert(
                rule.name(),
                true,
                now,
                from,
                rule.describe(),
                "up " + celsius(rise) + " within " + human(rule.within()));
    }
}
