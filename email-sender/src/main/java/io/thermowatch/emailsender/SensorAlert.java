package io.thermowatch.emailsender;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The alert state machine of one sensor. Not thread safe: {@link AlertEngine} serialises calls.
 *
 * <pre>
 *  UNKNOWN ──value &gt; threshold──► FIRING ──value &lt;= clear──► NORMAL ──value &gt; threshold──► FIRING
 *     │ value &lt;= threshold          │ still hot after repeatInterval: REMINDER (stays FIRING)
 *     ▼                              │
 *   NORMAL          any state ──status offline / silent for offlineAfter──► OFFLINE
 *                   OFFLINE ──reading──► BACK_ONLINE, then NORMAL or FIRING by its value (UNKNOWN if stale and cool)
 *                   OFFLINE ──status online──► BACK_ONLINE, then UNKNOWN (temperature not known yet)
 * </pre>
 *
 * UNKNOWN is where every sensor starts, including after a restart of this service: a cool first
 * reading is silent (no RESOLVED, no BACK_ONLINE for every sensor at start), a hot one fires once.
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
    private State state = State.UNKNOWN;
    /** The stamp of the reading that arrived last: the next one is stale if not stamped after it. */
    private Instant previousStamp;
    /** The newest stamp seen: a broker redelivery stamped at or before it is a copy of a reading already evaluated. */
    private Instant newestStamp;
    /** Whether anything arrived from it since start (or it was restored); offline detection needs a start. */
    private boolean heard;
    /** Monotonic time when we last heard from the sensor (any reading or status online); drives offline detection. */
    private long lastSeenNanos;
    /** Monotonic time when FIRING or the last REMINDER was emitted. */
    private long lastFiringNoticeNanos;

    SensorAlert(String sensorId) {
        this.sensorId = sensorId;
    }

    State state() {
        return state;
    }

    /**
     * Starts from what the recipients were last told (state file): FIRING since {@code since}, OFFLINE or NORMAL.
     * Counts as heard from {@code now}, so a restart after a long stop does not mark every sensor offline
     * before the backlog is read. No stamp is restored: unacknowledged messages are evaluated again.
     */
    void restore(State mailed, Instant since, Now now) {
        state = mailed;
        // The file holds wall time; how long ago that was is the best estimate of the monotonic distance.
        long agoNanos = Math.max(0, Duration.between(since, now.wall()).toNanos());
        lastFiringNoticeNanos = now.nanos() - agoNanos;
        seen(now);
    }

    /**
     * Applies a reading in arrival order. The stamp is the sensor's claim: it never decides liveness (a reading that
     * arrives is proof of life) and never keeps a hot value from firing. A stale reading (stamped at or before the
     * one that arrived before it: reordered, or a clock stepped back) may fire but never resolves, so an old cool
     * value cannot roll a FIRING back; it is then the reference for the next reading, so one stale stamp never
     * suppresses what arrives after it.
     *
     * @param redelivered the broker's redelivered flag: such a reading stamped at or before the newest stamp seen
     *                    is the second copy of one already evaluated and only counts as heard from
     * @return the notifications it causes, empty when it changes nothing worth a mail
     */
    List<Notification> onReading(double value, Instant readingTime, boolean redelivered, Now now, AlertRules rules) {
        seen(now);
        if (redelivered && newestStamp != null && !readingTime.isAfter(newestStamp)) {
            return List.of();
        }
        boolean stale = previousStamp != null && !readingTime.isAfter(previousStamp);
        previousStamp = readingTime;
        if (newestStamp == null || readingTime.isAfter(newestStamp)) {
            newestStamp = readingTime;
        }
        boolean hot = value > rules.threshold();
        List<Notification> out = new ArrayList<>(2);
        switch (state) {
            case UNKNOWN, NORMAL -> {
                if (hot) {
                    transitionTo(State.FIRING, now);
                    out.add(withReading(Notification.Kind.FIRING, value, readingTime, now));
                } else if (!stale) {
                    transitionTo(State.NORMAL, now);
                }
            }
            case FIRING -> {
                if (value <= rules.clearThreshold()) {
                    if (!stale) {
                        transitionTo(State.NORMAL, now);
                        out.add(withReading(Notification.Kind.RESOLVED, value, readingTime, now));
                    }
                } else if (now.isAtLeast(rules.repeatInterval(), lastFiringNoticeNanos)) {
                    lastFiringNoticeNanos = now.nanos();
                    out.add(withReading(Notification.Kind.REMINDER, value, readingTime, now));
                }
            }
            case OFFLINE -> {
                out.add(withReading(Notification.Kind.BACK_ONLINE, value, readingTime, now));
                if (hot) {
                    transitionTo(State.FIRING, now);
                    out.add(withReading(Notification.Kind.FIRING, value, readingTime, now));
                } else {
                    // A stale cool value says nothing about the temperature now.
                    transitionTo(stale ? State.UNKNOWN : State.NORMAL, now);
                }
            }
        }
        return out;
    }

    /**
     * Applies a reading that arrives out of band, after the stream has moved on: a dead letter, given up on by the
     * broker and evaluated now. It is judged like a stale reading whatever its stamp (it may fire, never resolves),
     * and it is neither proof of life nor a reference for the stream: when the sensor was last heard from and the
     * stamps the next readings are judged by stay as they are. So a hot value fires a sensor that is not firing
     * (from OFFLINE too: the silence sweep marks it offline again if it stays silent); anything else changes
     * nothing.
     *
     * @return a FIRING notification, or nothing
     */
    List<Notification> onLateReading(double value, Instant readingTime, Now now, AlertRules rules) {
        if (state == State.FIRING || value <= rules.threshold()) {
            return List.of();
        }
        transitionTo(State.FIRING, now);
        return List.of(withReading(Notification.Kind.FIRING, value, readingTime, now));
    }

    /** Status {@code online}: proof of life; ends OFFLINE. */
    List<Notification> onOnline(Now now) {
        seen(now);
        if (state != State.OFFLINE) {
            return List.of();
        }
        transitionTo(State.UNKNOWN, now);
        return List.of(Notification.withoutReading(Notification.Kind.BACK_ONLINE, sensorId, now.wall()));
    }

    /** Status {@code offline} (graceful shutdown or the sensor's MQTT last will). */
    List<Notification> onOffline(Now now) {
        if (state == State.OFFLINE) {
            return List.of();
        }
        transitionTo(State.OFFLINE, now);
        return List.of(Notification.withoutReading(Notification.Kind.OFFLINE, sensorId, now.wall()));
    }

    /** Offline by silence: nothing heard for {@code offlineAfter} since the last reading or status online. */
    List<Notification> checkSilence(Now now, AlertRules rules) {
        if (state == State.OFFLINE || !heard || !now.isAtLeast(rules.offlineAfter(), lastSeenNanos)) {
            return List.of();
        }
        transitionTo(State.OFFLINE, now);
        return List.of(Notification.withoutReading(Notification.Kind.OFFLINE, sensorId, now.wall()));
    }

    /** Monotonic time of the last sign of life, for choosing whom to forget first. */
    long lastSeenNanos() {
        return lastSeenNanos;
    }

    private Notification withReading(Notification.Kind kind, double value, Instant readingTime, Now now) {
        return Notification.withReading(kind, sensorId, value, readingTime, now.wall());
    }

    private void seen(Now now) {
        heard = true;
        lastSeenNanos = now.nanos();
    }

    private void transitionTo(State next, Now now) {
        if (next == State.FIRING && state != State.FIRING) {
            lastFiringNoticeNanos = now.nanos();
        }
        state = next;
    }
}
