package io.thermowatch.common.amqp;

/**
 * Stops and restarts the flow of deliveries while a dependency (the database, SMTP) cannot take them. Implemented
 * by {@link AmqpConsumer}; services depend on this interface so their tests can pass a fake. Thread-safe.
 */
public interface Intake {

    /**
     * Takes no more deliveries and hands back every one not yet acknowledged (RabbitMQ requeues them), so nothing
     * is held while the dependency is down and no {@code consumer_timeout} can close the channel. Acks of what was
     * handed back are void. Idempotent.
     *
     * @param why logged once, e.g. "database unreachable"
     */
    void suspend(String why);

    /** Subscribes again after {@link #suspend}; a no-op when not suspended. */
    void resume();
}
