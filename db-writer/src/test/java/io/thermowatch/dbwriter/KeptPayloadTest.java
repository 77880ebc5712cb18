package io.thermowatch.dbwriter;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.security.MessageDigest;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class KeptPayloadTest {

    @Test
    void a_payload_up_to_4_KiB_is_kept_whole() throws Exception {
        // Given
        byte[] payload = filled(4096, (byte) 'a');
        // When
        KeptPayload kept = KeptPayload.of(payload);
        // Then
        assertArrayEquals(payload, kept.head());
        assertEquals(4096, kept.length());
        assertArrayEquals(MessageDigest.getInstance("SHA-256").digest(payload), kept.sha256());
    }

    @Test
    void a_larger_payload_keeps_its_first_4_KiB_its_length_and_the_digest_of_all_of_it() throws Exception {
        // Given 60 KiB
        byte[] payload = filled(60 * 1024, (byte) 'b');
        payload[payload.length - 1] = 'z';
        // When
        KeptPayload kept = KeptPayload.of(payload);
        // Then
        assertArrayEquals(Arrays.copyOf(payload, 4096), kept.head());
        assertEquals(60 * 1024, kept.length());
        assertArrayEquals(MessageDigest.getInstance("SHA-256").digest(payload), kept.sha256());
    }

    @Test
    void payloads_differing_only_after_4_KiB_have_different_digests() {
        // Given
        byte[] one = filled(5000, (byte) 'c');
        byte[] other = one.clone();
        other[4999] = 'd';
        // When
        KeptPayload keptOne = KeptPayload.of(one);
        KeptPayload keptOther = KeptPayload.of(other);
        // Then
        assertArrayEquals(keptOne.head(), keptOther.head());
        assertFalse(Arrays.equals(keptOne.sha256(), keptOther.sha256()));
    }

    @Test
    void an_empty_payload_is_kept_as_empty() {
        assertEquals(0, KeptPayload.of(new byte[0]).head().length);
        assertEquals(32, KeptPayload.of(new byte[0]).sha256().length);
    }

    private static byte[] filled(int size, byte value) {
        byte[] bytes = new byte[size];
        Arrays.fill(bytes, value);
        return bytes;
    }
}
