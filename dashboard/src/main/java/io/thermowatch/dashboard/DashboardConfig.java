package io.thermowatch.dashboard;

import io.thermowatch.common.config.DatabaseSettings;
import io.thermowatch.common.config.DurationText;
import io.thermowatch.common.config.EnvConfig;
import io.thermowatch.common.config.MqttSettings;
import io.thermowatch.common.runtime.ClockSkewMeter;
import io.thermowatch.common.runtime.PipelineWatch;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.UUID;

/**
 * The dashboard's whole configuration, read once from the environment and validated at the edge.
 *
 * @param port                   {@code DASHBOARD_PORT} (default 8080): page, API, {@code /healthz}, {@code /readyz}
 * @param healthPort             {@code HEALTH_PORT} (default 9104): {@code /healthz}, {@code /readyz} and
 *                               {@code /metrics}, like every service's; not to be published
 * @param database               {@code DB_HOST}, {@code DB_PORT}, {@code DB_NAME}, {@code DB_USER}, {@code DB_PASS}
 * @param managementUrl          {@code RABBITMQ_MANAGEMENT_URL} (default {@code http://haproxy:15672})
 * @param monitorUser            {@code RABBITMQ_MONITOR_USER} (default {@code monitor}); never sent to the browser
 * @param monitorPassword        {@code RABBITMQ_MONITOR_PASS}
 * @param pageUser               {@code MQTT_PAGE_USER} (default {@code dashboard-page}): a read-only user, the default
 *                               of the server's own status subscription; never sent to the browser
 * @param pagePassword           {@code MQTT_PAGE_PASS}
 * @param pageTokenUser          {@code MQTT_PAGE_TOKEN_USER} (default {@code dashboard-browser}): the browser's identity
 *                               (the {@code sub} of its tokens; the broker limits its connections)
 * @param pageTokenKey           {@code MQTT_PAGE_TOKEN_KEY}: the HS256 key the page's tokens are signed with, base64url
 *                               (at least 43 characters); the broker's nodes hold the same key
 * @param pageTokenLifetime      {@code MQTT_PAGE_TOKEN_LIFETIME} (default 5 min, 10 s to 1 h): how long a page token
 *                               is accepted; the page fetches a new one and reconnects before it expires
 * @param mqttWsUrl              {@code MQTT_WS_URL}: overrides the derived {@code ws://<request host>:15675/ws}
 * @param threshold              {@code TEMPERATURE_THRESHOLD} (default 25 °C)
 * @param offlineAfter           {@code SENSOR_OFFLINE_AFTER} (default 2 minutes): no reading for this long = stale
 * @param retireAfter            {@code SENSOR_RETIRE_AFTER} (default 7 days, 1 s to 3,650 days, longer than
 *                               {@code SENSOR_OFFLINE_AFTER}): a sensor the inventory does not list and with no
 *                               reading for this long is retired: the API and the page leave it off (its readings
 *                               stay in the database)
 * @param clockSkewWarn          {@code CLOCK_SKEW_WARN} (default 30 s): the page marks a sensor whose stamps are this far
 *                               from when its readings arrive
 * @param maxTrackedSensors      {@code MAX_TRACKED_SENSORS} (default 100,000): sensor statuses kept in memory
 * @param statusMqtt             common's {@code MQTT_*} for the server's own status subscription; the user defaults
 *                               to the read-only page user
 * @param pipelineGrowthFor      {@code PIPELINE_BACKLOG_GROWTH_FOR} (default 3 min): how long db-writer's backlog may
 *                               keep growing before the page's pipeline banner says so (as email-sender's mails)
 * @param csvMaxRows             {@code CSV_MAX_ROWS} (default 1,000,000, 1 to 10,000,000): the most readings one CSV
 *                               export returns; a range holding more is refused before anything is sent
 * @param liveFeedInterval       {@code LIVE_FEED_INTERVAL} (default 100 ms, 10 ms to 10 s): the live feed sends the pages
 *                               at most one frame per this (the latest reading of each sensor that sent one)
 * @param liveUser               {@code MQTT_LIVE_USER} (default {@code dashboard-live}): the live feed's publisher, may
 *                               publish {@code dashboard/live} and nothing else; never sent to the browser
 * @param livePassword           {@code MQTT_LIVE_PASS}
 * @param operator               {@code OPERATOR_TOKEN}, {@code OPERATOR_DB_USER}, {@code OPERATOR_DB_PASS}: the
 *                               operator API (silences, acknowledgements); empty without a token (API off)
 * @param inventory              {@code SENSOR_INVENTORY_FILE}, validated, and {@code SENSOR_INVENTORY_CHECK_INTERVAL}
 *                               (default 5 s): the labels per sensor (site, room, rack, description) of the alert
 *                               rules file's {@code inventory:} section; empty = no sensor has labels
 */
