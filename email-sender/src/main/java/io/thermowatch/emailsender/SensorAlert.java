package io.thermowatch.emailsender;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The alert state of one sensor: whether it is heard from, and its level under the rules that select it (the first
 * threshold rule and the first rise rule of the {@link RuleSet}, see {@link ThresholdState} and {@link RiseState}).
 * Not thread safe: {@link AlertEngine} serialises calls.
 *
 * <pre>
 *  UNKNOWN ──a rule fires──► FIRING ──every rule back to NORMAL──► NORMAL ──a rule fires──► FIRING
 *     │ cool reading                │ a rule still firing after its repeat interval: REMINDER (stays FIRING)
 *     ▼                             │ a rule changing level (WARNING ⇄ CRITICAL): FIRING with the new level
 *   NORMAL          any state ──status offline / silent for offlineAfter──► OFFLINE (every rule back to NORMAL)
 *                   OFFLINE ──reading──► BACK_ONLINE, then the reading is judged (UNKNOWN if stale and cool)
 *                   OFFLINE ──status online──► BACK_ONLINE, then UNKNOWN (temperature not known yet)
 * </pre>
 *
 * UNKNOWN is where every sensor starts, including after a restart of this service: a cool first reading is silent
 * (no RESOLVED, no BACK_ONLINE for every sensor at start), a hot one fires once. Without a rules file the only rule
 * is the environment's: CRITICAL above {@code TEMPERATURE_THRESHOLD}, as before levels existed.
 *
 * <p>Time rule: a reading's timestamp is the sensor's claim; liveness and evaluation follow arrival order on
 * this service's clock (see {@link #onReading}).
 */
final class SensorAlert {

    enum State {
        UNKNOWN,
        NORMAL,
        FIRING,
        OFFLINE
    }

    private final String sensorId;
    private boolean offline;
    /** Whether a reading that was not stale has been judged since start (or since it came back online). */
    private boolean known;
    /** The stamp of the reading that arrived last: the next one is stale if not stamped after it. */
    private Instant previousStamp;
    /** The newest stamp seen: a broker redelivery stamped at or before it is a copy of a reading already evaluated. */
    private Instant newestStamp;
    /** Whether anything arrived from it since start (or it was restored); offline detection needs a start. */
    private boolean heard;
    /** Monotonic time when we last heard from the sensor (any reading or status online); drives offline detection. */
    private long lastSeenNanos;

    private ThresholdState threshold;
    private RiseState rise;
    /** Who hears about it being offline or back: its threshold rule's recipients, else its rise rule's. */
    private List<String> recipients = List.of();

    private Map<String, String> labels = Map.of();
    /** Per rule name: when its alert began firing (wall clock), to tell which acknowledgements are for it. */
    private final Map<String, Instant> firingSince = new java.util.HashMap<>(2);

    SensorAlert(String sensorId) {
        this.sensorId = sensorId;
    }

    State state() {
        if (offline) {
            return State.OFFLINE;
        }
        if (isFiring(threshold == null ? Level.NORMAL : threshold.level())
                || isFiring(rise == null ? Level.NORMAL : rise.level())) {
            return State.FIRING;
        }
        return known ? State.NORMAL : State.UNKNOWN;
    }

    private static boolean isFiring(Level level) {
        return level != Level.NORMAL;
    }

