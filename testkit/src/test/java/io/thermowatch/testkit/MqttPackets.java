package io.thermowatch.testkit;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** Hand-encoded MQTT 3.1.1 packets, to talk MQTT over a raw WebSocket like a browser does. */
final class MqttPackets {

    private MqttPackets() {}

    /** CONNECT: protocol "MQTT" level 4, clean session, username + password, keepalive 30 s. */
    static byte[] connect(String clientId, Credentials credentials) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        writeString(body, "MQTT");
        body.write(4);
        body.write(0b1100_0010);
        body.write(0);
        body.write(30);
        writeString(body, clientId);
        writeString(body, credentials.username());
        writeString(body, credentials.password());
        ByteArrayOutputStream packet = new ByteArrayOutputStream();
        packet.write(0x10);
        int length = body.size();
        do {
            int digit = length % 128;
            length /= 128;
            packet.write(length > 0 ? digit | 0x80 : digit);
        } while (length > 0);
        packet.writeBytes(body.toByteArray());
        return packet.toByteArray();
    }

    private static void writeString(ByteArrayOutputStream out, String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        out.write(bytes.length >> 8);
        out.write(bytes.length & 0xFF);
        out.writeBytes(bytes);
    }
}
