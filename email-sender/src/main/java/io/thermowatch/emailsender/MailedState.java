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
    record Entry(SensorAlert.State state, Instant since) {}

    private final Map<String, Entry> entries = new TreeMap<>();

    synchronized void apply(List<Notification> mailed) {
        for (Notification n : mailed) {
            if (n.kind().isPipeline()) {
                continue; // not a sensor: the watchdog starts fresh and looks again
            }
            SensorAlert.State state = switch (n.kind()) {
                case FIRING, REMINDER -> SensorAlert.State.FIRING;
                case OFFLINE -> SensorAlert.State.OFFLINE;
                case RESOLVED, BACK_ONLINE -> SensorAlert.State.NORMAL;
                case PIPELINE_FIRING, PIPELINE_RESOLVED -> throw new AssertionError(n.kind());
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
        entries.forEach(
                (id, e) -> lines.add(id + " " + e.state() + " " + e.since().toEpochMilli()));
        return lines;
    }

    /** Forgets sensors the engine no longer tracks ({@code MAX_TRACKED_SENSORS}). */
    synchronized void forget(Iterable<String> sensorIds) {
        for (String id : sensorIds) {
            entries.remove(id);
        }
    }

    synchronized int size() {
        return entries.size();
    }

    /**
     * Parses {@link #toLines}; blank lines are allowed.
     *
     * @throws IllegalArgumentException naming the first damaged line: the file is not trusted at all then
     */
    static MailedState parse(List<String> lines) {
        MailedState state = new MailedState();
        int number = 0;
        for (String line : lines) {
            number++;
            if (line.isBlank()) {
                continue;
            }
            String[] f = line.trim().split(" ");
            try {
                if (f.length != 3 || !io.thermowatch.common.wire.Topics.isValidSensorId(f[0])) {
                    throw new IllegalArgumentException("not '<sensor> <state> <epoch ms>'");
                }
                SensorAlert.State s = SensorAlert.State.valueOf(f[1]);
                if (s == SensorAlert.State.UNKNOWN) {
                    throw new IllegalArgumentException("UNKNOWN is never written");
                }
                state.entries.put(f[0], new Entry(s, Instant.ofEpochMilli(Long.parseLong(f[2]))));
            } catch (IllegalArgumentException e) { // NumberFormatException and a bad enum name included
                throw new IllegalArgumentException("damaged at line " + number + " (" + e.getMessage() + ")");
            }
        }
        return state;
    }
}
