package io.thermowatch.common.wire;

import java.nio.charset.StandardCharsets;
import java.util.Optional;

/** Payload of {@code sensors/<id>/status}: the sensor publishes {@code online} on connect, {@code offline} as its will. */
public enum SensorStatus {
    ONLINE("online"),
    OFFLINE("offline");

    private final String wire;

    SensorStatus(String wire) {
        this.wire = wire;
    }

    /** The exact payload text on the wire. */
    public String wire() {
        return wire;
    }

    /** The payload bytes on the wire (UTF-8). */
    public byte[] payload() {
        return wire.getBytes(StandardCharsets.UTF_8);
    }

    /** Parses a status payload; surrounding whitespace and case are tolerated, anything else is empty. */
    public static Optional<SensorStatus> parse(byte[] payload) {
        if (payload == null || payload.length > 32) {
            return Optional.empty();
        }
        String text = new String(payload, StandardCharsets.UTF_8).trim();
        for (SensorStatus status : values()) {
            if (status.wire.equalsIgnoreCase(text)) {
                return Optional.of(status);
            }
        }
        return Optional.empty();
    }
}
