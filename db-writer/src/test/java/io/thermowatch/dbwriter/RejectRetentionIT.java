package io.thermowatch.dbwriter;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariDataSource;
import io.thermowatch.testkit.Stack;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code REJECTS_RETENTION} against the native stack's PostgreSQL (the same statements run in both schema modes):
 * rejects older than the retention are deleted, in several batches when there are many, and recent ones stay.
 */
class RejectRetentionIT {

    private static final Duration RETENTION = Duration.ofDays(30);
    private static final String RUN = "retention" + Long.toString(System.currentTimeMillis() % 1_000_000_000L, 36);

    private static HikariDataSource dataSource;
    private static PostgresSink sink;

    @BeforeAll
    static void migrateAndConnect() throws SQLException {
        dataSource = WriterSchema.migrateAndConnect(Stack.get());
        sink = new PostgresSink(dataSource);
    }

    @AfterAll
    static void close() {
        if (dataSource != null) {
            dataSource.close();
        }
    }

    @Test
    void rejects_older_than_the_retention_are_deleted_and_recent_ones_stay() throws SQLException {
        // Given more old rejects than one delete batch holds, and rejects just inside the retention
        String reason = RUN + " sweep";
        long now = System.currentTimeMillis();
        int old = RejectRetention.BATCH_ROWS * 2 + 500;
        store(reason + " old", now - RETENTION.plusDays(1).toMillis(), old);
        store(reason + " old", now - RETENTION.plusDays(365).toMillis(), 1);
        store(reason + " recent", now - RETENTION.minusHours(1).toMillis(), 3);
        store(reason + " recent", now, 2);
        // When
        long deleted = new RejectRetention(dataSource, RETENTION, Clock.systemUTC()).sweep();
        // Then (other tests' old rejects on the shared database may go too)
        assertTrue(deleted >= old + 1, "deleted " + deleted);
        assertEquals(0, countRejects(reason + " old"));
        assertEquals(5, countRejects(reason + " recent"));
    }

    @Test
    void a_started_retention_sweeps_at_once_on_its_own_thread() throws SQLException {
        // Given
        String reason = RUN + " started";
        long now = System.currentTimeMillis();
        store(reason + " old", now - RETENTION.plusDays(2).toMillis(), 10);
        store(reason + " recent", now, 1);
        // When
        try (RejectRetention retention = RejectRetention.start(dataSource, RETENTION, Clock.systemUTC())) {
            // Then
            await().atMost(Duration.ofSeconds(30)).until(() -> countRejects(reason + " old") == 0);
            assertEquals(1, countRejects(reason + " recent"));
        }
    }

    private static void store(String reason, long receivedAtMillis, int count) throws SQLException {
        List<RejectedMessage> rejects = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            rejects.add(new RejectedMessage(
                    receivedAtMillis + i,
                    "temperature." + RUN,
                    ("junk " + i).getBytes(StandardCharsets.UTF_8),
                    reason));
        }
        sink.write(List.of(), rejects);
    }

    private static long countRejects(String reason) throws SQLException {
        try (Connection c = dataSource.getConnection();
                PreparedStatement statement =
                        c.prepareStatement("SELECT count(*) FROM rejected_messages WHERE reason = ?")) {
            statement.setString(1, reason);
            try (ResultSet rs = statement.executeQuery()) {
                rs.next();
                long value = rs.getLong(1);
                c.rollback();
                return value;
            }
        }
    }
}
