package io.thermowatch.dbwriter;

import io.thermowatch.common.wire.ReadingCodec;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;

/**
 * What {@code rejected_messages} keeps of a rejected payload: its first {@link #MAX_KEPT_BYTES} bytes, its full
 * length and the SHA-256 digest of all of it. Bounds a reject's row however large the message was (a flood of junk
 * cannot fill the disk), while the digest still tells equal payloads apart.
 *
 * @param head   the first {@link #MAX_KEPT_BYTES} bytes (all of them when the payload is no longer)
 * @param length the payload's full length in bytes
 * @param sha256 SHA-256 of the whole payload, 32 bytes
 */
record KeptPayload(byte[] head, int length, byte[] sha256) {

    /** The codec's own size limit (4 KiB): every payload a reading could have been is kept whole. */
    static final int MAX_KEPT_BYTES = ReadingCodec.MAX_PAYLOAD_BYTES;

    static KeptPayload of(byte[] payload) {
        byte[] head = payload.length <= MAX_KEPT_BYTES ? payload : Arrays.copyOf(payload, MAX_KEPT_BYTES);
        return new KeptPayload(head, payload.length, sha256(payload));
    }

    private static byte[] sha256(byte[] payload) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(payload);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform provides SHA-256", e);
        }
    }
}
