package io.thermowatch.dashboard;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

class PageTokensTest {

    private static final String KEY = DashboardConfig.DEMO_PAGE_TOKEN_KEY;
    private static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");

    @Test
    void a_token_is_an_hs256_jwt_for_the_page_identity_with_read_only_scopes_and_an_expiry() throws Exception {
        // Given
        var tokens = new PageTokens("dashboard-browser", KEY, Duration.ofMinutes(5), Clock.fixed(NOW, ZoneOffset.UTC));

        // When
        var minted = tokens.mint();

        // Then: signed with the key (what RabbitMQ's OAuth 2 backend checks)
        var parts = minted.token().split("\\.");
        assertEquals(3, parts.length);
        var mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(Base64.getUrlDecoder().decode(KEY), "HmacSHA256"));
        assertArrayEquals(
                mac.doFinal((parts[0] + '.' + parts[1]).getBytes(StandardCharsets.US_ASCII)),
                Base64.getUrlDecoder().decode(parts[2]));
        var json = new ObjectMapper();
        var header = json.readTree(Base64.getUrlDecoder().decode(parts[0]));
        assertEquals("HS256", header.path("alg").asText());
        assertEquals(PageTokens.KEY_ID, header.path("kid").asText());
        var claims = json.readTree(Base64.getUrlDecoder().decode(parts[1]));
        assertEquals("dashboard-browser", claims.path("sub").asText());
        assertEquals("thermowatch", claims.path("aud").asText());
        assertEquals(NOW.plusSeconds(300).getEpochSecond(), claims.path("exp").asLong());
        assertEquals(NOW.plusSeconds(300), minted.expiresAt());
        // And: nothing to write to an exchange, no qos1 (durable) session queue
        var scope = claims.path("scope").asText();
        assertEquals(String.join(" ", PageTokens.SCOPES), scope);
        for (var s : scope.split(" ")) {
            assertEquals(false, s.startsWith("thermowatch.write:") && s.contains("amq.topic"), s);
            assertEquals(false, s.contains("qos1"), s);
        }
    }
}
