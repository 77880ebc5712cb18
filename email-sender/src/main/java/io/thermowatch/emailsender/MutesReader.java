package io.thermowatch.emailsender;

import io.thermowatch.common.config.DatabaseSettings;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the silences and acknowledgements the dashboard's operator API wrote, every
 * {@code ALERT_MUTES_CHECK_INTERVAL}, and puts them into force in the {@link AlertEngine}. Polling, not
 * LISTEN/NOTIFY: the tables are tiny, a few seconds' delay is fine for an operator's action, and a poll needs no
 * connection kept in a special state nor a trigger in db-writer's schema. A failed read keeps the previous mutes
 * (their silences still end on time, judged on each notification's time) and logs once per outage. Run on one
 * scheduled thread; not thread safe otherwise.
 */
final class MutesReader implements Runnable {

    private static final Logger log = LoggerFactory.getLogger(MutesReader.class);

    /** Silences whose end is ahead (starts later are included: they begin on time without another read). */
    private static final String SILENCES = "SELECT id, sensors, label_name, label_value, starts_at, ends_at, created_by"
            + " FROM alert_silences WHERE ends_at > now() ORDER BY id";
    /** The latest acknowledgement per alert; bounded by the number of alerts ever acknowledged. */
    private static final String ACKNOWLEDGEMENTS = "SELECT DISTINCT ON (sensor, rule) sensor, rule, acknowledged_at,"
            + " acknowledged_by FROM alert_acknowledgements ORDER BY sensor, rule, acknowledged_at DESC";

    private final DatabaseSettings database;
    private final AlertEngine engine;
    private Connection connection;
    private boolean failing;
    private Mutes last = Mutes.NONE;

    MutesReader(DatabaseSettings database, AlertEngine engine) {
        this.database = database;
        this.engine = engine;
    }

    @Override
    public void run() {
        try {
            Mutes mutes = read();
            engine.useMutes(mutes);
            if (!mutes.equals(last)) {
                log.info(
                        "mutes - {} silence(s) not ended, {} acknowledgement(s) in force",
                        mutes.silences().size(),
                        mutes.acknowledgements().size());
                last = mutes;
            }
            if (failing) {
                log.info(
                        "mutes - Silences and acknowledgements read again: {} silence(s)",
                        mutes.silences().size());
                failing = false;
            }
        } catch (SQLException | RuntimeException e) {
            close();
            if (!failing) {
                log.warn(
                        "mutes - Cannot read silences and acknowledgements ({}); keeping the last ones read",
                        e.getMessage());
                failing = true;
            }
        }
    }

    Mutes read() throws SQLException {
        if (connection == null) {
            connection = AlertHistoryWriter.connect(database);
            connection.setReadOnly(true);
        }
        List<Mutes.Silence> silences = new ArrayList<>();
        try (PreparedStatement statement = connection.prepareStatement(SILENCES);
                ResultSet rs = statement.executeQuery()) {
            while (rs.next()) {
                String glob = rs.getString("sensors");
                SensorSelector selector = glob != null
                        ? new SensorSelector(List.of(glob), Map.of())
                        : new SensorSelector(
                                List.of(), Map.of(rs.getString("label_name"), rs.getString("label_value")));
                silences.add(new Mutes.Silence(
                        rs.getLong("id"),
                        selector,
                        rs.getTimestamp("starts_at").toInstant(),
                        rs.getTimestamp("ends_at").toInstant(),
                        rs.getString("created_by")));
            }
        }
        Map<Mutes.AlertKey, Mutes.Acknowledgement> acks = new HashMap<>();
        try (PreparedStatement statement = connection.prepareStatement(ACKNOWLEDGEMENTS);
                ResultSet rs = statement.executeQuery()) {
            while (rs.next()) {
                acks.put(
                        new Mutes.AlertKey(rs.getString("sensor"), rs.getString("rule")),
                        new Mutes.Acknowledgement(
                                rs.getTimestamp("acknowledged_at").toInstant(), rs.getString("acknowledged_by")));
            }
        }
        return new Mutes(silences, acks);
    }

    void close() {
        if (connection != null) {
            try {
                connection.close();
            } catch (SQLException ignored) {
                // already broken
            }
            connection = null;
        }
    }
}
