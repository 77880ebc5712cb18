package io.thermowatch.emailsender;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What keeps alert mails from going out, as last read from the database ({@link MutesReader}): the silences that
 * have not ended and the latest acknowledgement of each (sensor, rule). Immutable; pure. A silence is judged against
 * the time of each notification, so one ends on time even while the database cannot be read.
 *
 * @param silences        silences whose end was still ahead when read
 * @param acknowledgements the latest acknowledgement per sensor and rule
 */
record Mutes(List<Silence> silences, Map<AlertKey, Acknowledgement> acknowledgements) {

    static final Mutes NONE = new Mutes(List.of(), Map.of());

    Mutes {
        silences = List.copyOf(silences);
        acknowledgements = Map.copyOf(acknowledgements);
    }

    /** One alert of one sensor: the sensor and the rule's name. */
    record AlertKey(String sensor, String rule) {}

    /**
     * A time-boxed silence: notifications about a sensor it selects (glob on the id, or a label of the inventory)
     * from {@code startsAt} (inclusive) to {@code endsAt} (exclusive) are recorded, not mailed.
     */
    record Silence(long id, SensorSelector selector, Instant startsAt, Instant endsAt, String createdBy) {

        boolean mutes(String sensorId, Map<String, String> labels, Instant at) {
            return !at.isBefore(startsAt) && at.isBefore(endsAt) && selector.selects(sensorId, labels);
        }
    }

    /** An operator acknowledged a firing alert at {@code at}. */
    record Acknowledgement(Instant at, String by) {}

    /** The first silence that mutes a notification about this sensor at {@code at}. */
    Optional<Silence> silenceFor(String sensorId, Map<String, String> labels, Instant at) {
        for (Silence s : silences) {
            if (s.mutes(sensorId, labels, at)) {
                return Optional.of(s);
            }
        }
        return Optional.empty();
    }

    /**
     * The acknowledgement of the alert that has been firing since {@code firingSince}: one given at or after that
     * moment. An older one was for an earlier episode of the same alert, which resolved since.
     */
    Optional<Acknowledgement> acknowledgementOf(String sensorId, String rule, Instant firingSince) {
        if (firingSince == null) {
            return Optional.empty();
        }
        Acknowledgement ack = acknowledgements.get(new AlertKey(sensorId, rule));
        return ack != null && !ack.at().isBefore(firingSince) ? Optional.of(ack) : Optional.empty();
    }
}
