package io.thermowatch.emailsender;

import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * A recurring maintenance window of the rules file ({@code maintenance:}): on each of {@code days}, from {@code from}
 * to {@code to} local time in {@code zone}, notifications about the sensors it selects are recorded, not mailed —
 * like an ad-hoc silence. A window whose {@code to} is not after {@code from} crosses midnight and ends the next day
 * ({@code days} are the days it opens). Local times are resolved with {@link ZonedDateTime#of}: a time a DST change
 * skips is moved forward by the gap, a time it repeats takes the earlier offset, so a window lasts its wall-clock
 * length give or take the change. Immutable; pure.
 *
 * @param name     as in the rules file; recorded as {@code silenced_by = maintenance:<name>}
 * @param selector which sensors, as a rule's {@code sensors} and {@code labels}
 * @param days     the days of the week it opens (every day for {@code every: daily})
 * @param from     opens at this local time (inclusive)
 * @param to       closes at this local time (exclusive), the next day if not after {@code from}
 * @param zone     the time zone of {@code from} and {@code to}
 */
record MaintenanceWindow(
        String name, SensorSelector selector, Set<DayOfWeek> days, LocalTime from, LocalTime to, ZoneId zone) {

    MaintenanceWindow {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(selector, "selector");
        if (days.isEmpty()) {
            throw new IllegalArgumentException("a maintenance window needs at least one day");
        }
        days = Set.copyOf(EnumSet.copyOf(days));
        Objects.requireNonNull(from, "from");
        Objects.requireNonNull(to, "to");
        if (from.equals(to)) {
            throw new IllegalArgumentException("a maintenance window cannot open and close at the same time");
        }
        Objects.requireNonNull(zone, "zone");
    }

    /** True if a notification about this sensor at {@code at} falls in the window. */
    boolean mutes(String sensorId, Map<String, String> labels, Instant at) {
        return isOpenAt(at) && selector.selects(sensorId, labels);
    }

    /** True if {@code at} is within an opening: the one that began today (local) or, crossing midnight, yesterday. */
    boolean isOpenAt(Instant at) {
        LocalDate today = at.atZone(zone).toLocalDate();
        return isOpenAt(at, today) || (crossesMidnight() && isOpenAt(at, today.minusDays(1)));
    }

    boolean crossesMidnight() {
        return !to.isAfter(from);
    }

    private boolean isOpenAt(Instant at, LocalDate openingDay) {
        if (!days.contains(openingDay.getDayOfWeek())) {
            return false;
        }
        Instant opens = ZonedDateTime.of(openingDay, from, zone).toInstant();
        Instant closes = ZonedDateTime.of(crossesMidnight() ? openingDay.plusDays(1) : openingDay, to, zone)
                .toInstant();
        return !at.isBefore(opens) && at.isBefore(closes);
    }

    /** For logs: {@code backup (sensors rack_a*): mon, sat 22:00-02:00 Europe/Berlin}. */
    @Override
    public String toString() {
        String when = days.size() == 7
                ? "daily"
                : days.stream()
                        .sorted()
                        .map(d -> d.name().substring(0, 3).toLowerCase(Locale.ROOT))
                        .collect(Collectors.joining(", "));
        return name + " (" + selector + "): " + when + " " + from + "-" + to + " " + zone;
    }
}
