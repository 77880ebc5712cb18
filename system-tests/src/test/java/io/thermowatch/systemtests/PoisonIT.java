package io.thermowatch.systemtests;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.rabbitmq.client.Address;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import io.thermowatch.testkit.QueueProbe;
import io.thermowatch.testkit.ServiceEnv;
import io.thermowatch.testkit.ServiceProcess;
import io.thermowatch.testkit.Stack;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Long outages, dead letters and big payloads, counted (issue 13): nothing is lost, nothing doubled, nothing left
 * in {@code thermowatch.dead-letter}, and db-writer never crashes on a flood of big messages.
 *
 * <p>The long database outage with db-writer restarts, past a lowered {@code consumer_timeout}, is
 * {@code LongOutageIT}'s. db-writer runs alone here (no email-sender or dashboard): these are its guarantees. A broker that was started
 * from older definitions (the shared native stack runs for days) is first brought up to this checkout's
 * db-writer permission and consumer-queue policy, read from rabbitmq/definitions.template.json. Each test starts
 * the db-writer it needs (stopped after it), so any one runs alone and in any order.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PoisonIT {

    private static final Logger log = LoggerFactory.getLogger(PoisonIT.class);
    private static final String DEAD_LETTER_QUEUE = "thermowatch.dead-letter";
    private static final Duration COUNT_TIMEOUT = Duration.ofSeconds(120);
    private static final List<String> JVM = List.of("-Xmx160m", "-XX:+UseSerialGC");
    /** Compose's heap; an OutOfMemoryError ends the process, as in the containers, so a crash cannot hide. */
    private static final List<String> PRODUCTION_HEAP =
            List.of("-Xmx384m", "-XX:+UseSerialGC", "-XX:+ExitOnOutOfMemoryError");
    /** rabbitmq.conf's max_message_size: the largest payload the broker accepts. */
    private static final int LARGEST_ACCEPTED = 16_384;

    private Stack stack;
    private Rows rows;
    private String run;
    /** The test's current db-writer process, if any. */
    private ServiceProcess writer;

    @BeforeAll
    void bringTheBrokerToTheseDefinitions() throws IOException {
        stack = Stack.get();
        stack.awaitClusterComplete(Duration.ofMinutes(3));
        rows = new Rows(stack);
        run = "pz" + Long.toString(System.currentTimeMillis() % 1_000_000_000L, 36)
                + Integer.toString(ThreadLocalRandom.current().nextInt(36 * 36), 36);
        JsonNode definitions = new ObjectMapper()
                .readTree(Files.readString(stack.root().resolve("rabbitmq/definitions.template.json")));
        String user = stack.dbWriter().username();
        for (JsonNode permission : definitions.path("permissions")) {
            if (permission.path("user").asText().equals("@AMQP_DBWRITER_USER@")) {
                stack.management()
                        .put(
                                "/api/permissions/%2F/" + user,
                                String.format(
                                        "{\"configure\":%s,\"write\":%s,\"read\":%s}",
                                        permission.path("configure"),
                                        permission.path("write"),
                                        permission.path("read")));
            }
        }
        for (JsonNode policy : definitions.path("policies")) {
            if (policy.path("name").asText().equals("thermowatch-consumer-queues")) {
                stack.management()
                        .put(
                                "/api/policies/%2F/" + policy.path("name").asText(),
                                String.format(
                                        "{\"pattern\":%s,\"apply-to\":%s,\"priority\":%s,\"definition\":%s}",
                                        policy.path("pattern"),
                                        policy.path("apply-to"),
                                        policy.path("priority"),
                                        policy.path("definition")));
            }
        }
        try (QueueProbe probe = stack.queueProbe()) {
            probe.purge(Stack.DB_WRITER_QUEUE);
        }
    }

    @AfterEach
    void stopDbWriter() {
        if (writer != null) {
            writer.close();
            writer = null;
        }
    }

    @Test
    void a_message_forced_into_the_dead_letter_queue_is_stored_or_rejected_not_left_there() throws Exception {
        writer = startDbWriter(JVM);
        long timestamp = System.currentTimeMillis() - 60_000;
        String good = run + "_dl";
        String junk = run + "_dljunk";
        try (QueueProbe probe = stack.queueProbe()) {
            // Straight into the queue through the default exchange, as RabbitMQ would after delivery-limit
            probe.publishDeadLetter(
                    DEAD_LETTER_QUEUE,
                    Stack.DB_WRITER_QUEUE,
                    "temperature." + good,
                    ("{\"value\": 21.5, \"timestamp\": " + timestamp + "}").getBytes(StandardCharsets.UTF_8));
            probe.publishDeadLetter(
                    DEAD_LETTER_QUEUE,
                    Stack.DB_WRITER_QUEUE,
                    "temperature." + junk,
                    "not a reading".getBytes(StandardCharsets.UTF_8));
        }
        rows.awaitExactlyOnce(good, List.of(timestamp), List.of(timestamp), COUNT_TIMEOUT);
        await("the undecodable dead letter kept as a reject with its x-death reason")
                .atMost(COUNT_TIMEOUT)
                .until(() -> rows.rejectedLike(junk)
                                .getOrDefault("temperature." + junk, List.of())
                                .size()
                        == 1);
        String reason = rows.rejectedLike(junk).get("temperature." + junk).get(0);
        assertTrue(
                reason.startsWith("dead-lettered (delivery_limit from thermowatch.db-writer): not valid JSON"), reason);
        awaitDeadLetterQueueEmpty();
    }

    @Test
    void big_payloads_beyond_the_heap_neither_crash_db_writer_nor_keep_good_readings_out() throws Exception {
        // No db-writer runs while the payloads are queued: it meets them all at once when it starts.
        int big = Integer.getInteger("poison.big.count", 30_000); // 30,000 x 16 KiB = 480 MiB, 1.25x the heap
        String goodSensor = run + "_good";
        String bigSensor = run + "_big";
        List<Long> goodTimestamps = new ArrayList<>();
        long t0 = System.currentTimeMillis() - 3_600_000;
        byte[] bigPayload = new byte[LARGEST_ACCEPTED];
        Arrays.fill(bigPayload, (byte) 'x');
        int refused = 0;
        try (Connection connection = adminConnection()) {
            Channel channel = connection.createChannel();
            channel.confirmSelect();
            for (int i = 0; i < big; i++) {
                channel.basicPublish(Stack.EXCHANGE, "temperature." + bigSensor, null, bigPayload);
                if (i % 30 == 0 && goodTimestamps.size() < 1000) {
                    long t = t0 + goodTimestamps.size();
                    goodTimestamps.add(t);
                    channel.basicPublish(
                            Stack.EXCHANGE,
                            "temperature." + goodSensor,
                            null,
                            ("{\"value\": 20.0, \"timestamp\": " + t + "}").getBytes(StandardCharsets.UTF_8));
                }
                if (i % 500 == 499) {
                    channel.waitForConfirmsOrDie(60_000);
                }
            }
            while (goodTimestamps.size() < 1000) {
                long t = t0 + goodTimestamps.size();
                goodTimestamps.add(t);
                channel.basicPublish(
                        Stack.EXCHANGE,
                        "temperature." + goodSensor,
                        null,
                        ("{\"value\": 20.0, \"timestamp\": " + t + "}").getBytes(StandardCharsets.UTF_8));
            }
            channel.waitForConfirmsOrDie(60_000);
            channel.close();
            // One byte over the limit: a broker running rabbitmq.conf refuses it (channel error); one that does not
            // (older configuration) accepts it and db-writer must keep it as a reject.
            for (int i = 0; i < 3; i++) {
                try (Channel oversize = connection.createChannel()) {
                    oversize.confirmSelect();
                    oversize.basicPublish(
                            Stack.EXCHANGE, "temperature." + bigSensor, null, new byte[LARGEST_ACCEPTED + 1]);
                    oversize.waitForConfirmsOrDie(10_000);
                } catch (IOException | RuntimeException | java.util.concurrent.TimeoutException e) {
                    refused++;
                }
            }
        }
        log.info(
                "poison - {} payloads of {} bytes and 1000 good readings queued; {} of 3 oversize refused",
                big,
                LARGEST_ACCEPTED,
                refused);

        writer = startDbWriter(PRODUCTION_HEAP);
        long expectedRejects = big + (3 - refused);
        await("every big payload kept as a reject, db-writer alive")
                .atMost(Duration.ofMinutes(4))
                .pollInterval(Duration.ofSeconds(2))
                .until(() -> {
                    assertTrue(writer.isAlive(), "db-writer died:\n" + writer.tail());
                    return rows.rejectedCount("temperature." + bigSensor) >= expectedRejects;
                });
        rows.awaitExactlyOnce(goodSensor, goodTimestamps, goodTimestamps, COUNT_TIMEOUT);
        assertEquals(expectedRejects, rows.rejectedCount("temperature." + bigSensor), "rejects, none doubled");
        assertTrue(writer.isAlive(), "db-writer still running");
        assertTrue(!writer.output().contains("OutOfMemoryError"), "no OutOfMemoryError:\n" + writer.tail());
        await("db-writer's queue drained")
                .atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofSeconds(1))
                .until(() -> stack.management().queue(Stack.DB_WRITER_QUEUE).messages() == 0);
        awaitDeadLetterQueueEmpty();
    }

    // ------------------------------------------------------------------------------------------------

    private ServiceProcess startDbWriter(List<String> jvm) {
        Map<String, String> env =
                ServiceEnv.forDbWriter(stack).with("BATCH_MAX_WAIT", "1s").build();
        ServiceProcess process = ServiceProcess.start("db-writer", env, jvm);
        process.awaitReady(Duration.ofSeconds(90));
        return process;
    }

    private void awaitDeadLetterQueueEmpty() {
        await(DEAD_LETTER_QUEUE + " drained")
                .atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofSeconds(1))
                .until(() -> stack.management().queue(DEAD_LETTER_QUEUE).messages() == 0);
    }

    private Connection adminConnection() throws Exception {
        ConnectionFactory factory = new ConnectionFactory();
        factory.setUsername(stack.admin().username());
        factory.setPassword(stack.admin().password());
        factory.setVirtualHost("/");
        factory.setAutomaticRecoveryEnabled(false);
        return factory.newConnection(List.of(Address.parseAddress(stack.amqpAddress())), "poison-it");
    }
}
