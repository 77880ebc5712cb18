package io.thermowatch.dbwriter;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.thermowatch.common.amqp.AmqpDelivery;
import io.thermowatch.common.runtime.ClockSkewMeter;
import io.thermowatch.common.wire.Decoded;
import io.thermowatch.common.wire.Reading;
import io.thermowatch.common.wire.ReadingCodec;
import io.thermowatch.common.wire.Topics;
import java.util.Optional;

/**
 * Sorts a delivery into a reading to store, a rejection to keep, or a message to acknowledge and ignore
 * (sensor status, which belongs to email-sender), counting readings stamped far from their arrival on the way.
 * Thread-safe.
 */
final class DeliveryTriage implements Triage {

    private static final String READING_PREFIX = "temperature.";

    /** What to do with one delivery. */
    sealed interface Outcome permits Store, Reject, Ignore {}

    /** A valid reading. */
    record Store(Reading reading) implements Outcome {}

    /** Not a valid reading: keep the bytes and the reason. */
    record Reject(RejectedMessage message) implements Outcome {}

    /** Not for db-writer (a status message): acknowledge with the batch, store nothing. */
    record Ignore() implements Outcome {}

    private static final Ignore IGNORE = new Ignore();

    private final ReadingCodec codec;
    private final ClockSkewMeter skew;

    DeliveryTriage(ReadingCodec codec, ClockSkewMeter skew) {
        this.codec = codec;
        this.skew = skew;
    }

    /** For tests that do not look at the skew meter. */
    DeliveryTriage(ReadingCodec codec) {
        this(codec, new ClockSkewMeter(ClockSkewMeter.DEFAULT_WARN, new SimpleMeterRegistry()));
    }

    @Override
    public Outcome classify(AmqpDelivery delivery) {
        String routingKey = delivery.routingKey();
        Optional<Topics.Route> route = Topics.parseRoutingKey(routingKey);
        String sensorId;
        if (route.isPresent()) {
            if (route.get().kind() == Topics.Kind.STATUS) {
                return IGNORE;
            }
            sensorId = route.get().sensorId();
        } else if (routingKey != null && routingKey.startsWith(READING_PREFIX)) {
            // A reading for a malformed sensor id: let the codec word the rejection.
            sensorId = routingKey.substring(READING_PREFIX.length());
        } else {
            return reject(delivery, "unexpected routing key '" + routingKey + "': expected temperature.<sensorId>");
        }
        Decoded decoded = codec.decode(sensorId, delivery.body());
        if (decoded instanceof Decoded.Accepted accepted) {
            skew.observe(accepted.reading().timestampMillis(), delivery.receivedAtMillis());
            return new Store(accepted.reading());
        }
        return reject(delivery, ((Decoded.Rejected) decoded).reason());
    }

    private static Reject reject(AmqpDelivery delivery, String reason) {
        byte[] body = delivery.body() == null ? new byte[0] : delivery.body();
        return new Reject(new RejectedMessage(
                delivery.receivedAtMillis(), delivery.routingKey() == null ? "" : delivery.routingKey(), body, reason));
    }
}
