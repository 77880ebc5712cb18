package io.thermowatch.emailsender;

import static io.thermowatch.emailsender.Notification.Kind.PIPELINE_FIRING;
import static io.thermowatch.emailsender.Notification.Kind.PIPELINE_RESOLVED;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.thermowatch.common.runtime.PipelineWatch;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class PipelineWatchdogTest {

    private final TwoClocks clock = new TwoClocks(Instant.parse("2026-11-27T12:00:00Z"));
    private final AtomicReference<Object> next = new AtomicReference<>();
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final PipelineWatchdog watchdog = new PipelineWatchdog(
            () -> {
                Object sample = next.get();
                if (sample instanceof IOException e) {
                    throw e;
                }
                return (PipelineWatch.Sample) sample;
            },
            new PipelineWatch(Duration.ofSeconds(30)),
            clock.wall,
            clock.ticker::nanos,
            registry);

    private List<String> look(int consumers, long backlog, long deadLetters) throws Exception {
        next.set(new PipelineWatch.Sample(consumers, backlog, deadLetters));
        clock.advance(Duration.ofSeconds(10));
        return watchdog.check().stream().map(n -> n.kind() + " " + n.sensorId()).toList();
    }

    @Test
    void db_writer_gone_gives_one_firing_and_its_return_one_resolved() throws Exception {
        assertEquals(List.of(), look(1, 0, 0));
        assertEquals(List.of(PIPELINE_FIRING + " DB_WRITER_NO_CONSUMER"), look(0, 10, 0));
        assertEquals(List.of(), look(0, 20, 0));
        assertEquals(
                1.0,
                registry.get("thermowatch.pipeline.condition")
                        .tag("condition", "db_writer_no_consumer")
                        .gauge()
                        .value());
        assertEquals(List.of(PIPELINE_RESOLVED + " DB_WRITER_NO_CONSUMER"), look(1, 0, 0));
        assertEquals(List.of(), look(1, 0, 0));
    }

    @Test
    void a_backlog_growing_longer_than_the_window_fires_and_resolves_when_it_goes_down() throws Exception {
        assertEquals(List.of(), look(1, 100, 0));
        assertEquals(List.of(), look(1, 200, 0));
        assertEquals(List.of(), look(1, 300, 0));
        // growing since the first look, 30 s ago
        assertEquals(List.of(PIPELINE_FIRING + " DB_WRITER_BACKLOG_GROWING"), look(1, 400, 0));
        assertEquals(List.of(PIPELINE_RESOLVED + " DB_WRITER_BACKLOG_GROWING"), look(1, 50, 0));
    }

    @Test
    void dead_letters_fire_until_the_queue_is_empty() throws Exception {
        assertEquals(List.of(PIPELINE_FIRING + " DEAD_LETTERS"), look(1, 0, 3));
        assertEquals(List.of(PIPELINE_RESOLVED + " DEAD_LETTERS"), look(1, 0, 0));
    }

    @Test
    void an_unreadable_management_api_changes_nothing() throws Exception {
        look(0, 0, 0);
        next.set(new IOException("connection refused"));
        assertEquals(List.of(), watchdog.check());
        assertEquals(List.of(), look(0, 0, 0));
    }

    @Test
    void a_pipeline_mail_names_the_condition_in_words() {
        MailComposer composer = new MailComposer(AlertRules.defaults(), ZoneOffset.UTC, "");
        ComposedMail mail = composer.compose(List.of(
                Notification.pipeline(PIPELINE_FIRING, PipelineWatch.Condition.DB_WRITER_NO_CONSUMER, Instant.now())));
        assertEquals(
                "Pipeline alert: thermowatch.db-writer has no consumer: readings are not being stored", mail.subject());
        ComposedMail grouped = composer.compose(List.of(
                Notification.pipeline(PIPELINE_RESOLVED, PipelineWatch.Condition.DEAD_LETTERS, Instant.now()),
                Notification.withReading(Notification.Kind.FIRING, "a", 30, Instant.now(), Instant.now())));
        assertEquals("Temperature Alerts: 1 firing, 1 pipeline resolved", grouped.subject());
        assertEquals(
                true,
                grouped.text().contains("PIPELINE RESOLVED: thermowatch.dead-letter is not empty"),
                grouped.text());
    }

    @Test
    void the_management_api_answer_is_read_for_consumers_and_messages() throws Exception {
        assertEquals(
                "QueueStats[consumers=2, messages=1234]",
                ManagementQueues.parse(
                                "{\"name\":\"thermowatch.db-writer\",\"arguments\":{\"x\":1},\"consumers\":2,\"messages\":1234}")
                        .toString());
    }
}
