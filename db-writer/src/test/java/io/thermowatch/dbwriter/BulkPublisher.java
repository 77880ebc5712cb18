package io.thermowatch.dbwriter;

import com.rabbitmq.client.Address;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.MessageProperties;
import io.thermowatch.common.wire.Reading;
import io.thermowatch.common.wire.ReadingCodec;
import io.thermowatch.common.wire.Topics;
import io.thermowatch.testkit.Credentials;
import java.util.List;

/**
 * Publishes many readings to {@code amq.topic} over AMQP, persistent, with publisher confirms every
 * {@code confirmEvery} messages: fast enough to preload a queue, and nothing is lost on the way in.
 */
final class BulkPublisher implements AutoCloseable {

    private final Connection connection;
    private final Channel channel;
    private final ReadingCodec codec = new ReadingCodec();

    BulkPublisher(String address, Credentials credentials) throws Exception {
        ConnectionFactory factory = new ConnectionFactory();
        factory.setUsername(credentials.username());
        factory.setPassword(credentials.password());
        factory.setAutomaticRecoveryEnabled(false);
        connection = factory.newConnection(List.of(Address.parseAddress(address)), "db-writer-test-publisher");
        channel = connection.createChannel();
        channel.confirmSelect();
    }

    void publish(Reading reading) throws Exception {
        channel.basicPublish(
                Topics.EXCHANGE,
                Topics.readingRoutingKey(reading.sensorId()),
                MessageProperties.PERSISTENT_BASIC,
                codec.encode(reading));
    }

    void publishRaw(String routingKey, byte[] body) throws Exception {
        channel.basicPublish(Topics.EXCHANGE, routingKey, MessageProperties.PERSISTENT_BASIC, body);
    }

    /** Publishes all, waiting for confirms every {@code confirmEvery} messages and at the end. */
    void publishAll(List<Reading> readings, int confirmEvery) throws Exception {
        int sinceConfirm = 0;
        for (Reading reading : readings) {
            publish(reading);
            if (++sinceConfirm >= confirmEvery) {
                confirm();
                sinceConfirm = 0;
            }
        }
        confirm();
    }

    void confirm() throws Exception {
        channel.waitForConfirmsOrDie(60_000);
    }

    @Override
    public void close() throws Exception {
        connection.close(5_000);
    }
}
