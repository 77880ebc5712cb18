package io.thermowatch.emailsender;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What the recipients were last told about each sensor: FIRING (and when) or OFFLINE; absent means normal.
 * Updated only from notifications SMTP accepted, so restoring it never hides an alert that was not mailed:
 * the messages behind an unmailed alert are still unacknowledged and are evaluated again after a restart.
 * Not thread safe (the dispatcher thread owns it).
 */
final class MailedState {

    /** One sensor's mailed state. */
    record Entry(SensorAlert.State state, Instant since) {
    }

    private final Map<String, Entry> entries = new TreeMap<>();

    void apply(List<Notification> mailed) {
        for (Notification n : mailed) {
            switch (n.kind()) {
                case FIRING, REMINDER -> entries.put(n.sensorId(), new Entry(SensorAlert.State.FIRING, n.detectedAt()));
                case OFFLINE -> entries.put(n.sensorId(), new Entry(SensorAlert.State.OFFLINE, n.detectedAt()));
                case RESOLVED, BACK_ONLINE -> entries.remove(n.sensorId());
            }
        }
    }

    Map<String, Entry> entries() {
        return Map.copyOf(entries);
    }

    /** One line per sensor: {@code <sensorId> <FIRING|OFFLINE> <epochMillis>}. */
    List<String> toLines() {
        List<String> lines = new ArrayList<>(entries.size());
        entries.forEach((id, e) -> lines.add(id + " " + e.state() + " " + e.since().toEpochMilli()));
        return lines;
    }

    /** Parses {@link #toLines}; malformed lines are skipped and counted in the return value's absence. */
    static MailedState fromLines(List<String> lines) {
        MailedState state = new MailedState();
        for (String line : lines) {
            String[] f = line.trim().split(" ");
            if (f.length != 3) {
                continue;
            }
            try {
                SensorAlert.State s = SensorAlert.State.valueOf(f[1]);
                if (s == SensorAlert.State.FIRING || s == SensorAlert.State.OFFLINE) {
                    state.entries.put(f[0], new Entry(s, Instant.ofEpochMilli(Long.parseLong(f[2]))));
                }
            } catch (IllegalArgumentException e) {
                // skip a damaged line: that sensor starts UNKNOWN, as without a state file
            }
        }
        return state;
    }
}
