package io.thermowatch.dashboard;

import io.thermowatch.common.wire.ReadingCodec;
import io.thermowatch.common.wire.Topics;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the page needs to connect: the MQTT-over-WebSocket URL (from {@code MQTT_WS_URL}, else the host the browser
 * used to reach the dashboard, port {@value #DEFAULT_WS_PORT}, path {@code /ws}) and where to fetch its short-lived
 * MQTT token ({@code api/mqtt-token}: no password is ever part of this answer), the threshold and the offline timeout, the clock-skew
 * warning, the codec's validity rules, so the page judges a live reading exactly as db-writer does, and the ranges of
 * its time-range picker ({@link HistoryRange}, the readings API's {@code range=}).
 */
final class PageConfig {

    static final int DEFAULT_WS_PORT = 15675;

    private final DashboardConfig config;

    PageConfig(DashboardConfig config) {
        this.config = config;
    }

    Map<String, Object> forRequest(String requestHost, boolean secure) {
        var mqtt = new LinkedHashMap<String, Object>();
        mqtt.put("url", config.mqttWsUrl().orElseGet(() -> derivedUrl(requestHost, secure)));
        mqtt.put("tokenUrl", "api/mqtt-token");
        mqtt.put("topics", List.of(LivePublisher.TOPIC, Topics.ALL_STATUSES_FILTER));
        var body = new LinkedHashMap<String, Object>();
        body.put("mqtt", mqtt);
        body.put("threshold", config.threshold());
        body.put("offlineAfterSeconds", config.offlineAfter().toSeconds());
        body.put("retireAfterSeconds", config.retireAfter().toSeconds());
        body.put("historyMinutes", 60);
        body.put("clockSkewWarnSeconds", config.clockSkewWarn().toSeconds());
        body.put("maxTrackedSensors", config.maxTrackedSensors());
        var reading = new LinkedHashMap<String, Object>();
        reading.put("minValue", ReadingCodec.MIN_VALUE_CELSIUS);
        reading.put("maxValue", ReadingCodec.MAX_VALUE_CELSIUS);
        reading.put("minTimestamp", ReadingCodec.MIN_TIMESTAMP_MILLIS);
        reading.put("maxFutureSeconds", ReadingCodec.MAX_CLOCK_SKEW.toSeconds());
        body.put("reading", reading);
        body.put(
                "ranges", Arrays.stream(HistoryRange.ALL).map(PageConfig::range).toList());
        return body;
    }

    private static Map<String, Object> range(HistoryRange range) {
        var body = new LinkedHashMap<String, Object>();
        body.put("name", range.name());
        body.put("seconds", range.length().toSeconds());
        body.put("stepSeconds", range.step().toSeconds());
        return body;
    }

    static String derivedUrl(String requestHost, boolean secure) {
        var host = requestHost == null || requestHost.isBlank() ? "localhost" : requestHost;
        if (host.indexOf(':') >= 0 && !host.startsWith("[")) {
            host = "[" + host + "]"; // IPv6 literal
        }
        return (secure ? "wss://" : "ws://") + host + ':' + DEFAULT_WS_PORT + "/ws";
    }
}
