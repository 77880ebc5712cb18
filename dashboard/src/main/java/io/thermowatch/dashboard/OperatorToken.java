package io.thermowatch.dashboard;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * Checks the operator credential of a request: {@code Authorization: Bearer <OPERATOR_TOKEN>}, a header a browser
 * never attaches by itself (unlike cookies or HTTP Basic), so a page of another site cannot act as the operator (and
 * a cross-origin request carrying it needs a CORS preflight this server never grants). The comparison takes the same
 * time whatever the guess: both sides are hashed to 32 bytes first, so neither the content nor the length of the
 * token leaks through timing. Immutable, thread safe.
 */
final class OperatorToken {

    private static final String SCHEME = "Bearer ";

    private final byte[] expectedDigest;

    OperatorToken(String token) {
        this.expectedDigest = sha256(token);
    }

    /** True if {@code authorization} (the header's value, or null) carries the operator token. */
    boolean accepts(String authorization) {
        if (authorization == null
                || authorization.length() <= SCHEME.length()
                || !authorization.regionMatches(true, 0, SCHEME, 0, SCHEME.length())) {
            return false;
        }
        String presented = authorization.substring(SCHEME.length()).trim();
        return MessageDigest.isEqual(expectedDigest, sha256(presented));
    }

    private static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
    }
}
