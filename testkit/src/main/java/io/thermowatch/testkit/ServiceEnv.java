package io.thermowatch.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Builds the environment of a service under test from the {@link Stack}, with the variable names of the
 * architecture (common's {@code MqttSettings}, {@code AmqpSettings}, {@code DB_*}, {@code SMTP_*},
 * {@code HEALTH_PORT}). Presets fill what each service needs; {@link #with} adds or overrides the rest.
 *
 * <pre>{@code
 * Map<String, String> env = ServiceEnv.forDbWriter(stack).with("BATCH_SIZE", "10").build();
 * }</pre>
 * Not thread safe.
 */
public final class ServiceEnv {

    private final Stack stack;
    private final Map<String, String> values = new LinkedHashMap<>();

    private ServiceEnv(Stack stack) {
        this.stack = stack;
    }

    /** An empty environment. */
    public static ServiceEnv of(Stack stack) {
        return new ServiceEnv(stack);
    }

    /** MQTT through HAProxy with the sensor user, a free HEALTH_PORT. */
    public static ServiceEnv forSensor(Stack stack) {
        return of(stack).mqtt(stack.sensor()).freeHealthPort();
    }

    /** AMQP as db-writer, the {@code metrics} database as db-writer's role, a free HEALTH_PORT. */
    public static ServiceEnv forDbWriter(Stack stack) {
        return of(stack)
                .amqp(stack.dbWriter())
                .database(stack.dbWriterDatabase())
                .freeHealthPort();
    }

    /** AMQP as email-sender, the stack's SMTP server, a free HEALTH_PORT. */
    public static ServiceEnv forEmailSender(Stack stack) {
        return of(stack).amqp(stack.emailSender()).smtp().freeHealthPort();
    }

    /** {@code MQTT_URIS} = HAProxy's MQTT front, {@code MQTT_USERNAME}, {@code MQTT_PASSWORD}. */
    public ServiceEnv mqtt(Credentials credentials) {
        return with("MQTT_URIS", stack.mqttUri()).credentials("MQTT_USERNAME", "MQTT_PASSWORD", credentials);
    }

    /** {@code AMQP_ADDRESSES} = HAProxy then each node, {@code AMQP_USERNAME}, {@code AMQP_PASSWORD}, {@code AMQP_VHOST=/}. */
    public ServiceEnv amqp(Credentials credentials) {
        return with("AMQP_ADDRESSES", String.join(",", stack.amqpAddresses()))
                .credentials("AMQP_USERNAME", "AMQP_PASSWORD", credentials)
                .with("AMQP_VHOST", "/");
    }

    /**
     * {@code DB_HOST}, {@code DB_PORT}, {@code DB_NAME}, {@code DB_USER}, {@code DB_PASS} as {@code role}: a
     * service's own role ({@link Stack#dbWriterDatabase()}, {@link Stack#dashboardDatabase()}), never the superuser.
     */
    public ServiceEnv database(Credentials role) {
        return with("DB_HOST", stack.dbHost())
                .with("DB_PORT", Integer.toString(stack.dbPort()))
                .with("DB_NAME", stack.dbName())
                .credentials("DB_USER", "DB_PASS", role);
    }

    /** {@code SMTP_HOST}, {@code SMTP_PORT}. */
    public ServiceEnv smtp() {
        return with("SMTP_HOST", stack.smtpHost()).with("SMTP_PORT", Integer.toString(stack.smtpPort()));
    }

    /**
     * {@code RABBITMQ_MANAGEMENT_URL} = HAProxy's management front, {@code RABBITMQ_MONITOR_USER},
     * {@code RABBITMQ_MONITOR_PASS} = the read-only monitoring user the stack provisions (as {@code scripts/stack up}
     * gives email-sender and the dashboard).
     */
    public ServiceEnv managementMonitor() {
        return with("RABBITMQ_MANAGEMENT_URL", stack.managementUri().toString())
                .credentials("RABBITMQ_MONITOR_USER", "RABBITMQ_MONITOR_PASS", stack.monitor());
    }

    /** {@code HEALTH_PORT} = a port free right now on 127.0.0.1. */
    public ServiceEnv freeHealthPort() {
        return with("HEALTH_PORT", Integer.toString(freePort()));
    }

    public ServiceEnv with(String name, String value) {
        values.put(name, value);
        return this;
    }

    public ServiceEnv without(String name) {
        values.remove(name);
        return this;
    }

    public Map<String, String> build() {
        return Map.copyOf(values);
    }

    /** A TCP port nobody listens on now (the OS's choice). */
    public static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private ServiceEnv credentials(String userKey, String passKey, Credentials credentials) {
        return with(userKey, credentials.username()).with(passKey, credentials.password());
    }
}
