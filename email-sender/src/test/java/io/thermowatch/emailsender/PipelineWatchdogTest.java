package io.thermowatch.emailsender;

import static io.thermowatch.emailsender.Notification.Kind.PIPELINE_FIRING;
import static io.thermowatch.emailsender.Notification.Kind.PIPELINE_RESOLVED;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.sun.net.httpserver.HttpServer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.thermowatch.common.runtime.PipelineWatch;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
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
        return look(consumers, backlog, deadLetters, 0);
    }

    private List<String> look(int consumers, long backlog, long deadLetters, long emailSenderDeadLetters)
            throws Exception {
        next.set(new PipelineWatch.Sample(consumers, backlog, deadLetters, emailSenderDeadLetters));
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
    void email_senders_own_dead_letters_fire_until_its_queue_is_empty() throws Exception {
        assertEquals(List.of(PIPELINE_FIRING + " EMAIL_SENDER_DEAD_LETTERS"), look(1, 0, 0, 2));
        assertEquals(List.of(), look(1, 0, 0, 1));
        assertEquals(List.of(PIPELINE_RESOLVED + " EMAIL_SENDER_DEAD_LETTERS"), look(1, 0, 0, 0));
        ComposedMail mail = new MailComposer(AlertRules.defaults(), ZoneOffset.UTC, "")
                .compose(List.of(Notification.pipeline(
                        PIPELINE_FIRING, PipelineWatch.Condition.EMAIL_SENDER_DEAD_LETTERS, Instant.now())));
        assertEquals(
                "Pipeline alert: thermowatch.email-sender.dead-letter is not empty: alert messages were given up on",
                mail.subject());
    }

    @Test
    void the_management_api_is_sampled_for_db_writers_queue_and_both_dead_letter_queues() throws Exception {
        // Given: a management API answering for the three queues (the real one's shape, columns trimmed)
        Map<String, String> answers = Map.of(
                "thermowatch.db-writer", "{\"name\":\"thermowatch.db-writer\",\"consumers\":2,\"messages\":40}",
                "thermowatch.dead-letter", "{\"name\":\"thermowatch.dead-letter\",\"consumers\":1,\"messages\":3}",
                "thermowatch.email-sender.dead-letter",
                        "{\"name\":\"thermowatch.email-sender.dead-letter\",\"consumers\":1,\"messages\":5}");
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            String path = exchange.getRequestURI().getRawPath();
            String body = answers.get(path.substring(path.lastIndexOf('/') + 1));
            byte[] bytes = (body == null ? "{}" : body).getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(body == null ? 404 : 200, bytes.length);
            exchange.getResponseBody().write(bytes);
            exchange.close();
        });
        server.start();
        try {
            ManagementQueues queues = new ManagementQueues(new PipelineWatchSettings(
                    URI.create("http://127.0.0.1:" + server.getAddress().getPort()),
                    "monitor",
                    "secret",
                    Duration.ofSeconds(15),
                    Duration.ofMinutes(3)));
            // When
            PipelineWatch.Sample sample = queues.sample();
            // Then
            assertEquals(new PipelineWatch.Sample(2, 40, 3, 5), sample);
        } finally {
            server.stop(0);
        }
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
