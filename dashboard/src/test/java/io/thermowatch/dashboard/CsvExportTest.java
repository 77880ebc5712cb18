package io.thermowatch.dashboard;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import java.util.Locale;
import org.junit.jupiter.api.Test;

class CsvExportTest {

    @Test
    void a_line_is_utc_time_with_milliseconds_the_sensor_and_a_plain_decimal_value() {
        assertEquals(
                "2026-11-27T10:00:00.000Z,a1,21.4\r\n",
                CsvExport.line("a1", Instant.parse("2026-11-27T10:00:00Z"), 21.4));
        assertEquals(
                "2026-11-27T10:00:00.123Z,a1,-0.0001\r\n",
                CsvExport.line("a1", Instant.parse("2026-11-27T10:00:00.123456Z"), -0.0001));
        assertEquals(
                "2026-11-27T10:00:00.000Z,a1,1000\r\n",
                CsvExport.line("a1", Instant.parse("2026-11-27T10:00:00Z"), 1000.0));
    }

    @Test
    void the_format_is_the_same_whatever_the_default_locale() {
        var before = Locale.getDefault();
        try {
            // Given a locale with a decimal comma, Arabic-Indic digits and a different calendar
            for (var locale : new Locale[] {
                Locale.GERMANY, Locale.forLanguageTag("ar-EG"), Locale.forLanguageTag("th-TH-u-ca-buddhist")
            }) {
                Locale.setDefault(locale);
                // Then
                assertEquals(
                        "2026-11-27T10:00:00.000Z,a1,21.25\r\n",
                        CsvExport.line("a1", Instant.parse("2026-11-27T10:00:00Z"), 21.25),
                        locale.toString());
            }
        } finally {
            Locale.setDefault(before);
        }
    }

    @Test
    void the_file_is_named_after_the_sensor_and_the_range() {
        var span = new SensorSpan(
                "rack-7_a", Instant.parse("2026-11-20T12:00:30.500Z"), Instant.parse("2026-11-27T12:00:30.500Z"));
        assertEquals("thermowatch_rack-7_a_20261120T120030Z_20261127T120030Z.csv", CsvExport.fileName(span));
    }
}
