package io.thermowatch.emailsender;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.rabbitmq.client.Address;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import io.thermowatch.common.PipelineWatch;
import io.thermowatch.common.Topics;
import io.thermowatch.testkit.MqttTestClient;
import io.thermowatch.testkit.ServiceEnv;
import io.thermowatch.testkit.ServiceProcess;
import io.thermowatch.testkit.Stack;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The pipeline watchdog on the real cluster: db-writer's consumer gone for 40 s while sensors publish gives exactly
 * one PIPELINE firing mail and one resolved mail. db-writer is played by a plain consumer with db-writer's
 * credentials (a service's tests never start another service's jar); the backlog window is left longer than the
 * stop, so "no consumer" is the one condition (backlog growth is unit-tested). Run serialized like every IT.
 */
class PipelineWatchdogIT {

    private static final String OPS = "ops@example.com";
    private static final String NO_CONSUMER = PipelineWatch.Condition.DB_WRITER_NO_CONSUMER.description();

    @Test
    void db_writer_stopped_for_a_while_gives_one_pipeline_firing_and_one_resolved_mail() throws Exception {
        Stack stack = Stack.get();
        stack.management().queueIfExists(PipelineWatch.DEAD_LETTER_QUEUE)
                .ifPresent(q -> stack.management().purge(PipelineWatch.DEAD_LETTER_QUEUE)); // other tests' leftovers
        ScheduledExecutorService sensors = Executors.newSingleThreadScheduledExecutor();
        try (SmtpServer smtp = new SmtpServer();
             MqttTestClient mqtt = MqttTestClient.connect(stack.mqttUri(), stack.sensor());
             FakeDbWriter dbWriter = new FakeDbWriter(stack)) {
            smtp.start();
            dbWriter.consume();
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> stack.management().queue(Topics.DB_WRITER_QUEUE).consumers() == 1);
            sensors.scheduleAtFixedRate(() -> {
                try {
                    mqtt.publish("temperature/it_pipeline", "{\"value\": 21.0, \"timestamp\": "
                            + System.currentTimeMillis() + "}");
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }, 0, 200, TimeUnit.MILLISECONDS);
            try (ServiceProcess process = ServiceProcess.start("email-sender", ServiceEnv.forEmailSender(stack)
                    .with("SMTP_HOST", "127.0.0.1")
                    .with("SMTP_PORT", Integer.toString(smtp.port()))
                    .with("EMAIL_TO", OPS)
                    .with("ALERT_GROUP_WAIT", "1s")
                    .with("RABBITMQ_MANAGEMENT_URL", stack.managementUri().toString())
                    .with("RABBITMQ_MONITOR_USER", stack.monitor().username())
                    .with("RABBITMQ_MONITOR_PASS", stack.monitor().password())
                    .with("PIPELINE_CHECK_INTERVAL", "1s")
                    .with("PIPELINE_BACKLOG_GROWTH_FOR", "2m")
                    .build())) {
                process.awaitReady(Duration.ofSeconds(60));
                // Given: a healthy pipeline makes no pipeline mail
                await().during(Duration.ofSeconds(5)).atMost(Duration.ofSeconds(8))
                        .until(() -> pipelineMails(smtp).isEmpty());
                // When: db-writer is gone for 40 s
                dbWriter.stop();
                // statistics up to 5 s old + email-sender's 10 s confirmation + a look + the group wait
                await().atMost(Duration.ofSeconds(30)).until(() -> pipelineMails(smtp).size() == 1);
                assertEquals(List.of("Pipeline alert: " + NO_CONSUMER), pipelineMails(smtp));
                await().during(Duration.ofSeconds(35)).atMost(Duration.ofSeconds(40))
                        .until(() -> pipelineMails(smtp).size() == 1);
                // And comes back
                dbWriter.consume();
                // Then: one resolved mail, and nothing more
                await().atMost(Duration.ofSeconds(20)).until(() -> pipelineMails(smtp).size() == 2);
                await().during(Duration.ofSeconds(5)).atMost(Duration.ofSeconds(8))
                        .until(() -> pipelineMails(smtp).size() == 2);
                assertEquals(List.of("Pipeline alert: " + NO_CONSUMER, "Pipeline resolved: " + NO_CONSUMER),
                        pipelineMails(smtp));
            }
        } finally {
            sensors.shutdownNow();
        }
    }

    private static List<String> pipelineMails(SmtpServer smtp) {
        return smtp.mailsTo(OPS).stream().map(SmtpServer.Mail::subject).filter(s -> s.contains("Pipeline")).toList();
    }

    /** Consumes db-writer's queue with db-writer's credentials, acking everything: db-writer, as the broker sees it. */
    private static final class FakeDbWriter implements AutoCloseable {
        private final Connection connection;
        private Channel channel;

        FakeDbWriter(Stack stack) throws Exception {
            ConnectionFactory factory = new ConnectionFactory();
            factory.setUsername(stack.dbWriter().username());
            factory.setPassword(stack.dbWriter().password());
            factory.setAutomaticRecoveryEnabled(false);
            connection = factory.newConnection(stack.amqpAddresses().stream().map(Address::parseAddress).toList(),
                    "PipelineWatchdogIT");
        }

        void consume() throws Exception {
            channel = connection.createChannel();
            channel.basicQos(500);
            channel.basicConsume(Topics.DB_WRITER_QUEUE, true, (tag, delivery) -> { }, tag -> { });
        }

        void stop() throws Exception {
            channel.close();
            channel = null;
        }

        @Override
        public void close() throws Exception {
            connection.close();
        }
    }
}
