package io.thermowatch.emailsender;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What the recipients were last told about each known sensor: FIRING (and when), OFFLINE, or NORMAL (known,
 * nothing to report; a sensor seen for the first time is added as NORMAL so that it is expected to keep talking
 * after a restart). Alert states change only from notifications SMTP accepted, so restoring it never hides an
 * alert that was not mailed: the messages behind an unmailed alert are still unacknowledged and are evaluated
 * again after a restart. Thread safe.
 */
final class MailedState {

    /** One sensor's mailed state. */
    record Entry(SensorAlert.State state, Instant since) {
    }

    private final Map<String, Entry> entries = new TreeMap<>();

    synchronized void apply(List<Notification> mailed) {
        for (Notification n : mailed) {
            SensorAlert.State state = switch (n.kind()) {
                case FIRING, REMINDER -> SensorAlert.State.FIRING;
                case OFFLINE -> SensorAlert.State.OFFLINE;
                case RESOLVED, BACK_ONLINE -> SensorAlert.State.NORMAL;
            };
            entries.put(n.sensorId(), new Entry(state, n.detectedAt()));
        }
    }

    /** Adds a sensor seen for the first time as NORMAL; @return true if it was not known */
    synchronized boolean markKnown(String sensorId, Instant now) {
        return entries.putIfAbsent(sensorId, new Entry(SensorAlert.State.NORMAL, now)) == null;
    }

    synchronized Map<String, Entry> entries() {
        return Map.copyOf(entries);
    }

    synchronized long count(SensorAlert.State state) {
        return entries.values().stream().filter(e -> e.state() == state).count();
    }

    /** One line per sensor: {@code <sensorId> <NORMAL|FIRING|OFFLINE> <epochMillis>}. */
    synchronized List<String> toLines() {
        List<String> lines = new ArrayList<>(entries.size());
        entries.forEach((id, e) -> lines.add(id + " " + e.state() + " " + e.since().toEpochMilli()));
        return lines;
    }

    /** Parses {@link #toLines}; damaged lines are skipped. */
    static MailedState fromLines(List<String> lines) {
        MailedState state = new MailedState();
        for (String line : lines) {
            String[] f = line.trim().split(" ");
            if (f.length != 3) {
                continue;
            }
            try {
                SensorAlert.State s = SensorAlert.State.valueOf(f[1]);
                if (s != SensorAlert.State.UNKNOWN) {
                    state.entries.put(f[0], new Entry(s, Instant.ofEpochMilli(Long.parseLong(f[2]))));
                }
            } catch (IllegalArgumentException e) {
                // skip a damaged line: that sensor starts UNKNOWN, as without a state file
            }
        }
        return state;
    }
}
