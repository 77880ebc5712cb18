package io.thermowatch.emailsender;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the recipients were last told about each known sensor: FIRING (and when, with each firing rule's level),
 * OFFLINE, or NORMAL (known, nothing to report; a sensor seen for the first time is added as NORMAL so that it is
 * expected to keep talking after a restart). Alert states change only from notifications SMTP accepted, so
 * restoring it never hides an alert that was not mailed: the messages behind an unmailed alert are still
 * unacknowledged and are evaluated again after a restart. Thread safe.
 */
final class MailedState {

    /**
     * One sensor's mailed state.
     *
     * @param rules the level last mailed per firing rule, by rule name; empty in a file written before levels
     *              existed (its FIRING then means the one threshold rule's highest level)
     */
    record Entry(SensorAlert.State state, Instant since, Map<String, Mark> rules) {

        Entry {
            rules = Collections.unmodifiableMap(new TreeMap<>(rules));
        }

        Entry(SensorAlert.State state, Instant since) {
            this(state, since, Map.of());
        }
    }

    /** A firing rule's level, mailed at {@code since}. */
    record Mark(Level level, Instant since) {}

    private static final Pattern MARK = Pattern.compile("([A-Za-z0-9_.-]{1,64})=(WARNING|CRITICAL)@(-?\\d{1,19})");

    private final Map<String, Entry> entries = new TreeMap<>();

    synchronized void apply(List<Notification> mailed) {
        for (Notification n : mailed) {
            if (n.kind().isPipeline()) {
                continue; // not a sensor: the watchdog starts fresh and looks again
            }
            Entry before = entries.get(n.sensorId());
            Map<String, Mark> rules = new TreeMap<>(before == null ? Map.of() : before.rules());
            SensorAlert.State state = switch (n.kind()) {
                case FIRING, REMINDER -> {
                    if (n.alert() != null) {
                        rules.put(n.alert().rule(), new Mark(n.alert().level(), n.detectedAt()));
                    }
                    yield SensorAlert.State.FIRING;
                }
                case RESOLVED -> {
                    if (n.alert() != null) {
                        rules.remove(n.alert().rule());
                    } else {
                        rules.clear();
                    }
                    yield rules.isEmpty() ? SensorAlert.State.NORMAL : SensorAlert.State.FIRING;
                }
                case OFFLINE, BACK_ONLINE -> {
                    rules.clear();
                    yield n.kind() == Notification.Kind.OFFLINE ? SensorAlert.State.OFFLINE : SensorAlert.State.NORMAL;
                }
                case PIPELINE_FIRING, PIPELINE_RESOLVED -> throw new AssertionError(n.kind());
            };
            entries.put(n.sensorId(), new Entry(state, n.detectedAt(), rules));
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

    /**
     * One line per sensor: {@code <sensorId> <NORMAL|FIRING|OFFLINE> <epochMillis>}, then for each firing rule
     * {@code <rule>=<WARNING|CRITICAL>@<epochMillis>} (a file written before levels has none, and still loads).
     */
    synchronized List<String> toLines() {
        List<String> lines = new ArrayList<>(entries.size());
        entries.forEach((id, e) -> {
            StringBuilder line = new StringBuilder(id)
                    .append(' ')
                    .append(e.state())
                    .append(' ')
                    .append(e.since().toEpochMilli());
            e.rules()
                    .forEach((rule, mark) -> line.append(' ')
                            .append(rule)
                            .append('=')
                            .append(mark.level())
                            .append('@')
                            .append(mark.since().toEpochMilli()));
            lines.add(line.toString());
        });
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
                if (f.length < 3 || !io.thermowatch.common.wire.Topics.isValidSensorId(f[0])) {
                    throw new IllegalArgumentException(
                            "not '<sensor> <state> <epoch ms> [<rule>=<level>@<epoch ms>...]'");
                }
                SensorAlert.State s = SensorAlert.State.valueOf(f[1]);
                if (s == SensorAlert.State.UNKNOWN) {
                    throw new IllegalArgumentException("UNKNOWN is never written");
                }
                Map<String, Mark> rules = new TreeMap<>();
                for (int i = 3; i < f.length; i++) {
                    Matcher m = MARK.matcher(f[i]);
                    if (s != SensorAlert.State.FIRING || !m.matches()) {
                        throw new IllegalArgumentException("not '<rule>=<WARNING|CRITICAL>@<epoch ms>' after FIRING");
                    }
                    rules.put(
                            m.group(1),
                            new Mark(Level.valueOf(m.group(2)), Instant.ofEpochMilli(Long.parseLong(m.group(3)))));
                }
                state.entries.put(f[0], new Entry(s, Instant.ofEpochMilli(Long.parseLong(f[2])), rules));
            } catch (IllegalArgumentException e) { // NumberFormatException and a bad enum name included
                throw new IllegalArgumentException("damaged at line " + number + " (" + e.getMessage() + ")");
            }
        }
        return state;
    }
}
