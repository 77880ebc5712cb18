package io.thermowatch.common.amqp;

import java.util.List;
import java.util.Map;

/**
 * Where a dead letter came from: the latest entry of the {@code x-death} header RabbitMQ adds when it dead-letters
 * a message, with the routing key the message had in that queue (a dead-letter queue's consumer judges the message
 * under that key, not under the one it was re-routed with). A message put into a dead-letter queue by hand may
 * have no such header; it is then taken as it is.
 *
 * @param queue      the queue that gave up on it, or {@code "unknown queue"}
 * @param reason     RabbitMQ's reason, e.g. {@code delivery_limit}, {@code rejected}, {@code expired}, or
 *                   {@code "no x-death header"}
 * @param routingKey the routing key it had in that queue (the first of the entry's {@code routing-keys}), or the
 *                   one it was delivered with when the header does not say
 */
public record XDeath(String queue, String reason, String routingKey) {

    /** Reads the latest {@code x-death} entry of {@code headers}; {@code routingKey} is the delivery's own. */
    public static XDeath of(Map<String, Object> headers, String routingKey) {
        Object deaths = headers.get("x-death");
        if (deaths instanceof List<?> list && !list.isEmpty() && list.get(0) instanceof Map<?, ?> latest) {
            String queue = text(latest.get("queue"), "unknown queue");
            String reason = text(latest.get("reason"), "unknown reason");
            String key = routingKey;
            if (latest.get("routing-keys") instanceof List<?> keys && !keys.isEmpty() && keys.get(0) != null) {
                key = keys.get(0).toString();
            }
            return new XDeath(queue, reason, key);
        }
        return new XDeath("unknown queue", "no x-death header", routingKey);
    }

    /** Header strings arrive as the client's LongString; its toString is the UTF-8 text. */
    private static String text(Object value, String otherwise) {
        return value == null ? otherwise : value.toString();
    }
}
