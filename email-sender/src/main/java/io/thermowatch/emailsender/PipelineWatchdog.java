package io.thermowatch.emailsender;

import io.micrometer.core.instrument.MeterRegistry;
import io.thermowatch.common.runtime.MonotonicClock;
import io.thermowatch.common.runtime.PipelineWatch;
import java.io.IOException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches the pipeline itself (issue 12): every {@code PIPELINE_CHECK_INTERVAL} it samples db-writer's queue and
 * both dead-letter queues through the management API, and turns each {@link PipelineWatch.Condition} that starts or
 * ends into a PIPELINE_FIRING or PIPELINE_RESOLVED notification, grouped and mailed like the sensors' alerts.
 * A management API it cannot read changes nothing (one WARN line per streak): no mail is made of missing data.
 * Not thread safe: one scheduled thread calls {@link #check}.
 */
final class PipelineWatchdog {

    private static final Logger log = LoggerFactory.getLogger(PipelineWatchdog.class);

    /** Reads one sample; {@link ManagementQueues#sample} in production. */
    @FunctionalInterface
    interface Sampler {
        PipelineWatch.Sample sample() throws IOException, InterruptedException;
    }

    private final Sampler sampler;
    private final PipelineWatch watch;
    private final Clock clock;
    private final MonotonicClock monotonic;
    private Set<PipelineWatch.Condition> firing = EnumSet.noneOf(PipelineWatch.Condition.class);
    private boolean unreadable;

    PipelineWatchdog(
            Sampler sampler, PipelineWatch watch, Clock clock, MonotonicClock monotonic, MeterRegistry registry) {
        this.sampler = sampler;
        this.watch = watch;
        this.clock = clock;
        this.monotonic = monotonic;
        for (PipelineWatch.Condition c : PipelineWatch.Condition.values()) {
            registry.gauge(
                    "thermowatch.pipeline.condition",
                    List.of(io.micrometer.core.instrument.Tag.of(
                            "condition", c.name().toLowerCase(java.util.Locale.ROOT))),
                    this,
                    w -> w.isFiring(c) ? 1 : 0);
        }
    }

    /** One look: the notifications for conditions that started or ended since the last look. */
    List<Notification> check() throws InterruptedException {
        PipelineWatch.Sample sample;
        try {
            sample = sampler.sample();
        } catch (IOException e) {
            if (!unreadable) {
                log.warn(
                        "pipeline - Cannot read the management API: {}; pipeline conditions unchanged until it "
                                + "answers",
                        e.getMessage());
            }
            unreadable = true;
            return List.of();
        }
        if (unreadable) {
            log.info("pipeline - Management API readable again");
            unreadable = false;
        }
        Set<PipelineWatch.Condition> now = watch.update(sample, monotonic.nanos());
        List<Notification> out = new ArrayList<>();
        for (PipelineWatch.Condition c : PipelineWatch.Condition.values()) {
            boolean was = firing.contains(c);
            boolean is = now.contains(c);
            if (was != is) {
                log.warn(
                        "pipeline - {}: {} (db-writer consumers {}, backlog {}, dead letters {}, email-sender's {})",
                        is ? "FIRING" : "resolved",
                        c.description(),
                        sample.dbWriterConsumers(),
                        sample.dbWriterBacklog(),
                        sample.deadLetters(),
                        sample.emailSenderDeadLetters());
                out.add(Notification.pipeline(
                        is ? Notification.Kind.PIPELINE_FIRING : Notification.Kind.PIPELINE_RESOLVED,
                        c,
                        clock.instant()));
            }
        }
        firing = now.isEmpty() ? EnumSet.noneOf(PipelineWatch.Condition.class) : EnumSet.copyOf(now);
        return out;
    }

    private boolean isFiring(PipelineWatch.Condition c) {
        return watch.active().contains(c);
    }
}
