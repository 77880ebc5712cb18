package io.thermowatch.common.amqp;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.rabbitmq.client.Address;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import io.thermowatch.common.config.AmqpSettings;
import io.thermowatch.common.runtime.WorkerSupervisor;
import io.thermowatch.testkit.Stack;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The consumer life cycle against the real cluster (through HAProxy), on a quorum queue of its own so the
 * services' queues are never touched. Run alone:
 * {@code flock /tmp/thermowatch-it.lock ./mvnw -B -pl common -am verify -Dit.test=AmqpConsumerIT}.
 */
class AmqpConsumerIT {

    private static final Duration WAIT = Duration.ofSeconds(30);

    private final Stack stack = Stack.get();
    private final String queue =
            "it.amqp-consumer." + UUID.randomUUID().toString().substring(0, 8);
    private final String connectionName =
            "amqp-consumer-it-" + UUID.randomUUID().toString().substring(0, 8);
    private Connection admin;
    private Connection connection;
    private AmqpConsumer consumer;
    private final List<String> deaths = new CopyOnWriteArrayList<>();
    private final WorkerSupervisor workers = new WorkerSupervisor("amqp-consumer-it", () -> deaths.add("died"));

    @BeforeEach
    void declareQueueAndConnect() throws Exception {
        AmqpSettings settings = new AmqpSettings(
                List.of(Address.parseAddress(stack.amqpAddress())),
                stack.admin().username(),
                stack.admin().password(),
                "/",
                Duration.ofSeconds(1));
        admin = settings.newConnectionFactory()
                .newConnection(List.of(Address.parseAddress(stack.amqpAddress())), "amqp-consumer-it-admin");
        declareQueue();
        connection = settings.connect(connectionName);
    }

    @AfterEach
    void cleanUp() throws Exception {
        assertEquals(List.of(), deaths, "a consumer worker died");
        if (consumer != null) {
            consumer.close();
        }
        if (connection != null) {
            connection.close();
        }
        stack.management().deleteQueue(queue);
        if (admin != null) {
            admin.close();
        }
    }

    private void declareQueue() throws Exception {
        try (Channel ch = admin.createChannel()) {
            ch.queueDeclare(queue, true, false, false, Map.of("x-queue-type", "quorum"));
        }
    }

    private void publish(int count) throws Exception {
        try (Channel ch = admin.createChannel()) {
            ch.confirmSelect();
            for (int i = 0; i < count; i++) {
                ch.basicPublish("", queue, null, ("m" + i).getBytes(StandardCharsets.UTF_8));
            }
            ch.waitForConfirmsOrDie(10_000);
        }
    }

    private long ready() throws Exception {
        try (Channel ch = admin.createChannel()) {
            return ch.queueDeclarePassive(queue).getMessageCount();
        }
    }

    /**
     * Closes the broker side of this test's connection. The management API lists a connection only after its
     * next statistics emission, so this retries until it was listed and closed.
     */
    private void closeConnection() {
        await().atMost(WAIT).pollInterval(Duration.ofMillis(500)).until(() -> {
            for (JsonNode c : stack.management().connections()) {
                if (connectionName.equals(
                        c.path("client_properties").path("connection_name").asText())) {
                    String name = URLEncoder.encode(c.path("name").asText(), StandardCharsets.UTF_8)
                            .replace("+", "%20");
                    HttpResponse<Void> response = HttpClient.newHttpClient()
                            .send(
                                    HttpRequest.newBuilder(stack.managementUri().resolve("/api/connections/" + name))
                                            .header(
                                                    "Authorization",
                                                    "Basic "
                                                            + Base64.getEncoder()
                                                                    .encodeToString((stack.admin()
                                                                                            .username() + ":"
                                                                                    + stack.admin()
                                                                                            .password())
                                                                            .getBytes(StandardCharsets.UTF_8)))
                                            .DELETE()
                                            .build(),
                                    HttpResponse.BodyHandlers.discarding());
                    return response.statusCode() / 100 == 2;
                }
            }
            return false;
        });
    }

    private static String body(AmqpDelivery delivery) {
        return new String(delivery.body(), StandardCharsets.UTF_8);
    }

