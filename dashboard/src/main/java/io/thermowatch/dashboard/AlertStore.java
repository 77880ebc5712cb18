package io.thermowatch.dashboard;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * The alert tables of db-writer's schema (V6): what is firing, a sensor's alert history, silences and
 * acknowledgements. Reads go through the page's read-only pool; writes through the operator's pool, whose role may
 * write silences and acknowledgements and nothing else. Thread safe; each call borrows one connection.
 */
final class AlertStore {

    /** The page's message when the tables are not there or the database is down; never the driver's text. */
    static final String UNAVAILABLE =
            "alerts are unavailable: the database cannot be reached or has no alert tables" + " yet, try again shortly";

    /** A glob of a silence ({@code *}, {@code ?}) as a LIKE pattern, in SQL, for the panel's "silenced" column. */
    private static final String GLOB_AS_LIKE =
            "replace(replace(replace(replace(replace(s.sensors, '\\', '\\\\'), '%', '\\%'), '_', '\\_'), '*', '%'),"
                    + " '?', '_')";

    /**
     * Every alert whose latest event leaves it above NORMAL: since the last RESTARTED of email-sender (which forgets
     * alerts without a state file), not ended by an OFFLINE of its sensor, and seen within 30 days (a firing alert
     * is reminded far more often). Since when: its last FIRING from NORMAL. Acknowledged: by the latest
     * acknowledgement given since then. Silenced: by a silence in force now that selects the sensor by glob, or the
     * one that muted its latest event (label silences: the dashboard does not know the inventory's labels). In
     * maintenance: its latest event was muted by a maintenance window of the rules file ({@code maintenance:<name>}).
     */
    static final String ACTIVE_SQL = """
            WITH restart AS (
                SELECT coalesce(max(time), '-infinity'::timestamptz) AS at FROM alert_events
                WHERE kind = 'RESTARTED' AND time > now() - interval '30 days'
            ), latest AS (
                SELECT DISTINCT ON (e.sensor, e.rule) e.*
                FROM alert_events e, restart
                WHERE e.rule IS NOT NULL AND e.time >= restart.at AND e.time > now() - interval '30 days'
                ORDER BY e.sensor, e.rule, e.time DESC, e.id DESC
            ), active AS (
                SELECT l.*, (SELECT max(f.time) FROM alert_events f
                             WHERE f.sensor = l.sensor AND f.rule = l.rule AND f.kind = 'FIRING'
                               AND f.from_level = 'NORMAL' AND f.time <= l.time) AS since
                FROM latest l
                WHERE l.to_level <> 'NORMAL'
                  AND NOT EXISTS (SELECT FROM alert_events o
                                  WHERE o.sensor = l.sensor AND o.kind = 'OFFLINE' AND o.time > l.time)
            )
            SELECT a.sensor, a.rule, a.to_level, a.value, a.time, a.since,
                   (SELECT k.acknowledged_by FROM alert_acknowledgements k
                    WHERE k.sensor = a.sensor AND k.rule = a.rule AND k.acknowledged_at >= a.since
                    ORDER BY k.acknowledged_at DESC LIMIT 1) AS acknowledged_by,
                   (SELECT s.id FROM alert_silences s
                    WHERE s.starts_at <= now() AND s.ends_at > now()
                      AND (s.id = a.silence_id OR (s.sensors IS NOT NULL AND a.sensor LIKE %s))
                    ORDER BY s.ends_at DESC LIMIT 1) AS silence_id,
                   CASE WHEN a.silence_id IS NULL AND a.silenced_by LIKE 'maintenance:%%' THEN a.silenced_by END
                       AS maintenance
            FROM active a
            ORDER BY CASE a.to_level WHEN 'CRITICAL' THEN 0 ELSE 1 END, a.since NULLS LAST, a.sensor, a.rule
            LIMIT 1000""".formatted(GLOB_AS_LIKE);

    static final String HISTORY_SQL = """
            SELECT time, sensor, rule, kind, from_level, to_level, value, mailed_at, silence_id, silenced_by,
                   acknowledged_by, mail_error
            FROM alert_events WHERE sensor = ? ORDER BY time DESC, id DESC LIMIT ?""";

    static final String SILENCES_SQL = """
            SELECT id, sensors, label_name, label_value, starts_at, ends_at, created_by, created_at, comment
            FROM alert_silences WHERE ends_at > now() ORDER BY ends_at LIMIT 1000""";

    private final DataSource reads;
    private final Optional<DataSource> operatorWrites;

    AlertStore(DataSource reads, Optional<DataSource> operatorWrites) {
        this.reads = reads;
        this.operatorWrites = operatorWrites;
    }

    List<Map<String, Object>> active() {
        try (var c = reads.getConnection();
                var q = c.prepareStatement(ACTIVE_SQL);
                var rs = q.executeQuery()) {
            var out = new ArrayList<Map<String, Object>>();
            while (rs.next()) {
                var row = new LinkedHashMap<String, Object>();
                row.put("sensor", rs.getString("sensor"));
                row.put("rule", rs.getString("rule"));
                row.put("level", rs.getString("to_level"));
                row.put("value", doubleOrNull(rs, "value"));
                row.put("since", millis(rs.getTimestamp("since")));
                row.put("lastEvent", millis(rs.getTimestamp("time")));
                row.put("acknowledgedBy", rs.getString("acknowledged_by"));
                row.put("silenceId", longOrNull(rs, "silence_id"));
                row.put("maintenance", rs.getString("maintenance"));
                out.add(row);
            }
            return out;
        } catch (SQLException e) {
            throw unavailable(e);
        }
    }

