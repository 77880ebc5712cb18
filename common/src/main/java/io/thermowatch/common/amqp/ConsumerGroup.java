package io.thermowatch.common.amqp;

import java.util.List;

/**
 * Several consumers of one service seen as one {@link Acknowledger} and one {@link Intake}: for a component that
 * holds deliveries of more than one queue until their effect is durable (email-sender's dispatcher holds alerts of
 * its queue and of its dead-letter queue until SMTP accepted the mail).
 *
 * <ul>
 *   <li><b>Acks</b> go to the member whose current channel the delivery came from (channel numbers are unique in
 *       the process, see {@link DeliveryRef}); an ack no member recognises is dropped, as a single consumer drops
 *       an ack for a channel that is gone.</li>
 *   <li><b>Suspend and resume</b> apply to every member: while the dependency is down none of them holds a
 *       delivery.</li>
 * </ul>
 * Thread-safe when its members are.
 */
public final class ConsumerGroup implements Acknowledger, Intake {

    private final List<Acknowledger> acknowledgers;
    private final List<Intake> intakes;

    private ConsumerGroup(List<Acknowledger> acknowledgers, List<Intake> intakes) {
        this.acknowledgers = acknowledgers;
        this.intakes = intakes;
    }

    /** @param members e.g. {@link AmqpConsumer}s; at least one */
    @SafeVarargs
    public static <T extends Acknowledger & Intake> ConsumerGroup of(T... members) {
        if (members.length == 0) {
            throw new IllegalArgumentException("a consumer group needs at least one member");
        }
        return new ConsumerGroup(List.of(members), List.of(members));
    }

    /**
     * A group whose acks and intakes are given apart: e.g. a consumer's acks go through an {@link AckBatcher} that
     * batches them while suspending still reaches the consumer itself.
     *
     * @param acknowledgers each recognises the channels of one consumer; at least one
     * @param intakes       suspended and resumed together
     */
    public static ConsumerGroup of(List<? extends Acknowledger> acknowledgers, List<? extends Intake> intakes) {
        if (acknowledgers.isEmpty()) {
            throw new IllegalArgumentException("a consumer group needs at least one acknowledger");
        }
        return new ConsumerGroup(List.copyOf(acknowledgers), List.copyOf(intakes));
    }

    @Override
    public boolean isCurrent(long channelId) {
        for (Acknowledger member : acknowledgers) {
            if (member.isCurrent(channelId)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public boolean ack(DeliveryRef ref, boolean multiple) {
        for (Acknowledger member : acknowledgers) {
            if (member.isCurrent(ref.channelId())) {
                return member.ack(ref, multiple);
            }
        }
        return false;
    }

    @Override
    public void suspend(String why) {
        intakes.forEach(intake -> intake.suspend(why));
    }

    @Override
    public void resume() {
        intakes.forEach(Intake::resume);
    }
}
