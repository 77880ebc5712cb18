package io.thermowatch.testkit;

import static io.thermowatch.testkit.Stack.DB_WRITER_QUEUE;
import static io.thermowatch.testkit.Stack.EMAIL_SENDER_QUEUE;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.thermowatch.testkit.QueueProbe.Message;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A node going away (gracefully or SIGKILL) costs no acknowledged reading: sensors keep publishing through
 * HAProxy (Paho reconnects, the failed publish is retried), the quorum queues keep every acknowledged message,
 * and the node rejoins. Node 2 is always started again, so the cluster is whole after every test.
 */
class NodeFailureIT {

    private static final Logger log = LoggerFactory.getLogger(NodeFailureIT.class);
    private static final int NODE = 2;
    private static final int PUBLISHERS = 3;
    private static final Duration PUBLISH_PAUSE = Duration.ofMillis(40);
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    private static Stack stack;

    @BeforeAll
    static void wholeCluster() {
        stack = Stack.get();
        stack.awaitClusterComplete(Duration.ofMinutes(2));
    }

    @AfterAll
    static void leaveTheClusterWhole() {
        try {
            stack.awaitClusterComplete(Duration.ofSeconds(30));
        } catch (AssertionError incomplete) {
            log.warn("cluster incomplete after the tests ({}); starting node {}", incomplete.getMessage(), NODE);
            stack.startNode(NODE);
        }
    }

    @Test
    void publishes_through_haproxy_survive_a_stopped_node_the_queues_keep_every_acknowledged_one_and_it_rejoins()
            throws Exception {
        assertNoAcknowledgedReadingLost("stop", stack::stopNode);
    }

    @Test
    void publishes_through_haproxy_survive_a_killed_node_the_queues_keep_every_acknowledged_one_and_it_rejoins()
            throws Exception {
        assertNoAcknowledgedReadingLost("kill", stack::killNode);
    }

    private void assertNoAcknowledgedReadingLost(String purpose, IntConsumer failure) throws Exception {
        // Given: sensors publishing through HAProxy, like real ones (automatic reconnect, retry until PUBACK)
        String sensorId = Markers.sensorId(purpose);
        try (QueueProbe probe = stack.queueProbe()) {
            for (String queue : List.of(DB_WRITER_QUEUE, EMAIL_SENDER_QUEUE)) {
                assertEquals(0, probe.consumerCount(queue), queue + " has consumers: stop the services first");
            }
        }
        log.info(
                "{} - {} leader before: {}",
                purpose,
                DB_WRITER_QUEUE,
                stack.quorumMembership(DB_WRITER_QUEUE).leader());
        Workload workload = new Workload(sensorId);
        workload.start();
        try {
            workload.awaitAcknowledged(50);

            // When
            failure.accept(NODE);
            int atFailure = workload.acknowledged();
            log.info("{} - node {} down after {} acknowledged readings", purpose, NODE, atFailure);

            // Then: publishing goes on
            workload.awaitAcknowledged(atFailure + 150);
        } finally {
            workload.stop();
            stack.startNode(NODE);
        }
        assertEquals(Stack.NODES, stack.management(NODE).runningNodes().size(), "node " + NODE + " rejoined");
        log.info(
                "{} - {} readings acknowledged, {} publish attempts failed and were retried, {} reconnects",
                purpose,
                workload.acknowledged(),
                workload.retries(),
                workload.homeNodeReconnects());
        assertTrue(workload.errors().isEmpty(), "publishers failed: " + workload.errors());
        assertTrue(workload.homeNodeReconnects() >= 1, "the sensor on node " + NODE + " never reconnected");

        // Then: every acknowledged reading is in both quorum queues (duplicates allowed: retries)
        Set<String> acknowledged = workload.acknowledgedPayloads();
        try (QueueProbe probe = stack.queueProbe()) {
            for (String queue : List.of(DB_WRITER_QUEUE, EMAIL_SENDER_QUEUE)) {
                Set<String> stored = new HashSet<>();
                List<Message> messages = probe.awaitMessages(
                        queue,
                        m -> m.routingKey().startsWith("temperature." + sensorId),
                        kept -> {
                            kept.forEach(m -> stored.add(m.bodyText()));
                            return stored.containsAll(acknowledged);
                        },
                        TIMEOUT);
                log.info(
                        "{} - {}: {} messages, {} unique, {} acknowledged",
                        purpose,
                        queue,
                        messages.size(),
                        stored.size(),
                        acknowledged.size());
            }
        }
    }

    /** {@value #PUBLISHERS} sensors, each its own connection through HAProxy, publishing unique readings. */
    private static final class Workload {

        private final String sensorId;
        private final Set<String> acknowledged = ConcurrentHashMap.newKeySet();
        private final List<Throwable> errors = new java.util.concurrent.CopyOnWriteArrayList<>();
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final AtomicInteger retries = new AtomicInteger();
        private final List<Thread> threads = new ArrayList<>();
        private final List<MqttTestClient> clients = new ArrayList<>();

        Workload(String sensorId) {
            this.sensorId = sensorId;
        }

        void start() throws Exception {
            for (int p = 0; p < PUBLISHERS; p++) {
                // Publisher 0 is a sensor whose home is the failing node (its own URI first, then HAProxy),
                // so a reconnect and retry happen for sure; the others go through HAProxy only.
                List<String> uris =
                        p == 0 ? List.of(stack.nodeMqttUri(NODE), stack.mqttUri()) : List.of(stack.mqttUri());
                MqttTestClient client = MqttTestClient.connect(uris, stack.sensor(), true);
                clients.add(client);
                String topic = "temperature/" + sensorId + "-" + p;
                Thread thread = new Thread(() -> publish(client, topic), "publisher-" + p);
                threads.add(thread);
                thread.start();
            }
        }

        private void publish(MqttTestClient client, String topic) {
            try (client) {
                for (int n = 0; running.get(); n++) {
                    String payload = "{\"value\":" + (20 + n % 10) + ",\"timestamp\":" + System.currentTimeMillis()
                            + ",\"seq\":\"" + topic + "/" + n + "\"}";
                    retries.addAndGet(
                            client.publishUntilAcknowledged(topic, payload.getBytes(StandardCharsets.UTF_8), TIMEOUT));
                    acknowledged.add(payload);
                    Stack.pause(PUBLISH_PAUSE);
                }
            } catch (Throwable e) {
                errors.add(e);
            }
        }

        void awaitAcknowledged(int count) {
            await(count + " readings acknowledged")
                    .atMost(TIMEOUT)
                    .pollInterval(Duration.ofMillis(50))
                    .until(() -> {
                        if (!errors.isEmpty()) {
                            throw new AssertionError("publishers failed: " + errors, errors.get(0));
                        }
                        return acknowledged.size() >= count;
                    });
        }

        void stop() throws InterruptedException {
            running.set(false);
            for (Thread thread : threads) {
                thread.join(TIMEOUT.toMillis());
            }
        }

        int acknowledged() {
            return acknowledged.size();
        }

        /** Reconnects of the publisher whose home is the failing node. */
        int homeNodeReconnects() {
            return clients.get(0).reconnects();
        }

        int retries() {
            return retries.get();
        }

        Set<String> acknowledgedPayloads() {
            return Set.copyOf(acknowledged);
        }

        List<Throwable> errors() {
            return errors;
        }
    }
}