record DashboardConfig(
        int port,
        int healthPort,
        DatabaseSettings database,
        URI managementUrl,
        String monitorUser,
        String monitorPassword,
        String pageUser,
        String pagePassword,
        String pageTokenUser,
        String pageTokenKey,
        Duration pageTokenLifetime,
        Optional<String> mqttWsUrl,
        double threshold,
        Duration offlineAfter,
        Duration retireAfter,
        Duration clockSkewWarn,
        int maxTrackedSensors,
        MqttSettings statusMqtt,
        Duration pipelineGrowthFor,
        int csvMaxRows,
        Duration liveFeedInterval,
        String liveUser,
        String livePassword,
        Optional<OperatorSettings> operator,
        Optional<InventorySettings> inventory) {

    static final int DEFAULT_PORT = 8080;
    static final int DEFAULT_HEALTH_PORT = 9104;
    static final String DEFAULT_MANAGEMENT_URL = "http://haproxy:15672";
    static final double DEFAULT_THRESHOLD = 25.0;
    static final Duration DEFAULT_OFFLINE_AFTER = Duration.ofMinutes(2);
    static final Duration DEFAULT_RETIRE_AFTER = Duration.ofDays(7);
    static final Duration MIN_RETIRE_AFTER = Duration.ofSeconds(1);
    static final Duration MAX_RETIRE_AFTER = Duration.ofDays(3650);
    static final int DEFAULT_MAX_TRACKED_SENSORS = 100_000;
    /** 31 days of one sensor reading every 2.7 s; about 40 MB of CSV with short sensor ids. */
    static final int DEFAULT_CSV_MAX_ROWS = 1_000_000;

    static final Duration DEFAULT_LIVE_FEED_INTERVAL = Duration.ofMillis(100);
    static final Duration MIN_LIVE_FEED_INTERVAL = Duration.ofMillis(10);
    static final Duration MAX_LIVE_FEED_INTERVAL = Duration.ofSeconds(10);

    static final Duration DEFAULT_PAGE_TOKEN_LIFETIME = Duration.ofMinutes(5);
    static final Duration MIN_PAGE_TOKEN_LIFETIME = Duration.ofSeconds(10);
    static final Duration MAX_PAGE_TOKEN_LIFETIME = Duration.ofHours(1);
    /** .env's demo key, like the other demo secrets: change it (and the nodes') anywhere but a laptop. */
    static final String DEMO_PAGE_TOKEN_KEY = "6cuzF6TY_8CgbBPxBZSvC0loPYMMfo_EC3rKEDJE30k";

    /** The live feed's subscription to the readings: the status subscription's broker and user, its own client id. */
    MqttSettings liveReadingsMqtt() {
        return withClient(statusMqtt.username(), statusMqtt.password(), statusMqtt.clientId() + "-live-in");
    }

    /** The live feed's publisher: the status subscription's broker, the live user. */
    MqttSettings liveFramesMqtt() {
        return withClient(liveUser, livePassword, statusMqtt.clientId() + "-live-out");
    }

    private MqttSettings withClient(String user, String password, String clientId) {
        return new MqttSettings(
                statusMqtt.serverUris(), user, password, clientId, statusMqtt.keepAliveSeconds(), statusMqtt.tlsCa());
    }

    /** Reads and validates every variable; throws the common one-line {@code ConfigException} on the first bad one. */
    static DashboardConfig fromEnv(EnvConfig env) {
        var management = env.string("RABBITMQ_MANAGEMENT_URL", DEFAULT_MANAGEMENT_URL);
        var wsUrl = env.optionalString("MQTT_WS_URL").filter(s -> !s.isBlank());
        var pageUser = env.string("MQTT_PAGE_USER", "dashboard-page");
        var pagePassword = env.secret("MQTT_PAGE_PASS", "page-demo-pass");
        var pageTokenUser = env.string("MQTT_PAGE_TOKEN_USER", "dashboard-browser");
        EnvConfig.check(
                pageTokenUser.matches("[A-Za-z0-9_.-]{1,64}"),
                "MQTT_PAGE_TOKEN_USER",
                pageTokenUser,
                "1 to 64 characters of A-Z a-z 0-9 _ . -");
        var pageTokenKey = env.secret("MQTT_PAGE_TOKEN_KEY", DEMO_PAGE_TOKEN_KEY);
        // The key's value never appears in the message: only its length.
        EnvConfig.check(
                pageTokenKey.matches(PageTokens.KEY_PATTERN),
                "MQTT_PAGE_TOKEN_KEY",
                "(" + pageTokenKey.length() + " characters)",
                "base64url (A-Z a-z 0-9 _ -), at least 43 characters");
        var pageTokenLifetime = env.durationBetween(
                "MQTT_PAGE_TOKEN_LIFETIME",
                DEFAULT_PAGE_TOKEN_LIFETIME,
                MIN_PAGE_TOKEN_LIFETIME,
                MAX_PAGE_TOKEN_LIFETIME);
        var statusMqtt = MqttSettings.fromEnv(
                env, "thermowatch-dashboard-" + UUID.randomUUID().toString().substring(0, 8), pageUser, pagePassword);
        var database = DatabaseSettings.fromEnv(env);
        var inventoryCheckInterval =
                env.positiveDuration("SENSOR_INVENTORY_CHECK_INTERVAL", InventorySettings.DEFAULT_CHECK_INTERVAL);
        var inventory = env.optionalString("SENSOR_INVENTORY_FILE")
                .filter(path -> !path.isBlank())
                .map(path -> InventorySettings.load(Path.of(path), inventoryCheckInterval));
        var offlineAfter = env.positiveDuration("SENSOR_OFFLINE_AFTER", DEFAULT_OFFLINE_AFTER);
        var retireAfter =
                env.durationBetween("SENSOR_RETIRE_AFTER", DEFAULT_RETIRE_AFTER, MIN_RETIRE_AFTER, MAX_RETIRE_AFTER);
        // A sensor is stale before it is retired: the page shows it silent before it leaves.
        EnvConfig.check(
                retireAfter.compareTo(offlineAfter) > 0,
                "SENSOR_RETIRE_AFTER",
                DurationText.format(retireAfter),
                "longer than SENSOR_OFFLINE_AFTER (" + DurationText.format(offlineAfter) + ")");
        var liveFeedInterval = env.durationBetween(
                "LIVE_FEED_INTERVAL", DEFAULT_LIVE_FEED_INTERVAL, MIN_LIVE_FEED_INTERVAL, MAX_LIVE_FEED_INTERVAL);
        return new DashboardConfig(
                env.integer("DASHBOARD_PORT", DEFAULT_PORT, 0, 65535),
                env.port("HEALTH_PORT", DEFAULT_HEALTH_PORT),
                database,
                Urls.httpUrl("RABBITMQ_MANAGEMENT_URL", management),
                env.string("RABBITMQ_MONITOR_USER", "monitor"),
                env.secret("RABBITMQ_MONITOR_PASS", "monitor-demo-pass"),
                pageUser,
                pagePassword,
                pageTokenUser,
                pageTokenKey,
                pageTokenLifetime,
                wsUrl.map(url -> Urls.webSocketUrl("MQTT_WS_URL", url)),
                env.decimal("TEMPERATURE_THRESHOLD", DEFAULT_THRESHOLD, -273.15, 1000.0, "°C"),
                offlineAfter,
                retireAfter,
                ClockSkewMeter.warnFromEnv(env),
                env.integer("MAX_TRACKED_SENSORS", DEFAULT_MAX_TRACKED_SENSORS, 1, 10_000_000),
                statusMqtt,
                env.positiveDuration("PIPELINE_BACKLOG_GROWTH_FOR", PipelineWatch.DEFAULT_GROWTH_FOR),
                env.integer("CSV_MAX_ROWS", DEFAULT_CSV_MAX_ROWS, 1, 10_000_000),
                liveFeedInterval,
                env.string("MQTT_LIVE_USER", "dashboard-live"),
                env.secret("MQTT_LIVE_PASS", "live-demo-pass"),
                OperatorSettings.fromEnv(env, database),
                inventory);
    }
}