    @Test
    void a_channel_reopened_with_deliveries_held_gets_no_ack_of_the_old_channel_and_nothing_is_lost_or_doubled()
            throws Exception {
        // Given a full prefetch window held unacknowledged on the first channel
        int total = 50;
        List<AmqpDelivery> received = new CopyOnWriteArrayList<>();
        consumer = new AmqpConsumer(connection, queue, 10, Clock.systemUTC(), workers);
        consumer.start(received::add);
        publish(total);
        await().atMost(WAIT).until(() -> received.size() == 10);
        List<AmqpDelivery> held = List.copyOf(received);
        long first = held.get(0).channelId();
        // When the broker closes that channel (an ack of a tag it never delivered is a channel error)
        assertTrue(consumer.ack(new DeliveryRef(first, 1_000_000), false));
        await().atMost(WAIT)
                .until(() -> consumer.isConsuming() && received.stream().anyMatch(d -> d.channelId() != first));
        long second = received.stream()
                .filter(d -> d.channelId() != first)
                .findFirst()
                .orElseThrow()
                .channelId();
        // Then the old channel's acks are dropped: tag 10 (multiple) on the new channel would acknowledge
        // redelivered messages nobody has processed yet
        assertFalse(consumer.isCurrent(first));
        assertFalse(consumer.ack(held.get(held.size() - 1).ref(), true));
        for (AmqpDelivery d : held) {
            assertFalse(consumer.ack(d.ref(), false));
        }
        // And processing everything from the new channel acknowledges each message exactly once
        Map<String, AtomicInteger> acked = new ConcurrentHashMap<>();
        Set<Long> channels = ConcurrentHashMap.newKeySet();
        await().atMost(WAIT).until(() -> {
            for (AmqpDelivery d : List.copyOf(received)) {
                channels.add(d.channelId());
                if (d.channelId() != first && received.remove(d) && consumer.ack(d.ref(), false)) {
                    acked.computeIfAbsent(body(d), b -> new AtomicInteger()).incrementAndGet();
                }
            }
            return acked.size() == total;
        });
        assertEquals(Set.of(first, second), channels, "a stray ack would have broken the new channel too");
        assertTrue(acked.values().stream().allMatch(n -> n.get() == 1), "acked more than once: " + acked);
        assertTrue(consumer.isConsuming());
        consumer.close();
        assertEquals(0, ready(), "messages left unacknowledged");
    }

    @Test
    void suspended_it_holds_nothing_and_takes_nothing_and_resumed_it_gets_everything_back_once() throws Exception {
        // Given a full prefetch window held unacknowledged
        List<AmqpDelivery> received = new CopyOnWriteArrayList<>();
        consumer = new AmqpConsumer(connection, queue, 10, Clock.systemUTC(), workers);
        consumer.start(received::add);
        publish(20);
        await().atMost(WAIT).until(() -> received.size() == 10);
        AmqpDelivery held = received.get(9);
        // When suspended (the dependency is down)
        consumer.suspend("test");
        // Then everything is back in the queue, the old acks are void, and nothing new arrives
        await().atMost(WAIT).until(() -> ready() == 20);
        assertFalse(consumer.isConsuming());
        assertFalse(consumer.ack(held.ref(), true));
        publish(1);
        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(3)).until(() -> received.size() == 10);
        // And resumed, the 21 messages arrive on a new channel and can be acknowledged
        received.clear();
        consumer.resume();
        await().atMost(WAIT).until(consumer::isConsuming);
        List<String> bodies = new CopyOnWriteArrayList<>();
        await().atMost(WAIT).until(() -> {
            for (AmqpDelivery d : List.copyOf(received)) {
                if (received.remove(d)) {
                    assertTrue(d.channelId() != held.channelId());
                    assertTrue(consumer.ack(d.ref(), false));
                    bodies.add(body(d));
                }
            }
            return bodies.size() >= 21;
        });
        // m0..m19, and m0 once more from the second publish
        assertEquals(21, bodies.size(), "acknowledged: " + bodies);
        assertEquals(20, Set.copyOf(bodies).size(), "acknowledged: " + bodies);
        assertEquals(0, ready());
    }

    @Test
    void a_consumer_cancelled_by_the_broker_is_not_ready_and_subscribes_again_within_seconds() throws Exception {
        // Given
        List<AmqpDelivery> received = new CopyOnWriteArrayList<>();
        consumer = new AmqpConsumer(connection, queue, 10, Clock.systemUTC(), workers);
        consumer.start(received::add);
        await().atMost(WAIT).until(consumer::isConsuming);
        // When the queue is deleted (the broker cancels its consumers) and declared again
        stack.management().deleteQueue(queue);
        await().atMost(WAIT).until(() -> !consumer.isConsuming());
        declareQueue();
        long declaredAt = System.nanoTime();
        // Then
        await().atMost(Duration.ofSeconds(15)).until(consumer::isConsuming);
        Duration recovery = Duration.ofNanos(System.nanoTime() - declaredAt);
        assertTrue(recovery.compareTo(Duration.ofSeconds(13)) <= 0, "re-subscribed after " + recovery);
        publish(1);
        await().atMost(WAIT).until(() -> received.size() == 1);
        assertTrue(consumer.ack(received.get(0).ref(), false));
    }

    @Test
    void after_a_lost_connection_the_consumer_subscribes_again_on_a_new_channel_and_drops_the_old_acks()
            throws Exception {
        // Given one delivery held on the first channel
        List<AmqpDelivery> received = new CopyOnWriteArrayList<>();
        consumer = new AmqpConsumer(connection, queue, 10, Clock.systemUTC(), workers);
        consumer.start(received::add);
        publish(1);
        await().atMost(WAIT).until(() -> received.size() == 1);
        AmqpDelivery held = received.remove(0);
        // When the broker drops the connection (the client recovers it)
        closeConnection();
        // Then the message is redelivered on a new channel, and only that delivery can be acknowledged
        await().atMost(WAIT).until(() -> received.size() == 1 && consumer.isConsuming());
        AmqpDelivery again = received.get(0);
        assertTrue(again.redelivered());
        assertTrue(again.channelId() != held.channelId());
        assertFalse(consumer.ack(held.ref(), false));
        assertTrue(consumer.ack(again.ref(), false));
        consumer.close();
        assertEquals(0, ready());
    }
}
