package io.thermowatch.systemtests;

import io.thermowatch.testkit.QueueProbe;
import io.thermowatch.testkit.ServiceProcess;
import io.thermowatch.testkit.Stack;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;

/**
 * Drain after a db-writer outage: with a steady fleet publishing, db-writer is stopped (SIGTERM) for the outage,
 * restarted, and timed from its readiness until every reading acknowledged before the restart is a row and the
 * queue is back near zero (at most one second of the fleet's readings ready). Then the fleet stops and every
 * acknowledged reading is looked for: lost = acknowledged − stored, per sensor.
 */
final class OutageDrain {

    record Result(
            long backlog,
            long ackedDuringOutage,
            double restartToReadySeconds,
            double drainSeconds,
            long rowsDrained,
            long acked,
            long stored,
            long lost,
            int unacknowledged) {

        double rowsPerSecond() {
            return rowsDrained / drainSeconds;
        }
    }

    private final Stack stack;
    private final Rows rows;
    private final SystemUnderTest system;

    OutageDrain(Stack stack, SystemUnderTest system) {
        this.stack = stack;
        this.rows = new Rows(stack);
        this.system = system;
    }

    Result run(Fleet fleet, Duration outage) throws Exception {
        long since = System.currentTimeMillis();
        fleet.start();
        LockSupport.parkNanos(Duration.ofSeconds(5).toNanos()); // the stream established before the outage
        ServiceProcess writer = system.service("db-writer");
        writer.sigterm();
        writer.awaitExit(Duration.ofSeconds(30));
        long ackedAtStop = fleet.acked();
        LockSupport.parkNanos(outage.toNanos()); // the outage itself: its length is the point of the phase
        long ackedAtRestart = fleet.acked();
        long backlog;
        try (QueueProbe probe = stack.queueProbe()) {
            backlog = probe.readyCount(Stack.DB_WRITER_QUEUE);
            long restarted = System.nanoTime();
            ServiceProcess again = system.startService("db-writer");
            again.awaitReady(SystemUnderTest.READY);
            long ready = System.nanoTime();
            long rowsAtReady = stored(fleet, since);
            long nearZero = Math.max(100, (long) fleet.targetRate());
            long stored = rowsAtReady;
            long drained;
            while (true) {
                stored = stored(fleet, since);
                drained = System.nanoTime();
                if (stored >= ackedAtRestart && probe.readyCount(Stack.DB_WRITER_QUEUE) <= nearZero) {
                    break;
                }
                if (drained - ready > Duration.ofMinutes(15).toNanos()) {
                    throw new IllegalStateException("drain - not done 15 minutes after db-writer's restart: " + stored
                            + " rows for " + ackedAtRestart + " readings acknowledged before it");
                }
                LockSupport.parkNanos(250_000_000L);
            }
            int unacknowledged = fleet.stop();
            long acked = fleet.acked();
            long lost = awaitStored(fleet, since, Duration.ofMinutes(2));
            return new Result(
                    backlog,
                    ackedAtRestart - ackedAtStop,
                    (ready - restarted) / 1e9,
                    (drained - ready) / 1e9,
                    stored - rowsAtReady,
                    acked,
                    stored(fleet, since),
                    lost,
                    unacknowledged);
        }
    }

    /** Rows of the fleet's sensors with a time since {@code sinceMillis} (the time index keeps this cheap). */
    private long stored(Fleet fleet, long sinceMillis) {
        long[] n = {0};
        rows.query(
                "SELECT count(*) FROM temperature WHERE time >= to_timestamp(? / 1000.0) AND starts_with(sensor, ?)",
                List.of(sinceMillis - 1000, fleet.prefix() + "_s"),
                rs -> n[0] = rs.getLong(1));
        return n[0];
    }

    /** Waits until each sensor has a row for every acknowledged reading; returns how many are missing at the end. */
    private long awaitStored(Fleet fleet, long sinceMillis, Duration timeout) {
        Map<String, Long> acked = fleet.ackedBySensor();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            long missing = missing(acked, storedBySensor(rows, fleet.prefix(), sinceMillis));
            if (missing == 0 || System.nanoTime() > deadline) {
                return missing;
            }
            LockSupport.parkNanos(500_000_000L);
        }
    }

    static Map<String, Long> storedBySensor(Rows rows, String prefix, long sinceMillis) {
        Map<String, Long> stored = new HashMap<>();
        rows.query(
                "SELECT sensor, count(*) FROM temperature WHERE time >= to_timestamp(? / 1000.0) "
                        + "AND starts_with(sensor, ?) GROUP BY sensor",
                List.of(sinceMillis - 1000, prefix + "_s"),
                rs -> stored.put(rs.getString(1), rs.getLong(2)));
        return stored;
    }

    /** Σ over sensors of acknowledged − stored, where positive: readings acknowledged and not (yet) rows. */
    static long missing(Map<String, Long> acked, Map<String, Long> stored) {
        long missing = 0;
        for (Map.Entry<String, Long> e : acked.entrySet()) {
            missing += Math.max(0, e.getValue() - stored.getOrDefault(e.getKey(), 0L));
        }
        return missing;
    }
}
