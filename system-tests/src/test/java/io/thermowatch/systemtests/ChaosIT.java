package io.thermowatch.systemtests;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.thermowatch.testkit.Mailbox;
import io.thermowatch.testkit.MqttTestClient;
import io.thermowatch.testkit.ServiceProcess;
import io.thermowatch.testkit.Stack;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Chaos, counted: a steady stream (three test publishers at 10 readings/s each, one of them through HAProxy only,
 * plus a real sensor process at 5/s) runs through the whole class while nodes, PostgreSQL, db-writer, SMTP and
 * HAProxy are stopped or killed. Each test ends with its verdict ({@link #assertRecoveredAndCountedExactlyOnce}):
 * each acknowledged reading has exactly one row (and no row was never sent), every service's {@code /readyz} is
 * green within 30 s, and no queue without a consumer grows. What a step breaks is restored in {@code finally}, and
 * each test starts from a recovered system, so any one runs alone and in any order.
 *
 * <p>Every node is stopped and SIGKILLed in turn, the db-writer queue's leader first each way. Outage lengths:
 * {@code -Dchaos.postgres.outage.seconds} and {@code -Dchaos.smtp.outage.seconds} (default 20 each: here they
 * only have to overlap the stream; the long outages, past a lowered {@code consumer_timeout} and with restarts,
 * are {@code LongOutageIT}'s).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ChaosIT {

    private static final Logger log = LoggerFactory.getLogger(ChaosIT.class);
    private static final Duration COUNT_TIMEOUT = Duration.ofSeconds(90);
    private static final int RECOVERY_SECONDS = 30;
    private static final Duration RECOVERY = Duration.ofSeconds(RECOVERY_SECONDS);

    private SystemUnderTest system;
    private Stack stack;
    private Rows rows;
    private Chaos chaos;
    private CountedStream stream;
    private ServiceProcess sensor;

    @BeforeAll
    void startTheSystemAndTheStream() throws Exception {
        // a one-second batch window: a db-writer kill always finds a batch in flight
        system = SystemUnderTest.start(Duration.ofMinutes(10), Map.of("BATCH_MAX_WAIT", "1s"), Map.of());
        stack = system.stack;
        rows = new Rows(stack);
        chaos = new Chaos(stack);
        sensor = system.startSensor("chaos", Map.of("SENSOR_ID", system.run + "_svc", "PUBLISH_INTERVAL", "200ms"));
        system.awaitAllReady(SystemUnderTest.READY);
        stream = CountedStream.start(stack, system.run, 3, Duration.ofMillis(100), Set.of(2));
        awaitStreamProgress(20);
    }

    @BeforeEach
    void startFromARecoveredSystem() {
        // a test that failed half-way has restored what it broke (finally) but may not have seen it recover
        system.awaitAllReady(RECOVERY);
        SystemUnderTest.awaitEveryNodeAcceptsMqtt(stack, RECOVERY);
        awaitStreamProgress(20);
    }

    /** The class's final count: the stream's tail after the last test, and every reading the sensor logged. */
    @AfterAll
    void stopEverything() {
        try {
            if (stream != null) {
                stream.close();
                stream.assertExactlyOnce(rows, COUNT_TIMEOUT);
            }
            if (sensor != null && sensor.isAlive()) {
                sensor.sigterm();
                sensor.awaitExit(Duration.ofSeconds(30));
                SystemUnderTest.producedBy(sensor)
                        .forEach((id, timestamps) -> rows.awaitExactlyOnce(id, timestamps, timestamps, COUNT_TIMEOUT));
            }
        } finally {
            if (system != null) {
                system.close();
            }
        }
    }

    /**
     * Each node stopped once and SIGKILLed once, restarted each time; within each way the node leading
     * {@code thermowatch.db-writer} at that moment goes first, so the queue's leader is both stopped and killed
     * (the failover that matters most), and the remaining nodes follow.
     */
    @Test
    void stopping_and_killing_every_node_in_turn_leader_first_loses_and_doubles_nothing() {
        for (String way : List.of("stop", "kill")) {
            List<Integer> pending = new ArrayList<>(List.of(1, 2, 3).subList(0, Stack.NODES));
            while (!pending.isEmpty()) {
                int leader = chaos.leaderOf(Stack.DB_WRITER_QUEUE);
                int node = pending.contains(leader) ? leader : pending.get(0);
                pending.remove(Integer.valueOf(node));
                log.info("chaos - {} rabbit{} (leader of {} is rabbit{})", way, node, Stack.DB_WRITER_QUEUE, leader);
                takeDownAndRestart(way, node);
                // counted after each node too, so that a loss is pinned to the step that caused it
                system.awaitAllReady(RECOVERY);
                stream.assertExactlyOnce(rows, COUNT_TIMEOUT);
            }
        }
        assertRecoveredAndCountedExactlyOnce();
    }

    @Test
    void postgresql_stopped_for_a_while_loses_and_doubles_nothing() {
        Duration outage = Duration.ofSeconds(Long.getLong("chaos.postgres.outage.seconds", 20));
        long before = rows.count(stream.sensorIds().get(0));
        try {
            stack.stopPostgres();
            // the broker keeps acknowledging publishes for the whole outage
            long acked = stream.totalAcknowledged();
            await("publishes acknowledged during a " + outage.toSeconds() + " s database outage")
                    .atMost(outage.plusSeconds(10))
                    .pollDelay(outage)
                    .until(() -> {
                        stream.assertHealthy();
                        return stream.totalAcknowledged() > acked + outage.toSeconds() * 10;
                    });
        } finally {
            stack.startPostgres();
        }
        await("rows arrive again after the outage")
                .atMost(COUNT_TIMEOUT)
                .until(() -> rows.count(stream.sensorIds().get(0)) > before);
        assertRecoveredAndCountedExactlyOnce();
    }

    @Test
    void killing_db_writer_mid_batch_loses_and_doubles_nothing() {
        ServiceProcess writer = system.service("db-writer");
        await("db-writer holding unacknowledged deliveries")
                .atMost(Duration.ofSeconds(20))
                .pollInterval(Duration.ofMillis(200))
                .until(() -> stack.management().queue(Stack.DB_WRITER_QUEUE).messagesUnacknowledged() > 0);

        writer.sigkill();
        writer.awaitExit(Duration.ofSeconds(10));
        awaitStreamProgress(30);
        system.startService("db-writer").awaitReady(SystemUnderTest.READY);
        assertRecoveredAndCountedExactlyOnce();
    }

    @Test
    void an_alert_crossing_the_threshold_while_smtp_is_down_arrives_afterwards_exactly_once() throws Exception {
        Duration outage = Duration.ofSeconds(Long.getLong("chaos.smtp.outage.seconds", 20));
        String hot = system.run + "_smtp";
        Mailbox mailbox = stack.mailbox();
        try {
            stack.stopSmtp();
            try (MqttTestClient client = MqttTestClient.connect(stack.mqttUri(), stack.sensor())) {
                client.publish(
                        "temperature/" + hot,
                        "{\"value\": 20.0, \"timestamp\": " + (System.currentTimeMillis() - 1) + "}");
                client.publish(
                        "temperature/" + hot, "{\"value\": 33.3, \"timestamp\": " + System.currentTimeMillis() + "}");
            }
            await("the SMTP outage lasts " + outage.toSeconds() + " s")
                    .pollDelay(outage)
                    .atMost(outage.plusSeconds(5))
                    .until(() -> {
                        stream.assertHealthy();
                        return true;
                    });
        } finally {
            stack.startSmtp();
        }
        mailbox.awaitMessages(system.mailTo, m -> isFiring(m, hot), 1, Duration.ofSeconds(60));
        await("exactly one alert for " + hot)
                .during(Duration.ofSeconds(5))
                .atMost(Duration.ofSeconds(8))
                .until(() -> mailbox.messages(system.mailTo).stream()
                                .filter(m -> isFiring(m, hot))
                                .count()
                        == 1);
        assertRecoveredAndCountedExactlyOnce();
    }

    @Test
    void after_a_haproxy_restart_every_client_reconnects_by_itself() {
        int reconnectsBefore = stream.reconnects();

        chaos.restartHaproxy();

        // the HAProxy-only publisher (and every service, all behind HAProxy) reconnected by itself
        await("the HAProxy-only publisher reconnected")
                .atMost(RECOVERY)
                .until(() -> stream.reconnects() > reconnectsBefore);
        awaitStreamProgress(30);
        assertTrue(sensor.isAlive(), "sensor alive");
        assertRecoveredAndCountedExactlyOnce();
    }

    // ------------------------------------------------------------------------------------------------

    /**
     * The verdict of every step: every service ready again within {@value #RECOVERY_SECONDS} s, every node accepts
     * MQTT, no queue without a consumer grows, the stream flows, and each acknowledged reading has exactly one row.
     */
    private void assertRecoveredAndCountedExactlyOnce() {
        system.awaitAllReady(RECOVERY);
        SystemUnderTest.awaitEveryNodeAcceptsMqtt(stack, RECOVERY);
        chaos.assertNoOrphanedGrowingQueue();
        awaitStreamProgress(20);
        stream.assertExactlyOnce(rows, COUNT_TIMEOUT);
    }

    /** Stops ("stop") or SIGKILLs ("kill") a node, lets the stream flow without it, and starts it again. */
    private void takeDownAndRestart(String way, int node) {
        try {
            if (way.equals("stop")) {
                stack.stopNode(node);
            } else {
                stack.killNode(node);
            }
            awaitStreamProgress(50);
        } finally {
            stack.startNode(node);
        }
    }

    /** Waits until the stream had {@code readings} more acknowledged (it is flowing), failing if a publisher gave up. */
    private void awaitStreamProgress(int readings) {
        long start = stream.totalAcknowledged();
        await(readings + " more acknowledged readings")
                .atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(200))
                .until(() -> {
                    stream.assertHealthy();
                    return stream.totalAcknowledged() >= start + readings;
                });
    }

    private static boolean isFiring(Mailbox.Mail mail, String sensor) {
        return mail.subject() != null
                && mail.subject().startsWith("Temperature Alert: ")
                && mail.subject().endsWith(" on temperature/" + sensor);
    }
}
