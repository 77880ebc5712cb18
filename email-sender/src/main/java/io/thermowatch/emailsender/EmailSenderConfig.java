package io.thermowatch.emailsender;

import io.thermowatch.common.config.AmqpSettings;
import io.thermowatch.common.config.DatabaseSettings;
import io.thermowatch.common.config.EnvConfig;
import io.thermowatch.common.runtime.ClockSkewMeter;
import jakarta.mail.internet.AddressException;
import jakarta.mail.internet.InternetAddress;
import java.nio.file.Path;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.ZoneId;
import java.util.List;
import java.util.Optional;

/**
 * Everything email-sender reads from the environment, validated once at start.
 *
 * @param rules        thresholds and timers of the alert state machine
 * @param groupWait    {@code ALERT_GROUP_WAIT}: transitions within this window share one mail (default 10 s)
 * @param zone         {@code ALERT_TIME_ZONE}: shown beside UTC in mails (default UTC)
 * @param dashboardUrl {@code DASHBOARD_URL}: linked from every mail (default http://localhost:8080/)
 * @param smtp         SMTP server, credentials, sender and recipients
 * @param amqp         broker addresses and credentials ({@code AMQP_*}, default user: the email-sender demo user)
 * @param prefetch     {@code AMQP_PREFETCH}: unacknowledged messages in flight, including those waiting for a mail
 * @param healthPort   {@code HEALTH_PORT} (default 9103)
 * @param stateFile    {@code ALERT_STATE_FILE}: where what was mailed is kept across restarts; empty = nowhere
 *                     (state is rebuilt from the stream)
 * @param clockSkewWarn {@code CLOCK_SKEW_WARN}: a stamp this far from arrival is counted as clock skew (default 30 s)
 * @param maxTrackedSensors {@code MAX_TRACKED_SENSORS}: sensors whose alert state is kept (default 100,000)
 * @param pipeline     the pipeline watchdog: management API, monitoring user, check interval, backlog growth window
 * @param rulesFile    {@code ALERT_RULES_FILE}, validated, and {@code ALERT_RULES_CHECK_INTERVAL}; empty = the single
 *                     default rule of {@code rules}
 * @param database     {@code DB_*} when {@code DB_HOST} is set: alert history ({@code alert_events}), silences and
 *                     acknowledgements; empty = none of them, mails as without a database
 * @param mutesCheckInterval {@code ALERT_MUTES_CHECK_INTERVAL}: how often silences and acknowledgements are read
 *                     (default 5 s)
 */
record EmailSenderConfig(
        AlertRules rules,
        Duration groupWait,
        ZoneId zone,
        String dashboardUrl,
        SmtpSettings smtp,
        AmqpSettings amqp,
        int prefetch,
        int healthPort,
        Optional<Path> stateFile,
        Duration clockSkewWarn,
        int maxTrackedSensors,
        PipelineWatchSettings pipeline,
        Optional<RulesFileSettings> rulesFile,
        Optional<DatabaseSettings> database,
        Duration mutesCheckInterval) {

    static final String DEMO_AMQP_USER = "email-sender";
    static final String DEMO_AMQP_PASS = "emailsender-demo-pass";

    /** @throws io.thermowatch.common.config.ConfigException naming the first bad variable */
    static EmailSenderConfig fromEnv(EnvConfig env) {
        double threshold = env.decimal("TEMPERATURE_THRESHOLD", 25.0, -273.15, 1000.0, "°C");
        double clear = env.decimal("ALERT_CLEAR_THRESHOLD", threshold - 1.0, -273.15, 1000.0, "°C");
        EnvConfig.check(
                clear < threshold,
                "ALERT_CLEAR_THRESHOLD",
                clear,
                "a number (°C) below TEMPERATURE_THRESHOLD (" + threshold + ")");
        AlertRules rules = new AlertRules(
                threshold,
                clear,
                env.positiveDuration("ALERT_REPEAT_INTERVAL", Duration.ofHours(1)),
                env.positiveDuration("SENSOR_OFFLINE_AFTER", Duration.ofMinutes(2)));
        Duration groupWait = env.duration("ALERT_GROUP_WAIT", Duration.ofSeconds(10));

        String zoneText = env.string("ALERT_TIME_ZONE", "UTC");
        ZoneId zone;
        try {
            zone = ZoneId.of(zoneText);
        } catch (DateTimeException e) {
            EnvConfig.check(false, "ALERT_TIME_ZONE", zoneText, "a time zone id such as UTC or Europe/Paris");
            throw e;
        }
        String dashboardUrl = env.string("DASHBOARD_URL", "http://localhost:8080/");
        EnvConfig.check(
                dashboardUrl.startsWith("http://") || dashboardUrl.startsWith("https://"),
                "DASHBOARD_URL",
                dashboardUrl,
                "an http:// or https:// URL");

        String from = env.string("EMAIL_FROM", "thermowatch@example.com");
        checkAddress("EMAIL_FROM", from);
        List<String> to = env.list("EMAIL_TO", "ops@example.com");
        EnvConfig.check(!to.isEmpty(), "EMAIL_TO", "", "one or more comma-separated addresses");
        to.forEach(address -> checkAddress("EMAIL_TO", address));
        SmtpSettings smtp = new SmtpSettings(
                env.string("SMTP_HOST", "mailpit"),
                env.integer("SMTP_PORT", 1025, 1, 65535),
                env.string("SMTP_USERNAME", ""),
                env.secret("SMTP_PASSWORD", ""),
                env.bool("SMTP_STARTTLS", false),
                env.positiveDuration("SMTP_TIMEOUT", Duration.ofSeconds(10)),
                env.positiveDuration("SMTP_RETRY_MAX_DELAY", Duration.ofMinutes(1)),
                from,
                to);

        AmqpSettings amqp = AmqpSettings.fromEnv(env, DEMO_AMQP_USER, DEMO_AMQP_PASS);
        int prefetch = env.integer("AMQP_PREFETCH", 2000, 1, 65535);
        int healthPort = env.port("HEALTH_PORT", 9103);
        Optional<Path> stateFile = env.optionalString("ALERT_STATE_FILE").map(Path::of);
        Duration clockSkewWarn = ClockSkewMeter.warnFromEnv(env);
        Duration rulesCheckInterval = env.positiveDuration("ALERT_RULES_CHECK_INTERVAL", Duration.ofSeconds(5));
        Optional<RulesFileSettings> rulesFile = env.optionalString("ALERT_RULES_FILE")
                .map(path -> RulesFileSettings.load(Path.of(path), rulesCheckInterval, rules));
        return new EmailSenderConfig(
                rules,
                groupWait,
                zone,
                dashboardUrl,
                smtp,
                amqp,
                prefetch,
                healthPort,
                stateFile,
                clockSkewWarn,
                env.integer("MAX_TRACKED_SENSORS", AlertEngine.DEFAULT_MAX_TRACKED, 1, 10_000_000),
                PipelineWatchSettings.fromEnv(env),
                rulesFile,
                // Opt-in: without DB_HOST email-sender needs no database, as before the history existed.
                env.optionalString("DB_HOST").map(host -> DatabaseSettings.fromEnv(env)),
                env.positiveDuration("ALERT_MUTES_CHECK_INTERVAL", Duration.ofSeconds(5)));
    }

    private static void checkAddress(String name, String address) {
        try {
            new InternetAddress(address, true).validate();
        } catch (AddressException e) {
            EnvConfig.check(false, name, address, "an e-mail address such as alerts@example.com");
        }
    }
}
