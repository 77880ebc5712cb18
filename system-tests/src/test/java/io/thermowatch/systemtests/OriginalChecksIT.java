package io.thermowatch.systemtests;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.thermowatch.testkit.Mailbox;
import io.thermowatch.testkit.MqttTestClient;
import io.thermowatch.testkit.ServiceProcess;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The original system's five manual checks, automated against the whole system: the four services from their
 * jars (three sensors in two sensor processes, {@code sensor3} alone so it can be stopped), the native stack.
 * One system for the class; the checks run in the original's order and the last one counts every reading the
 * sensors logged against the rows.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class OriginalChecksIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration OFFLINE_AFTER = Duration.ofSeconds(8);
    private static final Duration SECONDS = Duration.ofSeconds(15);

    private SystemUnderTest system;
    private Rows rows;
    private Browser browser;
    private ServiceProcess sensors12;
    private ServiceProcess sensor3;
    private final List<ServiceProcess> sensor3Runs = new ArrayList<>();
    private String sensor1;
    private String sensor2;
    private String sensor3Id;
    /** The page user's view of status messages over MQTT-over-WebSocket (what the page subscribes to). */
    private MqttTestClient pageView;

    @BeforeAll
    void startTheSystem() throws Exception {
        system = SystemUnderTest.start(OFFLINE_AFTER, Map.of(), Map.of());
        rows = new Rows(system.stack);
        sensor1 = system.run + "_sensor1";
        sensor2 = system.run + "_sensor2";
        sensor3Id = system.run + "_sensor3";
        pageView = MqttTestClient.connect(system.stack.webMqttUri().toString(), system.stack.page());
        pageView.subscribe("sensors/+/status");
        sensors12 = system.startSensor("sensors12", Map.of("SENSOR_COUNT", "2", "SENSOR_ID_PREFIX",
                system.run + "_sensor", "PUBLISH_INTERVAL", "1s"));
        sensor3 = startSensor3();
        system.awaitAllReady(SystemUnderTest.READY);
    }

    @AfterAll
    void stopTheSystem() {
        if (browser != null) {
            browser.close();
        }
        if (pageView != null) {
            pageView.close();
        }
        if (system != null) {
            system.close();
        }
    }

    @Test
    @Order(1)
    void the_dashboard_shows_every_sensor_within_seconds_in_the_api_and_the_page() throws Exception {
        // When / Then: the API lists the three sensors with readings of the last few seconds
        await("three fresh sensors in /api/sensors").atMost(SECONDS).ignoreExceptions().untilAsserted(() -> {
            JsonNode body = JSON.readTree(SystemUnderTest.get(system.dashboard("/api/sensors")).body());
            long now = System.currentTimeMillis();
            Set<String> fresh = new java.util.TreeSet<>();
            for (JsonNode s : body.path("sensors")) {
                if (s.path("status").asText().equals("online") && now - s.path("timestamp").asLong() < 10_000) {
                    fresh.add(s.path("sensor").asText());
                }
            }
            assertTrue(fresh.containsAll(Set.of(sensor1, sensor2, sensor3Id)), "fresh sensors: " + fresh);
        });

        // And: a headless browser renders them (history from the API, live values over MQTT/WebSocket)
        browser = Browser.open();
        browser.load(system.dashboard("/").toString());
        for (String id : List.of(sensor1, sensor2, sensor3Id)) {
            browser.awaitSensorStatus(id, "online", SECONDS);
        }
    }

    @Test
    @Order(2)
    void a_hot_reading_sends_one_alert_mail() throws Exception {
        // Given
        String hot = system.run + "_hot";
        Mailbox mailbox = system.stack.mailbox();

        // When
        try (MqttTestClient sensor = MqttTestClient.connect(system.stack.mqttUri(), system.stack.sensor())) {
            sensor.publish("temperature/" + hot, "{\"value\": 41.5, \"timestamp\": " + System.currentTimeMillis() + "}");
        }

        // Then: one FIRING mail (the original's subject), and no second one while the sensor stays hot
        mailbox.awaitMessages(system.mailTo, m -> isFiring(m, hot), 1, SECONDS);
        await("still exactly one alert for " + hot).during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(5))
                .until(() -> mailbox.messages(system.mailTo).stream().filter(m -> isFiring(m, hot)).count() == 1);
    }

    @Test
    @Order(3)
    void the_original_query_returns_fresh_rows() {
        // When
        List<String> sensors = new ArrayList<>();
        List<Instant> times = new ArrayList<>();
        rows.query("SELECT * FROM temperature ORDER BY time DESC LIMIT 10", List.of(), rs -> {
            times.add(rs.getObject("time", java.time.OffsetDateTime.class).toInstant());
            sensors.add(rs.getString("sensor"));
            rs.getDouble("value");
        });

        // Then
        assertEquals(10, times.size(), "rows: " + sensors);
        assertTrue(Duration.between(times.get(0), Instant.now()).abs().toSeconds() < 10, "newest row " + times.get(0));
        assertTrue(sensors.stream().anyMatch(s -> s.startsWith(system.run)), "our sensors among " + sensors);
    }

    @Test
    @Order(4)
    void a_gracefully_stopped_sensor_is_offline_at_once_with_one_mail_and_every_reading_stored() {
        // Given
        Mailbox mailbox = system.stack.mailbox();
        long offlineMailsBefore = offlineMails(mailbox, sensor3Id);
        Instant stoppedAt = Instant.now();

        // When
        sensor3.sigterm();

        // Then: exit 0, `offline` on the status topic at once, the page shows it, one mail
        assertEquals(0, sensor3.awaitExit(SECONDS), sensor3.tail());
        pageView.awaitReceived(m -> m.topic().equals("sensors/" + sensor3Id + "/status") && m.text().equals("offline"),
                1, Duration.ofSeconds(5));
        browser.awaitSensorStatus(sensor3Id, "offline", Duration.ofSeconds(5));
        awaitApiStatus(sensor3Id, "offline", Duration.ofSeconds(5));
        assertOneMoreOfflineMail(mailbox, offlineMailsBefore, Duration.ofSeconds(10));
        assertTrue(Duration.between(stoppedAt, Instant.now()).compareTo(Duration.ofSeconds(30)) < 0);
        assertEveryLoggedReadingStoredOnce(sensor3);
    }

    @Test
    @Order(5)
    void a_killed_sensor_is_offline_within_the_timeout_with_one_mail() {
        // Given: sensor3 runs again and the dashboard sees it
        Mailbox mailbox = system.stack.mailbox();
        sensor3 = startSensor3();
        sensor3.awaitReady(SECONDS);
        awaitApiStatus(sensor3Id, "online", SECONDS);
        browser.awaitSensorStatus(sensor3Id, "online", SECONDS);
        long offlineMailsBefore = offlineMails(mailbox, sensor3Id);

        // When
        sensor3.sigkill();
        sensor3.awaitExit(SECONDS);

        // Then: the last will (or at the latest the silence rule) marks it offline within the offline timeout
        Duration deadline = OFFLINE_AFTER.plusSeconds(5);
        browser.awaitSensorStatus(sensor3Id, "offline", deadline);
        awaitApiStatus(sensor3Id, "offline", deadline);
        assertOneMoreOfflineMail(mailbox, offlineMailsBefore, deadline);
    }

    @Test
    @Order(6)
    void with_rabbitmq_node_2_stopped_every_service_keeps_working_and_rows_keep_arriving() {
        // Given
        long before1 = rows.count(sensor1);
        long before2 = rows.count(sensor2);
        try {
            // When
            system.stack.stopNode(2);

            // Then: readings keep arriving, the dashboard keeps showing fresh data, everything is ready again
            await("rows keep arriving without node 2").atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                assertTrue(rows.count(sensor1) >= before1 + 10, "sensor1 rows " + rows.count(sensor1));
                assertTrue(rows.count(sensor2) >= before2 + 10, "sensor2 rows " + rows.count(sensor2));
            });
            system.awaitAllReady(Duration.ofSeconds(30));
            awaitApiStatus(sensor1, "online", SECONDS);
            String seen = browser.rowText(sensor1);
            await("the page keeps updating").atMost(SECONDS).until(() -> !browser.rowText(sensor1).equals(seen));
        } finally {
            system.stack.startNode(2);
        }
        system.awaitAllReady(Duration.ofSeconds(30));

        // And: counted, after a graceful stop of the sensors (it waits for every acknowledgement)
        sensors12.sigterm();
        assertEquals(0, sensors12.awaitExit(Duration.ofSeconds(30)), sensors12.tail());
        assertEveryLoggedReadingStoredOnce(sensors12);
    }

    // ------------------------------------------------------------------------------------------------

    private ServiceProcess startSensor3() {
        ServiceProcess process = system.startSensor("sensor3", Map.of("SENSOR_ID", sensor3Id, "PUBLISH_INTERVAL", "1s"));
        sensor3Runs.add(process);
        return process;
    }

    private void assertEveryLoggedReadingStoredOnce(ServiceProcess sensor) {
        Map<String, List<Long>> produced = SystemUnderTest.producedBy(sensor);
        assertTrue(!produced.isEmpty() && produced.values().stream().allMatch(l -> l.size() >= 3),
                "readings logged: " + produced.entrySet().stream()
                        .collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().size())));
        produced.forEach((id, timestamps) -> rows.awaitExactlyOnce(id, timestamps, timestamps, Duration.ofSeconds(30)));
    }

    private void awaitApiStatus(String sensor, String status, Duration timeout) {
        await(sensor + " " + status + " in /api/sensors").atMost(timeout).pollInterval(Duration.ofMillis(250))
                .ignoreExceptions().untilAsserted(() -> {
                    JsonNode body = JSON.readTree(SystemUnderTest.get(system.dashboard("/api/sensors")).body());
                    String now = "absent";
                    for (JsonNode s : body.path("sensors")) {
                        if (s.path("sensor").asText().equals(sensor)) {
                            now = s.path("status").asText();
                        }
                    }
                    assertEquals(status, now);
                });
    }

    private void assertOneMoreOfflineMail(Mailbox mailbox, long before, Duration timeout) {
        await("one offline mail for " + sensor3Id).atMost(timeout).pollInterval(Duration.ofMillis(250))
                .until(() -> offlineMails(mailbox, sensor3Id) >= before + 1);
        await("still exactly one more offline mail for " + sensor3Id).during(Duration.ofSeconds(3))
                .atMost(Duration.ofSeconds(5)).until(() -> offlineMails(mailbox, sensor3Id) == before + 1);
    }

    private long offlineMails(Mailbox mailbox, String sensor) {
        return mailbox.messages(system.mailTo).stream()
                .filter(m -> m.subject() != null && m.subject().equals("Sensor offline: temperature/" + sensor)).count();
    }

    private static boolean isFiring(Mailbox.Mail mail, String sensor) {
        return mail.subject() != null && mail.subject().startsWith("Temperature Alert: ")
                && mail.subject().endsWith(" on temperature/" + sensor);
    }
}
