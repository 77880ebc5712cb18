package io.thermowatch.emailsender;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RulesReloaderTest {

    private static final String AT_30 = "rules: [{name: hall, levels: {critical: {above: 30}}}]\n";
    private static final String AT_26 = "rules: [{name: hall, levels: {critical: {above: 26}}}]\n";

    @TempDir
    Path dir;

    private final TwoClocks clock = new TwoClocks(Instant.parse("2026-11-27T12:00:00Z"));
    private final AlertEngine engine = clock.engine(AlertRules.defaults());
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final List<Notification> ended = new ArrayList<>();
    private long stamp = clock.instant().toEpochMilli();

    private RulesReloader start(Path file) throws Exception {
        RulesFileSettings settings = RulesFileSettings.load(file, Duration.ofSeconds(1), AlertRules.defaults());
        engine.useRules(settings.rules());
        return new RulesReloader(settings, AlertRules.defaults(), engine, ended::addAll, registry);
    }

    private boolean fires(double value) {
        clock.advance(Duration.ofSeconds(1));
        stamp += 1000;
        String sensor = "s" + stamp; // a new sensor each time: only the threshold decides
        return !engine.onReading(sensor, value, stamp).isEmpty();
    }

    private double reloads(String result) {
        return registry.counter("thermowatch.alert.rules.reloads", "result", result)
                .count();
    }

    @Test
    void an_unchanged_file_is_not_reloaded_and_a_changed_one_takes_effect_without_a_restart() throws Exception {
        // Given
        Path file = Files.writeString(dir.resolve("alerts.yaml"), AT_30);
        RulesReloader reloader = start(file);
        assertFalse(reloader.check());
        assertFalse(fires(28));
        // When
        Files.writeString(file, AT_26);
        // Then
        assertTrue(reloader.check());
        assertTrue(fires(28));
        assertFalse(reloader.check());
        assertEquals(1.0, reloads("applied"));
    }

    @Test
    void a_broken_file_keeps_the_previous_rules_and_is_counted_once_per_version() throws Exception {
        // Given
        Path file = Files.writeString(dir.resolve("alerts.yaml"), AT_30);
        RulesReloader reloader = start(file);
        // When: a bad threshold (26 above, clear 27), checked twice
        Files.writeString(file, AT_26.replace("above: 26", "above: 26, clear: 27"));
        assertFalse(reloader.check());
        assertFalse(reloader.check());
        // Then: the 30 °C rule is still in force
        assertFalse(fires(28));
        assertTrue(fires(31));
        assertEquals(1.0, reloads("rejected"));
        // And when the file is fixed, it takes effect
        Files.writeString(file, AT_26);
        assertTrue(reloader.check());
        assertTrue(fires(28));
    }

    @Test
    void a_file_that_disappears_keeps_the_previous_rules_until_it_is_back() throws Exception {
        // Given
        Path file = Files.writeString(dir.resolve("alerts.yaml"), AT_30);
        RulesReloader reloader = start(file);
        // When
        Files.delete(file);
        assertFalse(reloader.check());
        assertFalse(reloader.check());
        // Then
        assertTrue(fires(31));
        assertEquals(1.0, reloads("rejected"), "one line, not one per check");
        // And when it is back with other rules
        Files.writeString(file, AT_26);
        assertTrue(reloader.check());
        assertTrue(fires(28));
    }

    @Test
    void alerts_of_a_rule_the_reload_removes_are_resolved_and_handed_on_to_be_mailed() throws Exception {
        // Given: a sensor firing under "hall"
        Path file = Files.writeString(dir.resolve("alerts.yaml"), AT_30);
        RulesReloader reloader = start(file);
        engine.onReading("a1", 35, stamp);
        // When
        Files.writeString(file, "rules: [{name: racks, sensors: 'rack_*', levels: {critical: {above: 30}}}]\n");
        assertTrue(reloader.check());
        // Then
        assertEquals(1, ended.size());
        assertEquals(Notification.Kind.RESOLVED, ended.get(0).kind());
        assertEquals("hall", ended.get(0).alert().rule());
    }
}
