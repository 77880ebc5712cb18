package io.thermowatch.testkit;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Address;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.Delivery;
import com.rabbitmq.client.Envelope;
import com.rabbitmq.client.GetResponse;
import com.rabbitmq.client.ShutdownSignalException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads queues over AMQP (RabbitMQ Java client) with the admin user, as a test's eyes on what the broker holds.
 * {@link #drain} takes every ready message with {@code basic.get} and acks them: use it only on queues no
 * service consumes while the test runs, and pick your own messages by a unique marker (sensor id).
 * Operations are retried on a new connection while a node is down (addresses: HAProxy first, then each node).
 * Not thread safe; close it.
 */
public final class QueueProbe implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(QueueProbe.class);
    private static final Duration RETRY_FOR = Duration.ofSeconds(60);
    private static final int PREFETCH = 1000;
    private static final int CONSUME_FROM = 100;

    private final List<Address> addresses;
    private final ConnectionFactory factory;
    private Connection connection;
    private Channel channel;

    QueueProbe(List<String> addresses, Credentials credentials) {
        this.addresses = addresses.stream().map(Address::parseAddress).toList();
        this.factory = new ConnectionFactory();
        factory.setUsername(credentials.username());
        factory.setPassword(credentials.password());
        factory.setVirtualHost("/");
        factory.setAutomaticRecoveryEnabled(false);
        factory.setConnectionTimeout(5_000);
        factory.setHandshakeTimeout(5_000);
        factory.setRequestedHeartbeat(10);
    }

    /** One message as it sat in the queue. */
    public record Message(String routingKey, byte[] body, boolean redelivered) {

        public String bodyText() {
            return new String(body, StandardCharsets.UTF_8);
        }

        @Override
        public String toString() {
            return routingKey + " " + bodyText();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Message m
                    && m.routingKey.equals(routingKey)
                    && Arrays.equals(m.body, body)
                    && m.redelivered == redelivered;
        }

        @Override
        public int hashCode() {
            return 31 * routingKey.hashCode() + Arrays.hashCode(body);
        }
    }

    /**
     * Takes (and acks) every message ready in the queue now. Small backlogs are read with {@code basic.get};
     * larger ones with a consumer (prefetch {@value #PREFETCH}), which is far faster than one round trip each.
     */
    public List<Message> drain(String queue) {
        return retrying("drain " + queue, ch -> {
            List<Message> messages = new ArrayList<>();
            long ready = ch.queueDeclarePassive(queue).getMessageCount();
            if (ready >= CONSUME_FROM) {
                consumeReady(ch, queue, ready, messages);
            }
            long lastTag = -1;
            GetResponse response;
            while ((response = ch.basicGet(queue, false)) != null) {
                lastTag = response.getEnvelope().getDeliveryTag();
                messages.add(toMessage(response.getEnvelope(), response.getBody()));
            }
            if (lastTag >= 0) {
                ch.basicAck(lastTag, true);
            }
            return messages;
        });
    }

    private static void consumeReady(Channel ch, String queue, long ready, List<Message> messages)
            throws IOException, InterruptedException {
        BlockingQueue<Delivery> deliveries = new LinkedBlockingQueue<>();
        ch.basicQos(PREFETCH);
        String tag = ch.basicConsume(queue, false, (consumerTag, delivery) -> deliveries.add(delivery), t -> {});
        long lastTag = -1;
        long taken = 0;
        Delivery delivery;
        // Stop at the count seen before, or when the queue stays quiet (another reader took the rest).
        while (taken < ready && (delivery = deliveries.poll(1, TimeUnit.SECONDS)) != null) {
            messages.add(toMessage(delivery.getEnvelope(), delivery.getBody()));
            lastTag = delivery.getEnvelope().getDeliveryTag();
            if (++taken % (PREFETCH / 2) == 0) {
                ch.basicAck(lastTag, true);
            }
        }
        ch.basicCancel(tag);
        // Deliveries already on their way when the cancel went out: take them too, so none stays unacked.
        while ((delivery = deliveries.poll(200, TimeUnit.MILLISECONDS)) != null) {
            messages.add(toMessage(delivery.getEnvelope(), delivery.getBody()));
            lastTag = delivery.getEnvelope().getDeliveryTag();
        }
        if (lastTag >= 0) {
            ch.basicAck(lastTag, true);
        }
    }

    private static Message toMessage(Envelope envelope, byte[] body) {
        return new Message(envelope.getRoutingKey(), body, envelope.isRedeliver());
    }

    /**
     * Drains the queue repeatedly until the messages kept by {@code filter} satisfy {@code done}, and returns those.
     * Messages the filter rejects are consumed and dropped.
     *
     * @throws AssertionError on timeout, listing what was kept
     */
    public List<Message> awaitMessages(
            String queue, Predicate<Message> filter, Predicate<List<Message>> done, Duration timeout) {
        List<Message> kept = new ArrayList<>();
        return Waits.until(
                "queue " + queue + ": condition met",
                timeout,
                Duration.ofMillis(100),
                () -> {
                    drain(queue).stream().filter(filter).forEach(kept::add);
                    return kept;
                },
                done,
                all -> "kept " + kept.size() + " message(s): " + abbreviate(kept));
    }

    /** Waits until {@code count} messages with this routing key were taken from the queue; returns them. */
    public List<Message> awaitMessages(String queue, String routingKey, int count, Duration timeout) {
        return awaitMessages(queue, m -> m.routingKey().equals(routingKey), kept -> kept.size() >= count, timeout);
    }

    /** Number of ready messages ({@code queue.declare} passive: exact, no statistics lag). */
    public long readyCount(String queue) {
        return retrying(
                "count " + queue, ch -> (long) ch.queueDeclarePassive(queue).getMessageCount());
    }

    /** Number of consumers of the queue, exact. */
    public int consumerCount(String queue) {
        return retrying(
                "consumers of " + queue, ch -> ch.queueDeclarePassive(queue).getConsumerCount());
    }

    public void purge(String queue) {
        retrying("purge " + queue, ch -> ch.queuePurge(queue));
    }

    /** Publishes to {@code amq.topic} with the admin user (e.g. a reading a test injects without MQTT). */
    public void publish(String routingKey, byte[] body) {
        retrying("publish " + routingKey, ch -> {
            ch.confirmSelect();
            ch.basicPublish(Stack.EXCHANGE, routingKey, null, body);
            ch.waitForConfirmsOrDie(10_000);
            return null;
        });
    }

    /**
     * Puts {@code body} straight into {@code deadLetterQueue} (default exchange, confirmed) as RabbitMQ dead-letters
     * a message of {@code fromQueue} past its {@code delivery-limit}: with the {@code x-death} header naming that
     * queue, the reason {@code delivery_limit} and {@code originalRoutingKey}, the key the message had there. Lets a
     * test exercise a dead-letter consumer without redelivering a message a thousand times.
     */
    public void publishDeadLetter(String deadLetterQueue, String fromQueue, String originalRoutingKey, byte[] body) {
        Map<String, Object> death = Map.of(
                "queue",
                fromQueue,
                "reason",
                "delivery_limit",
                "count",
                1L,
                "exchange",
                Stack.EXCHANGE,
                "routing-keys",
                List.of(originalRoutingKey));
        AMQP.BasicProperties properties = new AMQP.BasicProperties.Builder()
                .headers(Map.of("x-death", List.of(death)))
                .build();
        retrying("publish a dead letter into " + deadLetterQueue, ch -> {
            ch.confirmSelect();
            ch.basicPublish("", deadLetterQueue, properties, body);
            ch.waitForConfirmsOrDie(10_000);
            return null;
        });
    }

    /**
     * A private, exclusive queue bound to {@code amq.topic} with {@code bindingKey} (e.g. {@code #}): sees what
     * is routed from now on, without touching the service queues. Deleted when this probe closes.
     */
    public String tap(String bindingKey) {
        return retrying("tap " + bindingKey, ch -> {
            String queue = ch.queueDeclare("", false, true, true, null).getQueue();
            ch.queueBind(queue, Stack.EXCHANGE, bindingKey);
            return queue;
        });
    }

    @Override
    public void close() {
        if (connection != null) {
            try {
                connection.close(2_000);
            } catch (IOException | RuntimeException e) {
                log.debug("probe - close: {}", e.toString());
            }
            connection = null;
            channel = null;
        }
    }

    private interface ChannelWork<T> {
        T run(Channel channel) throws IOException, TimeoutException, InterruptedException;
    }

    private <T> T retrying(String what, ChannelWork<T> work) {
        Instant deadline = Instant.now().plus(RETRY_FOR);
        Exception last;
        do {
            try {
                return work.run(channel());
            } catch (IOException | TimeoutException | ShutdownSignalException e) {
                last = e;
                if (isNotFound(e)) {
                    close();
                    throw new IllegalStateException(what + ": " + rootMessage(e), e);
                }
                log.info("probe - {} failed ({}); retrying on a new connection", what, rootMessage(e));
                close();
                Stack.pause(Duration.ofMillis(250));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted: " + what, e);
            }
        } while (Instant.now().isBefore(deadline));
        throw new IllegalStateException(what + " failed for " + RETRY_FOR + ": " + rootMessage(last), last);
    }

    private Channel channel() throws IOException, TimeoutException {
        if (channel == null || !channel.isOpen()) {
            close();
            connection = factory.newConnection(addresses, "testkit-probe");
            channel = connection.createChannel();
        }
        return channel;
    }

    private static boolean isNotFound(Exception e) {
        return rootMessage(e).contains("NOT_FOUND");
    }

    private static String rootMessage(Throwable e) {
        StringBuilder text = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) {
            text.append(t).append("; ");
        }
        return text.toString();
    }

    private static String abbreviate(List<Message> messages) {
        List<Message> head = messages.subList(0, Math.min(10, messages.size()));
        return head + (messages.size() > head.size() ? " ..." : "");
    }
}
