package io.thermowatch.dashboard;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.thermowatch.common.config.EnvConfig;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PageConfigTest {

    @Test
    void the_websocket_url_follows_the_host_the_browser_used() {
        // Given
        var pageConfig = new PageConfig(DashboardConfig.fromEnv(EnvConfig.of(Map.of())));

        // When
        var body = pageConfig.forRequest("dashboard.example.org", false);

        // Then
        @SuppressWarnings("unchecked")
        var mqtt = (Map<String, Object>) body.get("mqtt");
        assertEquals("ws://dashboard.example.org:15675/ws", mqtt.get("url"));
        assertEquals("api/mqtt-token", mqtt.get("tokenUrl"));
        assertEquals(Set.of("url", "tokenUrl", "topics"), mqtt.keySet(), "no user name, no password: only a token URL");
        assertEquals(List.of("dashboard/live", "sensors/+/status"), mqtt.get("topics"));
        assertEquals(25.0, body.get("threshold"));
        assertEquals(120L, body.get("offlineAfterSeconds"));
        assertEquals(30L, body.get("clockSkewWarnSeconds"));
        assertEquals(
                Map.of(
                        "minValue",
                        -273.15,
                        "maxValue",
                        1000.0,
                        "minTimestamp",
                        946684800000L,
                        "maxFutureSeconds",
                        300L),
                body.get("reading"),
                "the codec's own limits");
    }

    @Test
    void the_range_picker_gets_every_range_with_its_step_in_order() {
        // When
        var body = new PageConfig(DashboardConfig.fromEnv(EnvConfig.of(Map.of()))).forRequest("h", false);

        // Then
        assertEquals(
                List.of(
                        Map.of("name", "1h", "seconds", 3_600L, "stepSeconds", 30L),
                        Map.of("name", "6h", "seconds", 21_600L, "stepSeconds", 60L),
                        Map.of("name", "24h", "seconds", 86_400L, "stepSeconds", 300L),
                        Map.of("name", "7d", "seconds", 604_800L, "stepSeconds", 3_600L),
                        Map.of("name", "30d", "seconds", 2_592_000L, "stepSeconds", 7_200L)),
                body.get("ranges"));
    }

    @Test
    void https_pages_get_wss_and_ipv6_hosts_get_brackets() {
        assertEquals("wss://h:15675/ws", PageConfig.derivedUrl("h", true));
        assertEquals("ws://[::1]:15675/ws", PageConfig.derivedUrl("::1", false));
        assertEquals("ws://[::1]:15675/ws", PageConfig.derivedUrl("[::1]", false));
    }

    @Test
    void mqtt_ws_url_overrides_the_derived_url() {
        // Given
        var config = DashboardConfig.fromEnv(EnvConfig.of(Map.of("MQTT_WS_URL", "wss://broker.example.org/mqtt")));

        // When
        var body = new PageConfig(config).forRequest("dashboard.example.org", false);

        // Then
        assertEquals("wss://broker.example.org/mqtt", ((Map<?, ?>) body.get("mqtt")).get("url"));
    }
}
