package io.thermowatch.emailsender;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.thermowatch.testkit.MqttTestClient;
import io.thermowatch.testkit.QueueProbe;
import io.thermowatch.testkit.ServiceEnv;
import io.thermowatch.testkit.ServiceProcess;
import io.thermowatch.testkit.Stack;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Issue 12's SMTP dead-end: {@code EMAIL_TO=good@…,bad@…} against a server that answers {@code 550 5.1.1} to bad@
 * only. good@ must get every alert, and nothing may be retried forever. Real cluster, in-test SMTP server.
 */
class RecipientRefusedIT {

    private static final String GOOD = "good@example.com";
    private static final String BAD = "bad@example.com";

    @Test
    void with_one_of_two_recipients_refused_for_good_the_other_gets_every_alert() throws Exception {
        Stack stack = Stack.get();
        try (QueueProbe probe = stack.queueProbe()) {
            probe.purge(Stack.EMAIL_SENDER_QUEUE);
        }
        try (RefusingSmtpServer smtp = new RefusingSmtpServer(Set.of(BAD), Integer.MAX_VALUE);
                MqttTestClient mqtt = MqttTestClient.connect(stack.mqttUri(), stack.sensor());
                ServiceProcess process = ServiceProcess.start(
                        "email-sender",
                        ServiceEnv.forEmailSender(stack)
                                .with("SMTP_HOST", "127.0.0.1")
                                .with("SMTP_PORT", Integer.toString(smtp.port()))
                                .with("SMTP_RETRY_MAX_DELAY", "1s")
                                .with("EMAIL_TO", GOOD + "," + BAD)
                                .with("ALERT_GROUP_WAIT", "1s")
                                .build())) {
            process.awaitReady(Duration.ofSeconds(60));
            String first = "it_refused_" + UUID.randomUUID().toString().substring(0, 8);
            String second = "it_refused_" + UUID.randomUUID().toString().substring(0, 8);
            // When: a hot reading for one sensor, then, after its mail, one for a second
            mqtt.publish(
                    "temperature/" + first, "{\"value\": 31.0, \"timestamp\": " + System.currentTimeMillis() + "}");
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> subjectsTo(smtp, GOOD).size() == 1);
            mqtt.publish(
                    "temperature/" + second, "{\"value\": 32.0, \"timestamp\": " + System.currentTimeMillis() + "}");
            // Then: two separate mails (the second is not merged into a failed one), bad@ never, queue drained
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> subjectsTo(smtp, GOOD).size() == 2);
            assertEquals(
                    List.of(
                            "Temperature Alert: 31.0°C on temperature/" + first,
                            "Temperature Alert: 32.0°C on temperature/" + second),
                    subjectsTo(smtp, GOOD));
            assertEquals(List.of(), smtp.mailsTo(BAD));
            process.awaitOutput("SMTP refused recipient " + BAD, Duration.ofSeconds(5));
            await().atMost(Duration.ofSeconds(20))
                    .until(() ->
                            stack.management().queue(Stack.EMAIL_SENDER_QUEUE).messages() == 0);
        }
    }

    /** Subjects of mails to {@code to} about this test's sensors (others may publish into the same queue). */
    private static List<String> subjectsTo(RefusingSmtpServer smtp, String to) {
        return smtp.mailsTo(to).stream()
                .map(RefusingSmtpServer.Mail::subject)
                .filter(s -> s.contains("it_refused_"))
                .toList();
    }
}
