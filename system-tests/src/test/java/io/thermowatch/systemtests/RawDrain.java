package io.thermowatch.systemtests;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Address;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import io.thermowatch.testkit.Stack;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Drains part of a queue's backlog with a plain AMQP consumer through HAProxy (no service, no work per message),
 * acknowledging either every delivery on its own (as email-sender did) or one multiple ack per {@code ackEvery}
 * deliveries (as db-writer and email-sender's batched acks do), and samples the CPU of the RabbitMQ nodes and of
 * this JVM around it: what a settle command costs, on the same backlog in the same run.
 */
final class RawDrain {

    /** One drain: {@code messages} consumed and acknowledged in {@code seconds}; CPU samples around it. */
    record Result(
            String queue,
            int ackEvery,
            long messages,
            double seconds,
            Map<String, ProcessCpu.Sample> before,
            Map<String, ProcessCpu.Sample> after) {

        double rate() {
            return messages / seconds;
        }

        /** CPU ms per 1,000 messages of the three nodes together. */
        double nodesPerThousand() {
            double sum = 0;
            for (int n = 1; n <= Stack.NODES; n++) {
                sum += ProcessCpu.perThousand(before.get("rabbit" + n), after.get("rabbit" + n), messages);
            }
            return sum;
        }

        /** CPU ms per 1,000 messages of this JVM: the consumer. */
        double consumerPerThousand() {
            return ProcessCpu.perThousand(before.get(ProcessCpu.BENCH), after.get(ProcessCpu.BENCH), messages);
        }
    }

    private RawDrain() {}

    /**
     * Consumes and acknowledges {@code count} messages of {@code queue} (which must hold that many) with the given
     * prefetch. Deliveries beyond {@code count} that arrive before the cancel are left unacknowledged: RabbitMQ
     * requeues them when the channel closes.
     */
    static Result drain(Stack stack, String queue, long count, int ackEvery, int prefetch) throws Exception {
        ConnectionFactory factory = new ConnectionFactory();
        factory.setUsername(stack.admin().username());
        factory.setPassword(stack.admin().password());
        try (Connection connection =
                factory.newConnection(List.of(Address.parseAddress(stack.amqpAddress())), "bench-raw-drain")) {
            Channel channel = connection.createChannel();
            channel.basicQos(prefetch);
            CountDownLatch done = new CountDownLatch(1);
            long[] end = new long[1];
            DefaultConsumer consumer = new DefaultConsumer(channel) {
                private long consumed;

                @Override
                public void handleDelivery(
                        String consumerTag, Envelope envelope, AMQP.BasicProperties properties, byte[] body)
                        throws IOException {
                    if (consumed == count) {
                        return;
                    }
                    consumed++;
                    if (ackEvery == 1) {
                        getChannel().basicAck(envelope.getDeliveryTag(), false);
                    } else if (consumed % ackEvery == 0 || consumed == count) {
                        getChannel().basicAck(envelope.getDeliveryTag(), true);
                    }
                    if (consumed == count) {
                        end[0] = System.nanoTime();
                        done.countDown();
                    }
                }
            };
            Map<String, ProcessCpu.Sample> before = ProcessCpu.withoutServices(stack);
            long start = System.nanoTime();
            channel.basicConsume(queue, false, consumer);
            if (!done.await(5, TimeUnit.MINUTES)) {
                throw new AssertionError(queue + ": " + count + " messages not consumed within 5 minutes");
            }
            Map<String, ProcessCpu.Sample> after = ProcessCpu.withoutServices(stack);
            channel.close();
            return new Result(queue, ackEvery, count, (end[0] - start) / 1e9, before, after);
        }
    }
}
