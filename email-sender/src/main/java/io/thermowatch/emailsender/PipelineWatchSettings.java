package io.thermowatch.emailsender;

import io.thermowatch.common.config.EnvConfig;
import io.thermowatch.common.runtime.PipelineWatch;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;

/**
 * Where and how often the pipeline watchdog looks (see {@link PipelineWatchdog}).
 *
 * @param managementUrl {@code RABBITMQ_MANAGEMENT_URL}: the management API (default {@code http://haproxy:15672})
 * @param user          {@code RABBITMQ_MONITOR_USER}: the read-only monitoring user (default {@code monitor})
 * @param password      {@code RABBITMQ_MONITOR_PASS}
 * @param checkInterval {@code PIPELINE_CHECK_INTERVAL}: time between two looks (default 15 s)
 * @param growthFor     {@code PIPELINE_BACKLOG_GROWTH_FOR}: how long db-writer's backlog may grow (default 3 min)
 */
record PipelineWatchSettings(
        URI managementUrl, String user, String password, Duration checkInterval, Duration growthFor) {

    static final String DEFAULT_MANAGEMENT_URL = "http://haproxy:15672";

    static PipelineWatchSettings fromEnv(EnvConfig env) {
        String url = env.string("RABBITMQ_MANAGEMENT_URL", DEFAULT_MANAGEMENT_URL);
        URI uri = null;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            // reported below
        }
        EnvConfig.check(
                uri != null
                        && uri.getHost() != null
                        && ("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())),
                "RABBITMQ_MANAGEMENT_URL",
                url,
                "an http:// or https:// URL such as http://haproxy:15672");
        return new PipelineWatchSettings(
                uri,
                env.string("RABBITMQ_MONITOR_USER", "monitor"),
                env.secret("RABBITMQ_MONITOR_PASS", "monitor-demo-pass"),
                env.positiveDuration("PIPELINE_CHECK_INTERVAL", Duration.ofSeconds(15)),
                env.positiveDuration("PIPELINE_BACKLOG_GROWTH_FOR", PipelineWatch.DEFAULT_GROWTH_FOR));
    }

    @Override
    public String toString() { // never the password
        return "management " + managementUrl + " as " + user + ", every " + checkInterval + ", backlog growth "
                + growthFor;
    }
}
