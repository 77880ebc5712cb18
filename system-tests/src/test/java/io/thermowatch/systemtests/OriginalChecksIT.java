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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The original system's five manual checks, automated against the whole system: the four services from their
 * jars, the native stack. One system for the class, with three sensors in two sensor processes running
 * throughout and a browser on the dashboard; a check that stops sensors starts its own, so any one runs alone
 * and in any order. The stopping checks count every reading their sensors logged against the rows.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OriginalChecksIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration OFFLINE_AFTER = Duration.ofSeconds(8);
    private static final Duration SECONDS = Duration.ofSeconds(15);
    /** How far ahead of arrival the readings' codec accepts a stamp (its MAX_CLOCK_SKEW). */
    private static final Duration ACCEPTED_AHEAD = Duration.ofMinutes(5);

    private SystemUnderTest system;
    private Rows rows;
    private Browser browser;
    private String sensor1;
    private String sensor2;
    private String sensor3Id;

    @BeforeAll
    void startTheSystem() throws Exception {
        system = SystemUnderTest.start(OFFLINE_AFTER, Map.of(), Map.of());
        rows = new Rows(system.stack);
        sensor1 = system.run + "_sensor1";
        sensor2 = system.run + "_sensor2";
        sensor3Id = system.run + "_sensor3";
        system.startSensor(
                "sensors12",
                Map.of("SENSOR_COUNT", "2", "SENSOR_ID_PREFIX", system.run + "_sensor", "PUBLISH_INTERVAL", "1s"));
        startSensor("sensor3", sensor3Id);
        system.awaitAllReady(SystemUnderTest.READY);
        browser = Browser.open();
        browser.load(system.dashboard("/").toString());
    }

    @AfterAll
    void stopTheSystem() {
        if (browser != null) {
            browser.close();
        }
        if (system != null) {
            system.close();
        }
    }

    @Test
    void the_dashboard_shows_every_sensor_within_seconds_in_the_api_and_the_page() throws Exception {
        // When / Then: the API lists the three sensors with readings of the last few seconds
        await("three fresh sensors in /api/sensors")
                .atMost(SECONDS)
                .ignoreExceptions()
                .untilAsserted(() -> {
                    JsonNode body = JSON.readTree(SystemUnderTest.get(system.dashboard("/api/sensors"))
                            .body());
                    long now = System.currentTimeMillis();
                    Set<String> fresh = new java.util.TreeSet<>();
                    for (JsonNode s : body.path("sensors")) {
                        if (s.path("status").asText().equals("online")
                                && now - s.path("timestamp").asLong() < 10_000) {
                            fresh.add(s.path("sensor").asText());
                        }
                    }
                    assertTrue(fresh.containsAll(Set.of(sensor1, sensor2, sensor3Id)), "fresh sensors: " + fresh);
                });

        // And: a headless browser renders them (history from the API, live values over MQTT/WebSocket)
        browser.load(system.dashboard("/").toString());
        for (String id : List.of(sensor1, sensor2, sensor3Id)) {
            browser.awaitSensorStatus(id, "online", SECONDS);
        }
    }

    @Test
    void a_hot_reading_sends_one_alert_mail() throws Exception {
        // Given
        String hot = system.run + "_hot";
        Mailbox mailbox = system.stack.mailbox();

        // When
        try (MqttTestClient sensor = MqttTestClient.connect(system.stack.mqttUri(), system.stack.sensor())) {
            sensor.publish(
                    "temperature/" + hot, "{\"value\": 41.5, \"timestamp\": " + System.currentTimeMillis() + "}");
        }

        // Then: one FIRING mail (the original's subject), and no second one while the sensor stays hot
        mailbox.awaitMessages(system.mailTo, m -> isFiring(m, hot), 1, SECONDS);
        await("still exactly one alert for " + hot)
                .during(Duration.ofSeconds(3))
                .atMost(Duration.ofSeconds(5))
                .until(() -> mailbox.messages(system.mailTo).stream()
                                .filter(m -> isFiring(m, hot))
                                .count()
                        == 1);
    }

    @Test
    void the_original_query_returns_fresh_rows() throws Exception {
        // Given: the class's three sensors have stored at least 10 readings between them, and a sensor whose clock
        // runs 4 minutes ahead has stored one (the codec accepts stamps up to 5 minutes ahead, so such a row tops
        // this query until real time catches up; other tests on a shared stack leave rows like it)
        Set<String> running = Set.of(sensor1, sensor2, sensor3Id);
        await("10 readings of the running sensors stored")
                .atMost(SECONDS)
                .until(() -> running.stream().mapToLong(rows::count).sum() >= 10);
        String ahead = system.run + "_clock_ahead";
        try {
            storeReadingStampedAhead(ahead, Duration.ofMinutes(4));

            // When
            List<String> sensors = new ArrayList<>();
            List<Instant> times = new ArrayList<>();
            List<Double> values = new ArrayList<>();
            rows.query("SELECT * FROM temperature ORDER BY time DESC LIMIT 10", List.of(), rs -> {
                times.add(rs.getObject("time", java.time.OffsetDateTime.class).toInstant());
                sensors.add(rs.getString("sensor"));
                values.add(rs.getObject("value", Double.class));
            });

            // Then: ten rows, newest first, each with its value; fresh: the newest is no older than the running
            // sensors allow and no further ahead than the codec accepts; the running sensors' rows among them
            Instant now = Instant.now();
            assertEquals(10, times.size(), "rows: " + sensors);
            assertEquals(
                    times.stream().sorted(java.util.Comparator.reverseOrder()).toList(), times, "newest first");
            assertTrue(values.stream().allMatch(java.util.Objects::nonNull), "values " + values);
            assertTrue(times.get(0).isAfter(now.minusSeconds(10)), "newest row " + times.get(0) + " at " + now);
            assertTrue(times.get(0).isBefore(now.plus(ACCEPTED_AHEAD)), "newest row " + times.get(0) + " at " + now);
            assertTrue(sensors.stream().anyMatch(running::contains), "running sensors among " + sensors);
        } finally {
            rows.deleteSensorsStartingWith(ahead);
        }
    }

    private void storeReadingStampedAhead(String sensor, Duration ahead) throws Exception {
        try (MqttTestClient client = MqttTestClient.connect(system.stack.mqttUri(), system.stack.sensor())) {
            client.publish(
                    "temperature/" + sensor,
                    "{\"value\": 22.0, \"timestamp\": "
                            + Instant.now().plus(ahead).toEpochMilli() + "}");
        }
        await(sensor + "'s reading stored").atMost(SECONDS).until(() -> rows.count(sensor) == 1);
    }

    @Test
    void a_gracefully_stopped_sensor_is_offline_at_once_with_one_mail_and_every_reading_stored() throws Exception {
        // Given a sensor of this test's own, online, with a few readings stored, and the page user's view of the
        // status topics over MQTT-over-WebSocket (its own connection: another test stops a node, which drops
        // whatever connection HAProxy had put on that node, and this one does not reconnect)
        Mailbox mailbox = system.stack.mailbox();
        String id = system.run + "_graceful";
        try (MqttTestClient pageView =
                MqttTestClient.connect(system.stack.webMqttUri().toString(), system.stack.page())) {
            pageView.subscribe("sensors/" + id + "/status");
            stopGracefully(mailbox, id, pageView);
        }
    }

    private void stopGracefully(Mailbox mailbox, String id, MqttTestClient pageView) {
        ServiceProcess sensor = startOnlineSensor("graceful", id);
        long offlineMailsBefore = offlineMails(mailbox, id);
        Instant stoppedAt = Instant.now();

        // When
        sensor.sigterm();

        // Then: exit 0, `offline` on the status topic at once, the page shows it, one mail
        assertEquals(0, sensor.awaitExit(SECONDS), sensor.tail());
        pageView.awaitReceived(
                m -> m.topic().equals("sensors/" + id + "/status") && m.text().equals("offline"),
                1,
                Duration.ofSeconds(5));
        browser.awaitSensorStatus(id, "offline", Duration.ofSeconds(5));
        awaitApiStatus(id, "offline", Duration.ofSeconds(5));
        assertOneMoreOfflineMail(mailbox, id, offlineMailsBefore, Duration.ofSeconds(10));
        assertTrue(Duration.between(stoppedAt, Instant.now()).compareTo(Duration.ofSeconds(30)) < 0);
        assertEveryLoggedReadingStoredOnce(sensor);
    }

    @Test
    void a_killed_sensor_is_offline_within_the_timeout_with_one_mail() {
        // Given: a sensor of this test's own runs and the dashboard sees it
        Mailbox mailbox = system.stack.mailbox();
        String id = system.run + "_killed";
        ServiceProcess sensor = startOnlineSensor("killed", id);
        long offlineMailsBefore = offlineMails(mailbox, id);

        // When
        sensor.sigkill();
        sensor.awaitExit(SECONDS);

        // Then: the last will (or at the latest the silence rule) marks it offline within the offline timeout
        Duration deadline = OFFLINE_AFTER.plusSeconds(5);
        browser.awaitSensorStatus(id, "offline", deadline);
        awaitApiStatus(id, "offline", deadline);
        assertOneMoreOfflineMail(mailbox, id, offlineMailsBefore, deadline);
    }

    @Test
    void with_rabbitmq_node_2_stopped_every_service_keeps_working_and_rows_keep_arriving() {
        // Given two sensors of this test's own (they are stopped to be counted), online
        String first = system.run + "_n2sensor1";
        String second = system.run + "_n2sensor2";
        ServiceProcess sensors = system.startSensor(
                "n2sensors",
                Map.of("SENSOR_COUNT", "2", "SENSOR_ID_PREFIX", system.run + "_n2sensor", "PUBLISH_INTERVAL", "1s"));
        sensors.awaitReady(SECONDS);
        awaitApiStatus(first, "online", SECONDS);
        long before1 = rows.count(first);
        long before2 = rows.count(second);
        try {
            // When
            system.stack.stopNode(2);

            // Then: readings keep arriving, the dashboard keeps showing fresh data, everything is ready again
            await("rows keep arriving without node 2")
                    .atMost(Duration.ofSeconds(30))
                    .untilAsserted(() -> {
                        assertTrue(rows.count(first) >= before1 + 10, first + " rows " + rows.count(first));
                        assertTrue(rows.count(second) >= before2 + 10, second + " rows " + rows.count(second));
                    });
            system.awaitAllReady(Duration.ofSeconds(30));
            awaitApiStatus(first, "online", SECONDS);
            String seen = browser.rowText(first);
            await("the page keeps updating")
                    .atMost(SECONDS)
                    .until(() -> !browser.rowText(first).equals(seen));
        } finally {
            system.stack.startNode(2);
        }
        system.awaitAllReady(Duration.ofSeconds(30));

        // And: counted, after a graceful stop of the sensors (it waits for every acknowledgement)
        sensors.sigterm();
        assertEquals(0, sensors.awaitExit(Duration.ofSeconds(30)), sensors.tail());
        assertEveryLoggedReadingStoredOnce(sensors);
    }

    // ------------------------------------------------------------------------------------------------

    private ServiceProcess startSensor(String name, String id) {
        return system.startSensor(name, Map.of("SENSOR_ID", id, "PUBLISH_INTERVAL", "1s"));
    }

    /** A sensor process the dashboard shows online, with at least 3 readings stored (enough to count). */
    private ServiceProcess startOnlineSensor(String name, String id) {
        ServiceProcess sensor = startSensor(name, id);
        sensor.awaitReady(SECONDS);
        awaitApiStatus(id, "online", SECONDS);
        browser.awaitSensorStatus(id, "online", SECONDS);
        await(id + ": 3 readings stored").atMost(SECONDS).until(() -> rows.count(id) >= 3);
        return sensor;
    }

    private void assertEveryLoggedReadingStoredOnce(ServiceProcess sensor) {
        Map<String, List<Long>> produced = SystemUnderTest.producedBy(sensor);
        assertTrue(
                !produced.isEmpty() && produced.values().stream().allMatch(l -> l.size() >= 3),
                "readings logged: "
                        + produced.entrySet().stream()
                                .collect(Collectors.toMap(
                                        Map.Entry::getKey, e -> e.getValue().size())));
        produced.forEach((id, timestamps) -> rows.awaitExactlyOnce(id, timestamps, timestamps, Duration.ofSeconds(30)));
    }

    private void awaitApiStatus(String sensor, String status, Duration timeout) {
        await(sensor + " " + status + " in /api/sensors")
                .atMost(timeout)
                .pollInterval(Duration.ofMillis(250))
                .ignoreExceptions()
                .untilAsserted(() -> {
                    JsonNode body = JSON.readTree(SystemUnderTest.get(system.dashboard("/api/sensors"))
                            .body());
                    String now = "absent";
                    for (JsonNode s : body.path("sensors")) {
                        if (s.path("sensor").asText().equals(sensor)) {
                            now = s.path("status").asText();
                        }
                    }
                    assertEquals(status, now);
                });
    }

    private void assertOneMoreOfflineMail(Mailbox mailbox, String sensor, long before, Duration timeout) {
        await("one offline mail for " + sensor)
                .atMost(timeout)
                .pollInterval(Duration.ofMillis(250))
                .until(() -> offlineMails(mailbox, sensor) >= before + 1);
        await("still exactly one more offline mail for " + sensor)
                .during(Duration.ofSeconds(3))
                .atMost(Duration.ofSeconds(5))
                .until(() -> offlineMails(mailbox, sensor) == before + 1);
    }

    private long offlineMails(Mailbox mailbox, String sensor) {
        return mailbox.messages(system.mailTo).stream()
                .filter(m -> m.subject() != null && m.subject().equals("Sensor offline: temperature/" + sensor))
                .count();
    }

    private static boolean isFiring(Mailbox.Mail mail, String sensor) {
        return mail.subject() != null
                && mail.subject().startsWith("Temperature Alert: ")
                && mail.subject().endsWith(" on temperature/" + sensor);
    }
}