    /**
     * Picks the rules that judge this sensor from now on. A rule kept by name keeps its level and timers (its new
     * thresholds apply from the next reading); a firing alert of a rule that no longer applies is RESOLVED.
     */
    List<Notification> bind(RuleSet rules, Now now) {
        List<Notification> out = new ArrayList<>(0);
        ThresholdRule t = rules.thresholdRuleFor(sensorId);
        RiseRule r = rules.riseRuleFor(sensorId);
        if (threshold != null && (t == null || !t.name().equals(threshold.rule().name()))) {
            add(out, threshold.end(), threshold.rule(), null, null, now);
            threshold = null;
        }
        if (rise != null && (r == null || !r.name().equals(rise.rule().name()))) {
            add(out, rise.end(), rise.rule(), null, null, now);
            rise = null;
        }
        if (t != null) {
            if (threshold == null) {
                threshold = new ThresholdState(t);
            } else {
                threshold.use(t);
            }
        }
        if (r != null) {
            if (rise == null) {
                rise = new RiseState(r);
            } else {
                rise.use(r);
            }
        }
        recipients = t != null ? t.recipients() : r != null ? r.recipients() : List.of();
        labels = rules.labelsOf(sensorId);
        return out;
    }

    /**
     * Starts from what the recipients were last told (state file): FIRING (per rule and level) since when, OFFLINE or
     * NORMAL. Counts as heard from {@code now}, so a restart after a long stop does not mark every sensor offline
     * before the backlog is read. No stamp is restored: unacknowledged messages are evaluated again. A FIRING written
     * before levels existed (no rule named) is the sensor's threshold rule at its highest level; a rule that no longer
     * exists or no longer selects the sensor is forgotten.
     */
    void restore(MailedState.Entry mailed, Now now) {
        seen(now);
        switch (mailed.state()) {
            case OFFLINE -> offline = true;
            case NORMAL, UNKNOWN -> known = mailed.state() == State.NORMAL;
            case FIRING -> {
                known = true;
                if (mailed.rules().isEmpty()) {
                    if (threshold != null) {
                        threshold.restore(threshold.rule().topLevel(), noticeNanos(mailed.since(), now));
                        firingSince.put(threshold.rule().name(), mailed.since());
                    }
                }
                mailed.rules().forEach((rule, mark) -> {
                    if (threshold != null && threshold.rule().name().equals(rule)) {
                        threshold.restore(mark.level(), noticeNanos(mark.since(), now));
                        firingSince.put(rule, mark.since());
                    } else if (rise != null && rise.rule().name().equals(rule)) {
                        rise.restore(noticeNanos(mark.since(), now), now.nanos());
                        firingSince.put(rule, mark.since());
                    }
                });
            }
        }
    }

    /** The file holds wall time; how long ago that was is the best estimate of the monotonic distance. */
    private static long noticeNanos(Instant since, Now now) {
        return now.nanos() - Math.max(0, Duration.between(since, now.wall()).toNanos());
    }

    /**
     * Applies a reading in arrival order. The stamp is the sensor's claim: it never decides liveness (a reading that
     * arrives is proof of life) and never keeps a hot value from firing. A stale reading (stamped at or before the
     * one that arrived before it: reordered, or a clock stepped back) may fire or raise a level but never lowers one
     * or resolves, so an old cool value cannot roll an alert back; it is then the reference for the next reading, so
     * one stale stamp never suppresses what arrives after it.
     *
     * @param redelivered the broker's redelivered flag: such a reading stamped at or before the newest stamp seen
     *                    is the second copy of one already evaluated and only counts as heard from
     * @return the notifications it causes, empty when it changes nothing worth a mail
     */
    List<Notification> onReading(double value, Instant readingTime, boolean redelivered, Now now) {
        seen(now);
        if (redelivered && newestStamp != null && !readingTime.isAfter(newestStamp)) {
            return List.of();
        }
        boolean stale = previousStamp != null && !readingTime.isAfter(previousStamp);
        previousStamp = readingTime;
        if (newestStamp == null || readingTime.isAfter(newestStamp)) {
            newestStamp = readingTime;
        }
        List<Notification> out = new ArrayList<>(2);
        if (offline) {
            offline = false;
            known = false; // a stale cool value says nothing about the temperature now
            out.add(sensorEvent(Notification.Kind.BACK_ONLINE, value, readingTime, now));
        }
        if (threshold != null) {
            add(out, threshold.evaluate(value, stale, now), threshold.rule(), value, readingTime, now);
        }
        if (rise != null) {
            add(
                    out,
                    rise.evaluate(value, readingTime.toEpochMilli(), stale, now),
                    rise.rule(),
                    value,
                    readingTime,
                    now);
        }
        if (!stale) {
            known = true;
        }
        return out;
    }

