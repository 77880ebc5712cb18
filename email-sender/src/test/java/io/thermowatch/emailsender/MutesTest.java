package io.thermowatch.emailsender;

import static io.thermowatch.emailsender.Notification.Kind.FIRING;
import static io.thermowatch.emailsender.Notification.Kind.REMINDER;
import static io.thermowatch.emailsender.Notification.Kind.RESOLVED;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Silences and acknowledgements: matching and expiry (pure), and what the engine then mails and records. */
class MutesTest {

    private static final Instant START = Instant.parse("2026-12-01T12:00:00Z");
    private static final String S = "rack_a1";

    private final TwoClocks clock = new TwoClocks(START);
    private final AlertEngine engine = clock.engine(AlertRules.defaults());
    private final List<AlertEvent> muted = new ArrayList<>();
    private long stamp = START.toEpochMilli();

    MutesTest() {
        engine.onMuted(muted::addAll);
    }

    private List<Notification> reading(double value) {
        stamp += 60_000;
        clock.advance(Duration.ofMinutes(1));
        return engine.onReading(S, value, stamp);
    }

    private static Mutes.Silence silence(String glob, Instant from, Instant to) {
        return new Mutes.Silence(7, new SensorSelector(List.of(glob), Map.of()), from, to, "alice");
    }

    @Test
    void a_silence_mutes_from_its_start_inclusive_to_its_end_exclusive() {
        // Given
        Mutes.Silence s = silence("rack_*", START, START.plusSeconds(60));
        // Then
        assertTrue(s.mutes(S, Map.of(), START));
        assertTrue(s.mutes(S, Map.of(), START.plusSeconds(59)));
        assertTrue(!s.mutes(S, Map.of(), START.minusMillis(1)));
        assertTrue(!s.mutes(S, Map.of(), START.plusSeconds(60)));
        assertTrue(!s.mutes("duct_1", Map.of(), START.plusSeconds(1)));
    }

    @Test
    void a_silence_by_label_mutes_only_sensors_with_that_label() {
        // Given
        Mutes.Silence s = new Mutes.Silence(
                1, new SensorSelector(List.of(), Map.of("rack", "A1")), START, START.plusSeconds(60), "bob");
        // Then
        assertTrue(s.mutes("anything", Map.of("rack", "A1", "room", "hall-a"), START));
        assertTrue(!s.mutes("anything", Map.of("rack", "B1"), START));
        assertTrue(!s.mutes("anything", Map.of(), START));
    }

    @Test
    void an_acknowledgement_counts_only_for_the_episode_it_was_given_in() {
        // Given an acknowledgement at START + 10 s
        Mutes mutes = new Mutes(
                List.of(),
                Map.of(new Mutes.AlertKey(S, "default"), new Mutes.Acknowledgement(START.plusSeconds(10), "carol")));
        // Then it is for an alert firing since START, not for one that began firing again later
        assertTrue(mutes.acknowledgementOf(S, "default", START).isPresent());
        assertTrue(mutes.acknowledgementOf(S, "default", START.plusSeconds(11)).isEmpty());
        assertTrue(mutes.acknowledgementOf(S, "other", START).isEmpty());
        assertTrue(mutes.acknowledgementOf(S, "default", null).isEmpty());
    }

    @Test
    void a_silenced_firing_is_recorded_not_mailed_and_mails_go_out_again_once_the_silence_ended() {
        // Given a silence of 5 minutes
        engine.useMutes(new Mutes(List.of(silence("rack_*", START, START.plusSeconds(300))), Map.of()));
        // When the sensor fires within it
        List<Notification> during = reading(30);
        // Then nothing to mail; the FIRING is recorded as silenced by alice
        assertEquals(List.of(), during);
        assertEquals(1, muted.size());
        assertEquals("FIRING", muted.get(0).kind());
        assertEquals(7L, muted.get(0).silenceId());
        assertEquals("alice", muted.get(0).silencedBy());
        // When it ends (wall clock past ends_at) and the sensor resolves
        for (int i = 0; i < 5; i++) {
            reading(30);
        }
        List<Notification> after = reading(20);
        // Then the RESOLVED is mailed
        assertEquals(List.of(RESOLVED), after.stream().map(Notification::kind).toList());
    }

    @Test
    void an_acknowledgement_stops_reminders_until_the_alert_resolves() {
        // Given a firing alert, acknowledged after it began
        assertEquals(
                List.of(FIRING), reading(30).stream().map(Notification::kind).toList());
        engine.useMutes(new Mutes(
                List.of(),
                Map.of(new Mutes.AlertKey(S, "default"), new Mutes.Acknowledgement(clock.instant(), "carol"))));
        // When it stays hot for 2 h 10 min (reminders due every hour)
        List<Notification> mailed = new ArrayList<>();
        for (int i = 0; i < 130; i++) {
            mailed.addAll(reading(30));
        }
        // Then no reminder is mailed; both are recorded as acknowledged by carol
        assertEquals(List.of(), mailed);
        assertEquals(
                List.of(REMINDER.name(), REMINDER.name()),
                muted.stream().map(AlertEvent::kind).toList());
        assertEquals("carol", muted.get(0).acknowledgedBy());
        // When it resolves and fires again: the old acknowledgement does not cover the new episode
        assertEquals(
                List.of(RESOLVED), reading(20).stream().map(Notification::kind).toList());
        assertEquals(
                List.of(FIRING), reading(30).stream().map(Notification::kind).toList());
        List<Notification> later = new ArrayList<>();
        for (int i = 0; i < 61; i++) {
            later.addAll(reading(30));
        }
        assertEquals(List.of(REMINDER), later.stream().map(Notification::kind).toList());
    }
}
