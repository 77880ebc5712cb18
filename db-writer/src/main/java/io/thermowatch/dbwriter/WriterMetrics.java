package io.thermowatch.dbwriter;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;

/** The meters db-writer exposes on /metrics. Thread-safe. */
final class WriterMetrics {

    final Counter rowsWritten;
    final Counter duplicates;
    final Counter batches;
    final Counter rejects;
    final Counter ignored;
    final Counter redeliveries;
    final Counter writeFailures;
    final Counter discardedStale;
    final Counter outagePauses;
    final Timer batchLatency;

    WriterMetrics(MeterRegistry registry) {
        rowsWritten = Counter.builder("dbwriter.rows.written")
                .description("Reading rows inserted")
                .register(registry);
        duplicates = Counter.builder("dbwriter.readings.duplicate")
                .description("Readings skipped because (sensor, time) was already stored")
                .register(registry);
        batches = Counter.builder("dbwriter.batches")
                .description("Batches committed and acknowledged")
                .register(registry);
        rejects = Counter.builder("dbwriter.rejects")
                .description("Messages stored in rejected_messages")
                .register(registry);
        ignored = Counter.builder("dbwriter.ignored")
                .description("Status messages acknowledged without storing")
                .register(registry);
        redeliveries = Counter.builder("dbwriter.redeliveries")
                .description("Deliveries flagged as redelivered")
                .register(registry);
        writeFailures = Counter.builder("dbwriter.write.failures")
                .description("Failed batch write attempts")
                .register(registry);
        discardedStale = Counter.builder("dbwriter.deliveries.discarded")
                .description("Deliveries dropped unacknowledged after a connection recovery (redelivered)")
                .register(registry);
        outagePauses = Counter.builder("dbwriter.outage.pauses")
                .description("Times the intake was suspended because a write failed (database down)")
                .register(registry);
        batchLatency = Timer.builder("dbwriter.batch.latency")
                .description("Write and commit time of one batch")
                .publishPercentiles(0.5, 0.99)
                .register(registry);
    }

    void recordBatch(int readings, int inserted, int rejected, int statusMessages, Duration took) {
        rowsWritten.increment(inserted);
        duplicates.increment(readings - inserted);
        rejects.increment(rejected);
        ignored.increment(statusMessages);
        batches.increment();
        batchLatency.record(took);
    }
}
