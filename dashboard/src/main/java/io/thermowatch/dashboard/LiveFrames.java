package io.thermowatch.dashboard;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * Encodes live entries as the {@code dashboard/live} frames the page reads:
 * {@code {"readings":[{"sensor":"a1","value":23.4,"timestamp":1764260000000,"count":3}, ...]}}, split into as many
 * messages as needed so that none exceeds {@code maxBytes}. The broker refuses a message above 16 KiB
 * ({@code max_message_size}, and on 4.x the MQTT packet cap, which also counts the topic): {@link #BROKER_SAFE_BYTES}
 * leaves room for it. Stateless and thread-safe.
 */
final class LiveFrames {

    /** Under the brokers' 16,384-byte cap with room for the topic and the packet's length fields. */
    static final int BROKER_SAFE_BYTES = 16_000;

    private static final byte[] HEAD = "{\"readings\":[".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] TAIL = "]}".getBytes(StandardCharsets.US_ASCII);

    private final int maxBytes;

    LiveFrames(int maxBytes) {
        // The longest entry (64-character id, longest double, long, int) is under 200 bytes.
        if (maxBytes < 256) {
            throw new IllegalArgumentException("maxBytes " + maxBytes + " is below 256");
        }
        this.maxBytes = maxBytes;
    }

    /** The frames carrying every entry once, in order; none if there is no entry. */
    List<byte[]> encode(Collection<LiveEntry> entries) {
        var frames = new ArrayList<byte[]>();
        var frame = new ByteArrayOutputStream(Math.min(maxBytes, 64 + entries.size() * 80));
        int inFrame = 0;
        for (var entry : entries) {
            var json = entry(entry);
            int separator = inFrame == 0 ? 0 : 1;
            if (inFrame > 0 && HEAD.length + frame.size() + separator + json.length + TAIL.length > maxBytes) {
                frames.add(close(frame));
                frame.reset();
                inFrame = 0;
                separator = 0;
            }
            if (separator == 1) {
                frame.write(',');
            }
            frame.writeBytes(json);
            inFrame++;
        }
        if (inFrame > 0) {
            frames.add(close(frame));
        }
        return frames;
    }

    private static byte[] close(ByteArrayOutputStream entries) {
        var out = new ByteArrayOutputStream(HEAD.length + entries.size() + TAIL.length);
        out.writeBytes(HEAD);
        out.writeBytes(entries.toByteArray());
        out.writeBytes(TAIL);
        return out.toByteArray();
    }

    // Ids are [A-Za-z0-9_-] and values finite (the codec's rules): Double.toString is a valid JSON number.
    private static byte[] entry(LiveEntry entry) {
        return ("{\"sensor\":\"" + entry.sensor() + "\",\"value\":" + entry.value() + ",\"timestamp\":"
                        + entry.timestampMillis() + ",\"count\":" + entry.count() + '}')
                .getBytes(StandardCharsets.US_ASCII);
    }
}
