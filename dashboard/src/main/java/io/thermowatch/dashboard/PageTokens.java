package io.thermowatch.dashboard;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.UUID;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Mints the browser's MQTT credential: a short-lived JWT (HS256) that RabbitMQ's OAuth 2 backend checks with the
 * same key ({@code MQTT_PAGE_TOKEN_KEY}, rendered into the nodes' advanced.config). The page sends it as the MQTT
 * password. Its scopes allow exactly what a clean-session, QoS 0 subscriber of the live feed and statuses needs: its own
 * {@code mqtt-subscription-*qos0} queue (configure, bind, consume), reading {@code amq.topic} with the routing keys
 * {@code dashboard.live} (the dashboard's coalesced live feed, not the readings themselves: one copy of the stream
 * per dashboard, not per page) and {@code sensors.*.status}. No write on any exchange (no publish, no retained message,
 * no will) and no {@code qos1} queue (no durable session on 3.10). The identity ({@code sub}) is
 * {@code MQTT_PAGE_TOKEN_USER}: the broker counts its connections against that internal user's limits.
 */
public final class PageTokens {

    /** The broker's {@code auth_oauth2.resource_server_id}: the audience and the scopes' prefix. */
    public static final String AUDIENCE = "thermowatch";
    /** The key id in the nodes' advanced.config ({@code rabbitmq/render-advanced-config}). */
    public static final String KEY_ID = "thermowatch-page";

    public static final List<String> SCOPES = List.of(
            AUDIENCE + ".configure:*/mqtt-subscription-*qos0",
            AUDIENCE + ".write:*/mqtt-subscription-*qos0",
            AUDIENCE + ".read:*/mqtt-subscription-*qos0",
            AUDIENCE + ".read:*/amq.topic/dashboard.live",
            AUDIENCE + ".read:*/amq.topic/sensors.*.status");
    /** Base64url without padding, at least 32 bytes (what {@code render-advanced-config} accepts). */
    public static final String KEY_PATTERN = "[A-Za-z0-9_-]{43,}";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();

    private final String subject;
    private final byte[] key;
    private final Duration lifetime;
    private final Clock clock;

    /** {@code base64UrlKey} as in .env ({@link #KEY_PATTERN}); validated by the caller's configuration. */
    public PageTokens(String subject, String base64UrlKey, Duration lifetime, Clock clock) {
        this.subject = subject;
        this.key = Base64.getUrlDecoder().decode(base64UrlKey);
        this.lifetime = lifetime;
        this.clock = clock;
    }

    /** A token, and when it expires. */
    public record Minted(String token, Instant expiresAt) {}

    public String subject() {
        return subject;
    }

    public Duration lifetime() {
        return lifetime;
    }

    /** A new token valid from now for the configured lifetime. */
    public Minted mint() {
        var now = clock.instant();
        var expiresAt = now.plus(lifetime);
        return new Minted(sign(now, expiresAt), expiresAt);
    }

    /** A token for {@code [issuedAt, expiresAt)}; tests use it to present an expired one. */
    public String sign(Instant issuedAt, Instant expiresAt) {
        var header = new LinkedHashMap<String, Object>();
        header.put("alg", "HS256");
        header.put("typ", "JWT");
        header.put("kid", KEY_ID);
        var claims = new LinkedHashMap<String, Object>();
        claims.put("sub", subject);
        claims.put("aud", AUDIENCE);
        claims.put("scope", String.join(" ", SCOPES));
        claims.put("iat", issuedAt.getEpochSecond());
        claims.put("exp", expiresAt.getEpochSecond());
        claims.put("jti", UUID.randomUUID().toString());
        var signingInput = part(header) + '.' + part(claims);
        return signingInput + '.' + B64.encodeToString(hmac(signingInput));
    }

    private static String part(Object value) {
        try {
            return B64.encodeToString(JSON.writeValueAsBytes(value));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialize a token part", e);
        }
    }

    private byte[] hmac(String signingInput) {
        try {
            var mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(signingInput.getBytes(StandardCharsets.US_ASCII));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }
}
