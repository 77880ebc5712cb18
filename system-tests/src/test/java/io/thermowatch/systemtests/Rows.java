package io.thermowatch.systemtests;

import static org.awaitility.Awaitility.await;

import io.thermowatch.testkit.Stack;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Counts what db-writer stored: rows per (sensor, time) in {@code temperature}, rejections in
 * {@code rejected_messages}. Every call opens its own short connection (PostgreSQL may be stopped by a test).
 */
final class Rows {

    private final Stack stack;

    Rows(Stack stack) {
        this.stack = stack;
    }

    /** How many rows each timestamp (epoch ms) of {@code sensor} has. */
    Map<Long, Integer> countsByTime(String sensor) {
        Map<Long, Integer> counts = new HashMap<>();
        query(
                "SELECT (extract(epoch FROM time) * 1000)::bigint, count(*) FROM temperature WHERE sensor = ? GROUP BY 1",
                List.of(sensor),
                rs -> counts.put(rs.getLong(1), rs.getInt(2)));
        return counts;
    }

    long count(String sensor) {
        long[] n = {0};
        query("SELECT count(*) FROM temperature WHERE sensor = ?", List.of(sensor), rs -> n[0] = rs.getLong(1));
        return n[0];
    }

    /** Rejections whose routing key contains {@code marker}: routing key → reasons. */
    Map<String, List<String>> rejectedLike(String marker) {
        Map<String, List<String>> byKey = new HashMap<>();
        query(
                "SELECT routing_key, reason FROM rejected_messages WHERE strpos(routing_key, ?) > 0",
                List.of(marker),
                rs -> byKey.computeIfAbsent(rs.getString(1), k -> new ArrayList<>())
                        .add(rs.getString(2)));
        return byKey;
    }

    long rejectedCount(String routingKey) {
        long[] n = {0};
        query(
                "SELECT count(*) FROM rejected_messages WHERE routing_key = ?",
                List.of(routingKey),
                rs -> n[0] = rs.getLong(1));
        return n[0];
    }

    /**
     * Waits until every timestamp of {@code expected} has exactly one row for {@code sensor}, then asserts that no
     * row exists outside {@code possible} (a superset: what was sent, acknowledged or not) and none is doubled.
     */
    void awaitExactlyOnce(String sensor, Collection<Long> expected, Collection<Long> possible, Duration timeout) {
        Set<Long> wanted = new TreeSet<>(expected);
        await(sensor + ": " + wanted.size() + " acknowledged readings stored")
                .atMost(timeout)
                .pollDelay(Duration.ZERO)
                .pollInterval(Duration.ofMillis(500))
                .ignoreExceptionsInstanceOf(IllegalStateException.class)
                .untilAsserted(() -> {
                    Map<Long, Integer> counts = countsByTime(sensor);
                    List<Long> missing =
                            wanted.stream().filter(t -> !counts.containsKey(t)).toList();
                    if (!missing.isEmpty()) {
                        throw new AssertionError(sensor + ": " + missing.size() + " of " + wanted.size()
                                + " acknowledged readings missing, e.g. "
                                + missing.subList(0, Math.min(5, missing.size())));
                    }
                });
        Map<Long, Integer> counts = countsByTime(sensor);
        List<Long> doubled = counts.entrySet().stream()
                .filter(e -> e.getValue() > 1)
                .map(Map.Entry::getKey)
                .toList();
        Set<Long> allowed = new TreeSet<>(possible);
        allowed.addAll(wanted);
        // Rows newer than the last sent timestamp belong to publishes after the snapshot (the stream goes on).
        long horizon = allowed.isEmpty() ? Long.MIN_VALUE : ((TreeSet<Long>) allowed).last();
        List<Long> unexpected = counts.keySet().stream()
                .filter(t -> t <= horizon && !allowed.contains(t))
                .sorted()
                .toList();
        if (!doubled.isEmpty() || !unexpected.isEmpty()) {
            throw new AssertionError(sensor + ": doubled " + doubled + ", never sent " + unexpected);
        }
    }

    /**
     * Deletes every reading of the sensors whose id starts with {@code prefix}, a few hundred sensors per statement
     * (each well inside the connection's socket timeout); returns how many sensors had readings.
     */
    int deleteSensorsStartingWith(String prefix) {
        List<String> sensors = new ArrayList<>();
        query(
                "SELECT DISTINCT sensor FROM temperature WHERE starts_with(sensor, ?)",
                List.of(prefix),
                rs -> sensors.add(rs.getString(1)));
        try (Connection c = stack.openDatabase();
                PreparedStatement s = c.prepareStatement("DELETE FROM temperature WHERE sensor = ANY (?)")) {
            for (int from = 0; from < sensors.size(); from += 200) {
                List<String> chunk = sensors.subList(from, Math.min(sensors.size(), from + 200));
                s.setArray(1, c.createArrayOf("text", chunk.toArray()));
                s.executeUpdate();
            }
        } catch (SQLException e) {
            throw new IllegalStateException("deleting the readings of " + prefix + "*: " + e.getMessage(), e);
        }
        return sensors.size();
    }

    interface RowHandler {
        void row(ResultSet rs) throws SQLException;
    }

    void query(String sql, List<Object> args, RowHandler handler) {
        try (Connection c = stack.openDatabase();
                PreparedStatement s = c.prepareStatement(sql)) {
            for (int i = 0; i < args.size(); i++) {
                s.setObject(i + 1, args.get(i));
            }
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    handler.row(rs);
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("query failed: " + sql + ": " + e.getMessage(), e);
        }
    }
}
