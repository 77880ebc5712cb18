package io.thermowatch.emailsender;

import static io.thermowatch.emailsender.Notification.Kind.BACK_ONLINE;
import static io.thermowatch.emailsender.Notification.Kind.FIRING;
import static io.thermowatch.emailsender.Notification.Kind.OFFLINE;
import static io.thermowatch.emailsender.Notification.Kind.REMINDER;
import static io.thermowatch.emailsender.Notification.Kind.RESOLVED;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class AlertEngineTest {

    private static final String S = "data_center_a1";
    private static final Instant START = Instant.parse("2026-11-27T12:00:00Z");

    private final TwoClocks clock = new TwoClocks(START);
    private final AlertEngine engine = clock.engine(AlertRules.defaults());
    private long sensorTime = START.toEpochMilli();

    /** One reading per "minute" of sensor time, ten seconds of our clock apart. */
    private List<Notification> reading(double value) {
        sensorTime += 10_000;
        clock.advance(Duration.ofSeconds(10));
        return engine.onReading(S, value, sensorTime);
    }

    private static List<Notification.Kind> kinds(List<Notification> ns) {
        return ns.stream().map(Notification::kind).toList();
    }

    @Test
    void hundred_readings_above_the_threshold_give_one_mail() {
        // Given
        List<Notification> all = new ArrayList<>();
        // When
        for (int i = 0; i < 100; i++) {
            all.addAll(reading(31.2));
        }
        // Then: 100 readings, 10 s apart = 1000 s < 1 h repeat interval
        assertEquals(List.of(FIRING), kinds(all));
        assertEquals(31.2, all.get(0).value());
        assertEquals(SensorAlert.State.FIRING, engine.stateOf(S));
    }

    @Test
    void values_oscillating_around_the_threshold_fire_once_and_do_not_resolve_above_the_clear_threshold() {
        // Given
        List<Notification> all = new ArrayList<>();
        // When
        for (int i = 0; i < 50; i++) {
            all.addAll(reading(i % 2 == 0 ? 25.4 : 24.6));
        }
        // Then
        assertEquals(List.of(FIRING), kinds(all));
        // And when it finally drops to the clear threshold
        assertEquals(List.of(RESOLVED), kinds(reading(24.0)));
        assertEquals(List.of(), reading(24.6));
        assertEquals(List.of(), reading(25.0)); // exactly the threshold is not above it
        assertEquals(List.of(FIRING), kinds(reading(25.1)));
    }

    @Test
    void resolved_is_sent_once_when_the_value_reaches_the_clear_threshold() {
        // Given
        reading(30);
        // When
        List<Notification> resolved = reading(23.0);
        List<Notification> after = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            after.addAll(reading(22.0));
        }
        // Then
        assertEquals(List.of(RESOLVED), kinds(resolved));
        assertEquals(23.0, resolved.get(0).value());
        assertEquals(List.of(), after);
        assertEquals(SensorAlert.State.NORMAL, engine.stateOf(S));
    }

    @Test
    void a_reminder_is_sent_once_per_repeat_interval_while_firing() {
        // Given
        reading(30);
        List<Notification> all = new ArrayList<>();
        // When: 2 h 10 min of hot readings every 10 s
        for (int i = 0; i < 6 * 130; i++) {
            all.addAll(reading(30));
        }
        // Then: reminders at +1 h and +2 h only
        assertEquals(List.of(REMINDER, REMINDER), kinds(all));
        Duration gap = Duration.between(all.get(0).detectedAt(), all.get(1).detectedAt());
        assertEquals(Duration.ofHours(1), gap);
        assertEquals(
                Duration.ofHours(1),
                Duration.between(START.plusSeconds(10), all.get(0).detectedAt()));
    }

    @Test
    void a_silent_sensor_goes_offline_once_and_the_next_reading_brings_it_back_online() {
        // Given
        reading(22);
        // When
        clock.advance(Duration.ofSeconds(119));
        List<Notification> early = engine.sweepSilentSensors();
        clock.advance(Duration.ofSeconds(1));
        List<Notification> offline = engine.sweepSilentSensors();
        clock.advance(Duration.ofMinutes(10));
        List<Notification> again = engine.sweepSilentSensors();
        List<Notification> back = reading(22);
        // Then
        assertEquals(List.of(), early);
        assertEquals(List.of(OFFLINE), kinds(offline));
        assertEquals(List.of(), again);
        assertEquals(List.of(BACK_ONLINE), kinds(back));
        assertEquals(SensorAlert.State.NORMAL, engine.stateOf(S));
    }

    @Test
    void no_sensor_goes_offline_by_silence_while_the_consumer_is_cut_from_the_broker() {
        // Given: a sensor heard from, then a broker cut three times longer than SENSOR_OFFLINE_AFTER
        reading(22);
        List<Notification> during = new ArrayList<>();
        // When
        for (int i = 0; i < 36; i++) {
            clock.advance(Duration.ofSeconds(10));
            during.addAll(engine.sweepSilentSensors(false));
        }
        clock.advance(Duration.ofSeconds(1));
        List<Notification> atResume = engine.sweepSilentSensors(true);
        clock.advance(Duration.ofSeconds(118));
        List<Notification> justBefore = engine.sweepSilentSensors(true);
        // Then: nothing during the cut, and a full offlineAfter from the resume before silence counts
        assertEquals(List.of(), during);
        assertEquals(List.of(), atResume);
        assertEquals(List.of(), justBefore);
        assertEquals(SensorAlert.State.NORMAL, engine.stateOf(S));
    }

    @Test
    void after_a_broker_cut_a_sensor_still_silent_a_full_offline_after_later_goes_offline_once() {
        // Given
        reading(22);
        clock.advance(Duration.ofMinutes(5));
        engine.sweepSilentSensors(false);
        engine.sweepSilentSensors(true); // consuming again: silence counts from here
        // When
        clock.advance(Duration.ofSeconds(119));
        List<Notification> early = engine.sweepSilentSensors(true);
        clock.advance(Duration.ofSeconds(1));
        List<Notification> offline = engine.sweepSilentSensors(true);
        List<Notification> again = engine.sweepSilentSensors(true);
        // Then
        assertEquals(List.of(), early);
        assertEquals(List.of(OFFLINE), kinds(offline));
        assertEquals(List.of(), again);
    }

    @Test
    void a_sensor_heard_after_the_resume_is_judged_by_its_own_silence() {
        // Given: a cut, then the sensor's backlog arrives right after the resume
        reading(22);
        clock.advance(Duration.ofMinutes(5));
        engine.sweepSilentSensors(false);
        engine.sweepSilentSensors(true);
        reading(22);
        // When
        clock.advance(Duration.ofSeconds(110));
        List<Notification> early = engine.sweepSilentSensors(true);
        clock.advance(Duration.ofSeconds(10));
        List<Notification> offline = engine.sweepSilentSensors(true);
        // Then: offline 2 minutes after its last reading (10 s after the resume), not before
        assertEquals(List.of(), early);
        assertEquals(List.of(OFFLINE), kinds(offline));
    }

    @Test
    void an_offline_status_counts_at_once_even_while_the_sweep_is_suspended() {
        // Given
        reading(22);
        engine.sweepSilentSensors(false);
        // When
        List<Notification> offline = engine.onOffline(S);
        // Then
        assertEquals(List.of(OFFLINE), kinds(offline));
    }

    @Test
    void status_offline_gives_one_offline_mail_and_status_online_gives_back_online() {
        // Given
        reading(22);
        // When
        List<Notification> offline = engine.onOffline(S);
        List<Notification> offlineAgain = engine.onOffline(S);
        clock.advance(Duration.ofMinutes(5));
        List<Notification> sweep = engine.sweepSilentSensors();
        List<Notification> online = engine.onOnline(S);
        List<Notification> firstReading = reading(22);
        // Then
        assertEquals(List.of(OFFLINE), kinds(offline));
        assertEquals(List.of(), offlineAgain);
        assertEquals(List.of(), sweep);
        assertEquals(List.of(BACK_ONLINE), kinds(online));
        assertEquals(List.of(), firstReading);
    }

    @Test
    void status_online_of_a_sensor_that_is_not_offline_changes_nothing() {
        // Given
        reading(30);
        // When
        List<Notification> online = engine.onOnline(S);
        // Then
        assertEquals(List.of(), online);
        assertEquals(SensorAlert.State.FIRING, engine.stateOf(S));
    }

    @Test
    void a_sensor_back_online_while_hot_mails_back_online_and_firing() {
        // Given
        reading(30);
        engine.onOffline(S);
        // When
        List<Notification> back = reading(31);
        // Then
        assertEquals(List.of(BACK_ONLINE, FIRING), kinds(back));
    }

    @Test
    void readings_of_zero_and_below_zero_are_handled_as_cold() {
        // Given
        List<Notification> first = reading(0);
        // When
        reading(26);
        List<Notification> resolved = reading(-12.5);
        List<Notification> more = new ArrayList<>();
        more.addAll(reading(0));
        more.addAll(reading(-273.15));
        // Then
        assertEquals(List.of(), first);
        assertEquals(List.of(RESOLVED), kinds(resolved));
        assertEquals(-12.5, resolved.get(0).value());
        assertEquals(List.of(), more);
    }

    @Test
    void a_reading_stamped_in_the_future_does_not_suppress_the_hot_readings_after_it() {
        // Given: the reproduction, one cool reading stamped four minutes ahead
        long ahead = sensorTime + Duration.ofMinutes(4).toMillis();
        engine.onReading(S, 21, ahead);
        // When: real hot readings stamped "now", i.e. before it
        clock.advance(Duration.ofSeconds(2));
        List<Notification> first = engine.onReading(S, 40, sensorTime + 2_000);
        clock.advance(Duration.ofSeconds(2));
        List<Notification> second = engine.onReading(S, 40, sensorTime + 4_000);
        // Then: FIRING at the first hot reading
        assertEquals(List.of(FIRING), kinds(first));
        assertEquals(List.of(), second);
        assertEquals(SensorAlert.State.FIRING, engine.stateOf(S));
    }

    @Test
    void a_sensor_whose_clock_steps_back_ten_minutes_stays_online_and_alerts_normally() {
        // Given
        reading(22);
        sensorTime -= Duration.ofMinutes(10).toMillis();
        List<Notification> all = new ArrayList<>();
        // When: it keeps talking every 10 s for 5 minutes (more than SENSOR_OFFLINE_AFTER), then gets hot
        for (int i = 0; i < 30; i++) {
            all.addAll(reading(22));
            all.addAll(engine.sweepSilentSensors());
        }
        List<Notification> hot = reading(30);
        // Then
        assertEquals(List.of(), all);
        assertEquals(List.of(FIRING), kinds(hot));
        assertEquals(List.of(RESOLVED), kinds(reading(20)));
    }

    @Test
    void a_stale_cool_reading_never_resolves_and_the_next_reading_does() {
        // Given
        reading(30);
        long newest = sensorTime;
        // When: a cool reading stamped before the hot one (reordered, or a clock stepped back)
        clock.advance(Duration.ofSeconds(1));
        List<Notification> stale = engine.onReading(S, 10, newest - 5_000);
        clock.advance(Duration.ofSeconds(1));
        List<Notification> next = engine.onReading(S, 10, newest - 4_000);
        // Then: the state is not rolled back by the stale one; the one after it counts
        assertEquals(List.of(), stale);
        assertEquals(List.of(RESOLVED), kinds(next));
    }

    @Test
    void a_stale_hot_reading_fires() {
        // Given
        reading(20);
        long newest = sensorTime;
        clock.advance(Duration.ofSeconds(1));
        // When
        List<Notification> stale = engine.onReading(S, 31, newest - 60_000);
        // Then
        assertEquals(List.of(FIRING), kinds(stale));
    }

    @Test
    void a_hot_reading_stamped_ahead_delays_the_resolution_by_one_reading_at_most() {
        // Given
        engine.onReading(S, 31, sensorTime + Duration.ofMinutes(4).toMillis());
        // When: cool readings stamped now
        clock.advance(Duration.ofSeconds(2));
        List<Notification> first = engine.onReading(S, 20, sensorTime + 2_000);
        clock.advance(Duration.ofSeconds(2));
        List<Notification> second = engine.onReading(S, 20, sensorTime + 4_000);
        // Then
        assertEquals(List.of(), first);
        assertEquals(List.of(RESOLVED), kinds(second));
    }

    @Test
    void a_redelivered_copy_changes_nothing_but_counts_as_heard_from() {
        // Given: hot, then cool
        reading(30);
        long hotStamp = sensorTime;
        reading(20);
        // When: the broker redelivers the hot one (channel recovery) just before the sensor would be offline
        clock.advance(Duration.ofSeconds(110));
        List<Notification> copy = engine.onReading(S, 30, hotStamp, true);
        clock.advance(Duration.ofSeconds(110));
        List<Notification> sweep = engine.sweepSilentSensors();
        // Then
        assertEquals(List.of(), copy);
        assertEquals(List.of(), sweep);
        assertEquals(SensorAlert.State.NORMAL, engine.stateOf(S));
    }

    @Test
    void a_redelivered_reading_stamped_after_everything_seen_is_evaluated() {
        // Given
        reading(20);
        // When: e.g. delivered before the channel died but never handled
        clock.advance(Duration.ofSeconds(1));
        List<Notification> redelivered = engine.onReading(S, 30, sensorTime + 1_000, true);
        // Then
        assertEquals(List.of(FIRING), kinds(redelivered));
    }

    @Test
    void the_first_cool_reading_after_start_is_silent_and_the_first_hot_one_fires_once() {
        // Given: a fresh engine, as after a restart, and a backlog of readings from 20 minutes ago
        long old = START.minus(Duration.ofMinutes(20)).toEpochMilli();
        // When
        List<Notification> cool = engine.onReading("cool_one", 21, old);
        List<Notification> hot = engine.onReading("hot_one", 29, old);
        List<Notification> hotAgain = engine.onReading("hot_one", 29, old + 1000);
        List<Notification> sweep = engine.sweepSilentSensors();
        // Then: no back-online, no resolved, no offline because the readings are old
        assertEquals(List.of(), cool);
        assertEquals(List.of(FIRING), kinds(hot));
        assertEquals(List.of(), hotAgain);
        assertEquals(List.of(), sweep);
    }

    @Test
    void many_sensors_are_tracked_independently() {
        // When
        List<Notification> all = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            all.addAll(engine.onReading("s" + i, i % 2 == 0 ? 30 : 20, sensorTime));
        }
        // Then
        assertEquals(250, all.size());
        assertEquals(250, engine.count(SensorAlert.State.FIRING));
        assertEquals(250, engine.count(SensorAlert.State.NORMAL));
    }

    @Test
    void a_wall_clock_set_forward_ten_minutes_marks_no_sensor_offline() {
        // Given: 100 sensors talking
        for (int i = 0; i < 100; i++) {
            engine.onReading("s" + i, 21, sensorTime);
        }
        // When: NTP steps the wall clock 10 minutes forward, one second passes
        clock.jumpWall(Duration.ofMinutes(10));
        clock.advance(Duration.ofSeconds(1));
        List<Notification> sweep = engine.sweepSilentSensors();
        // Then: no OFFLINE storm; the stamps of what is detected follow the wall clock
        assertEquals(List.of(), sweep);
        clock.advance(Duration.ofMinutes(2));
        List<Notification> silent = engine.sweepSilentSensors();
        assertEquals(100, silent.size());
        assertEquals(
                START.plus(Duration.ofMinutes(12)).plusSeconds(1), silent.get(0).detectedAt());
    }

    @Test
    void a_wall_clock_set_back_ten_minutes_delays_neither_offline_nor_reminders() {
        // Given: one sensor firing, one that falls silent
        reading(30);
        engine.onReading("quiet", 21, sensorTime);
        // When: the wall clock is set back 10 minutes while the hot sensor keeps talking every 10 s
        clock.jumpWall(Duration.ofMinutes(-10));
        List<Notification> twoMinutes = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            twoMinutes.addAll(reading(30));
            twoMinutes.addAll(engine.sweepSilentSensors());
        }
        List<Notification> untilTheHour = new ArrayList<>();
        for (int i = 12; i < 360; i++) {
            untilTheHour.addAll(reading(30));
        }
        // Then: the silent one is offline after 2 minutes, and the reminder comes an hour after FIRING
        assertEquals(List.of(OFFLINE), kinds(twoMinutes));
        assertEquals("quiet", twoMinutes.get(0).sensorId());
        assertEquals(List.of(REMINDER), kinds(untilTheHour));
    }

    @Test
    void beyond_max_tracked_sensors_long_silent_ones_are_forgotten_first_and_firing_ones_last() {
        // Given: room for 100; one firing sensor, then 99 cool ones, all silent since
        AlertEngine small = new AlertEngine(AlertRules.defaults(), clock.wall, clock.ticker::nanos, 100);
        List<List<String>> forgotten = new ArrayList<>();
        small.onEvicted(forgotten::add);
        small.onReading("hot", 30, sensorTime);
        for (int i = 0; i < 99; i++) {
            clock.advance(Duration.ofSeconds(1));
            small.onReading(String.format("s%02d", i), 20, sensorTime);
        }
        // When: s50 talks again, and a flood of new ids arrives
        clock.advance(Duration.ofSeconds(1));
        small.onReading("s50", 20, sensorTime + 1);
        for (int i = 0; i < 1000; i++) {
            clock.advance(Duration.ofMillis(10));
            small.onReading("flood_" + i, 20, sensorTime);
        }
        // Then: never more than 100; the firing one kept, the one that talked kept longest of the old ones
        assertEquals(100, small.trackedCount());
        assertEquals(1000, small.evictedCount());
        assertEquals(SensorAlert.State.FIRING, small.stateOf("hot"));
        assertEquals(List.of("s00"), forgotten.get(0), "the longest silent goes first");
        List<String> all = forgotten.stream().flatMap(List::stream).toList();
        assertTrue(all.indexOf("s50") > all.indexOf("s98"), "a sensor that talks is kept longer");
        assertEquals(-1, all.indexOf("hot"));
    }

    @Test
    void a_clear_threshold_not_below_the_threshold_is_rejected() {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> new AlertRules(25, 25, Duration.ofHours(1), Duration.ofMinutes(2)));
        assertTrue(e.getMessage().startsWith("ALERT_CLEAR_THRESHOLD='25.0'"), e.getMessage());
        assertThrows(
                IllegalArgumentException.class, () -> new AlertRules(25, 24, Duration.ZERO, Duration.ofMinutes(2)));
        assertThrows(
                IllegalArgumentException.class,
                () -> new AlertRules(25, 24, Duration.ofHours(1), Duration.ofSeconds(-1)));
    }
}