    List<Map<String, Object>> history(String sensor, int limit) {
        try (var c = reads.getConnection();
                var q = c.prepareStatement(HISTORY_SQL)) {
            q.setString(1, sensor);
            q.setInt(2, limit);
            try (var rs = q.executeQuery()) {
                var out = new ArrayList<Map<String, Object>>();
                while (rs.next()) {
                    var row = new LinkedHashMap<String, Object>();
                    row.put("time", millis(rs.getTimestamp("time")));
                    row.put("rule", rs.getString("rule"));
                    row.put("kind", rs.getString("kind"));
                    row.put("from", rs.getString("from_level"));
                    row.put("to", rs.getString("to_level"));
                    row.put("value", doubleOrNull(rs, "value"));
                    row.put("mailedAt", millis(rs.getTimestamp("mailed_at")));
                    row.put("silenceId", longOrNull(rs, "silence_id"));
                    row.put("silencedBy", rs.getString("silenced_by"));
                    row.put("acknowledgedBy", rs.getString("acknowledged_by"));
                    row.put("mailError", rs.getString("mail_error"));
                    out.add(row);
                }
                return out;
            }
        } catch (SQLException e) {
            throw unavailable(e);
        }
    }

    List<Map<String, Object>> silences() {
        try (var c = reads.getConnection();
                var q = c.prepareStatement(SILENCES_SQL);
                var rs = q.executeQuery()) {
            var out = new ArrayList<Map<String, Object>>();
            while (rs.next()) {
                var row = new LinkedHashMap<String, Object>();
                row.put("id", rs.getLong("id"));
                row.put("sensors", rs.getString("sensors"));
                row.put("labelName", rs.getString("label_name"));
                row.put("labelValue", rs.getString("label_value"));
                row.put("startsAt", millis(rs.getTimestamp("starts_at")));
                row.put("endsAt", millis(rs.getTimestamp("ends_at")));
                row.put("createdBy", rs.getString("created_by"));
                row.put("comment", rs.getString("comment"));
                out.add(row);
            }
            return out;
        } catch (SQLException e) {
            throw unavailable(e);
        }
    }

    /** @return the new silence's id */
    long createSilence(OperatorRequests.NewSilence s) {
        try (var c = writes().getConnection();
                var q = c.prepareStatement("INSERT INTO alert_silences (sensors, label_name, label_value, starts_at,"
                        + " ends_at, created_by, comment) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id")) {
            q.setString(1, s.sensors());
            q.setString(2, s.labelName());
            q.setString(3, s.labelValue());
            q.setTimestamp(4, Timestamp.from(s.startsAt()));
            q.setTimestamp(5, Timestamp.from(s.endsAt()));
            q.setString(6, s.by());
            q.setString(7, s.comment());
            try (var rs = q.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        } catch (SQLException e) {
            throw unavailable(e);
        }
    }

    /** Ends a silence now (the row stays, as history); false if there is no such silence still in force. */
    boolean endSilence(long id, String by) {
        try (var c = writes().getConnection();
                var q = c.prepareStatement("UPDATE alert_silences SET ends_at = greatest(now(), starts_at),"
                        + " ended_by = ? WHERE id = ? AND ends_at > now()")) {
            q.setString(1, by);
            q.setLong(2, id);
            return q.executeUpdate() == 1;
        } catch (SQLException e) {
            throw unavailable(e);
        }
    }

    /** @return the acknowledgement's id */
    long acknowledge(OperatorRequests.NewAcknowledgement a) {
        try (var c = writes().getConnection();
                var q = c.prepareStatement("INSERT INTO alert_acknowledgements (sensor, rule, acknowledged_by, comment)"
                        + " VALUES (?, ?, ?, ?) RETURNING id")) {
            q.setString(1, a.sensor());
            q.setString(2, a.rule());
            q.setString(3, a.by());
            q.setString(4, a.comment());
            try (var rs = q.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        } catch (SQLException e) {
            throw unavailable(e);
        }
    }

    private DataSource writes() {
        return operatorWrites.orElseThrow(() -> new IllegalStateException("operator API disabled"));
    }

    private static Long millis(Timestamp t) {
        return t == null ? null : t.toInstant().toEpochMilli();
    }

    private static Double doubleOrNull(ResultSet rs, String column) throws SQLException {
        double v = rs.getDouble(column);
        return rs.wasNull() ? null : v;
    }

    private static Long longOrNull(ResultSet rs, String column) throws SQLException {
        long v = rs.getLong(column);
        return rs.wasNull() ? null : v;
    }

    private static AlertsUnavailableException unavailable(SQLException e) {
        return new AlertsUnavailableException(e);
    }

    /** Answered 503 with {@link #UNAVAILABLE}; the driver's text goes to the log only. */
    static final class AlertsUnavailableException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        AlertsUnavailableException(SQLException cause) {
            super(cause.getMessage(), cause);
        }
    }
}
