package io.thermowatch.dashboard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class LiveFramesTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void a_frame_is_the_documented_json() throws Exception {
        // When
        var frames = new LiveFrames(LiveFrames.BROKER_SAFE_BYTES)
                .encode(List.of(new LiveEntry("a1", 23.4, 1_764_260_000_000L, 3)));

        // Then
        assertEquals(1, frames.size());
        assertEquals(
                "{\"readings\":[{\"sensor\":\"a1\",\"value\":23.4,\"timestamp\":1764260000000,\"count\":3}]}",
                new String(frames.get(0), StandardCharsets.US_ASCII));
    }

    @Test
    void a_fleet_is_split_into_frames_under_the_brokers_16_kib_limit_with_every_entry_once() throws Exception {
        // Given 5,000 sensors with the longest ids and values (far more than one 16 KiB message holds)
        var entries = new ArrayList<LiveEntry>();
        for (int i = 0; i < 5_000; i++) {
            var id = String.format("%064d", i);
            entries.add(new LiveEntry(id, -273.14999999999998 + i, 1_764_260_000_000L + i, i + 1));
        }

        // When
        var frames = new LiveFrames(LiveFrames.BROKER_SAFE_BYTES).encode(entries);

        // Then each message is below the limit, valid JSON, and together they carry every entry once, in order
        assertTrue(frames.size() > 1, "split into " + frames.size());
        var decoded = new ArrayList<LiveEntry>();
        for (var frame : frames) {
            assertTrue(frame.length <= LiveFrames.BROKER_SAFE_BYTES, "frame of " + frame.length + " bytes");
            assertTrue(LiveFrames.BROKER_SAFE_BYTES < 16_384 - "dashboard/live".length() - 2);
            for (var node : JSON.readTree(frame).get("readings")) {
                decoded.add(new LiveEntry(
                        node.get("sensor").asText(),
                        node.get("value").asDouble(),
                        node.get("timestamp").asLong(),
                        node.get("count").asInt()));
            }
        }
        assertEquals(entries, decoded);
    }

    @Test
    void no_entry_no_frame() {
        assertEquals(List.of(), new LiveFrames(LiveFrames.BROKER_SAFE_BYTES).encode(List.of()));
    }
}