    /**
     * Applies a reading that arrives out of band, after the stream has moved on: a dead letter, given up on by the
     * broker and evaluated now. It is judged like a stale reading whatever its stamp (it may fire, never resolves),
     * and it is neither proof of life nor a reference for the stream: when the sensor was last heard from and the
     * stamps the next readings are judged by stay as they are. So a hot value fires (or raises) the sensor's threshold
     * rule at the highest level it reaches without a {@code for} duration (one reading cannot show a value lasted),
     * from OFFLINE too: it stays offline until it is heard from; anything else, and rise rules (a rise needs the
     * stream's timing), changes nothing.
     *
     * @return a FIRING notification, or nothing
     */
    List<Notification> onLateReading(double value, Instant readingTime, Now now) {
        List<Notification> out = new ArrayList<>(1);
        if (threshold != null) {
            add(out, threshold.evaluateLate(value, now), threshold.rule(), value, readingTime, now);
        }
        return out;
    }

    /** Status {@code online}: proof of life; ends OFFLINE. */
    List<Notification> onOnline(Now now) {
        seen(now);
        if (!offline) {
            return List.of();
        }
        offline = false;
        known = false;
        return List.of(sensorEvent(Notification.Kind.BACK_ONLINE, null, null, now));
    }

    /** Status {@code offline} (graceful shutdown or the sensor's MQTT last will). */
    List<Notification> onOffline(Now now) {
        if (offline) {
            return List.of();
        }
        goOffline();
        return List.of(sensorEvent(Notification.Kind.OFFLINE, null, null, now));
    }

    /** Offline by silence: nothing heard for {@code offlineAfter} since the last reading or status online. */
    List<Notification> checkSilence(Now now, Duration offlineAfter) {
        if (offline || !heard || !now.isAtLeast(offlineAfter, lastSeenNanos)) {
            return List.of();
        }
        goOffline();
        return List.of(sensorEvent(Notification.Kind.OFFLINE, null, null, now));
    }

    /** Monotonic time of the last sign of life, for choosing whom to forget first. */
    long lastSeenNanos() {
        return lastSeenNanos;
    }

    /** When the alert of {@code rule} began firing (wall clock), or null if it is not firing. */
    Instant firingSince(String rule) {
        return firingSince.get(rule);
    }

    /** Offline ends every alert without a RESOLVED: what comes back is judged afresh. */
    private void goOffline() {
        offline = true;
        firingSince.clear();
        if (threshold != null) {
            threshold = new ThresholdState(threshold.rule());
        }
        if (rise != null) {
            rise = new RiseState(rise.rule());
        }
    }

    private void add(
            List<Notification> out, RuleOutcome outcome, AlertRule rule, Double value, Instant readingTime, Now now) {
        if (outcome != null) {
            if (outcome.kind() == Notification.Kind.RESOLVED) {
                firingSince.remove(rule.name());
            } else if (outcome.kind() == Notification.Kind.FIRING
                    && outcome.alert().from() == null) {
                firingSince.put(rule.name(), now.wall());
            }
            out.add(new Notification(
                    outcome.kind(),
                    sensorId,
                    value,
                    readingTime,
                    now.wall(),
                    outcome.alert(),
                    rule.recipients(),
                    labels));
        }
    }

    private Notification sensorEvent(Notification.Kind kind, Double value, Instant readingTime, Now now) {
        return new Notification(kind, sensorId, value, readingTime, now.wall(), null, recipients, labels);
    }

    private void seen(Now now) {
        heard = true;
        lastSeenNanos = now.nanos();
    }
}
