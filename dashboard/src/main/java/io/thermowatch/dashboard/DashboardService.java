package io.thermowatch.dashboard;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.zaxxer.hikari.HikariDataSource;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.thermowatch.common.runtime.HealthServer;
import io.thermowatch.common.runtime.MonotonicClock;
import io.thermowatch.common.runtime.PipelineWatch;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running dashboard: the public Jetty server on {@code DASHBOARD_PORT} serving the page, the API and
 * {@code /healthz /readyz}; common's {@link HealthServer} on {@code HEALTH_PORT} serving {@code /healthz /readyz
 * /metrics} like every service's (metrics describe the internals: never on the public port); the database pool and
 * the status subscriber; the pages' live feed ({@link LiveFeed}). {@link #close()} is idempotent.
 */
final class DashboardService implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(DashboardService.class);

    private final Server server;
    private final HealthServer healthServer;
    private final HikariDataSource dataSource;
    private final java.util.Optional<HikariDataSource> operatorPool;
    private final StatusTracker statuses;
    private final InventoryReloader inventory;
    private final LiveFeed liveFeed;
    private final int port;
    private final AtomicBoolean closed = new AtomicBoolean();

    private DashboardService(
            Server server,
            HealthServer healthServer,
            HikariDataSource dataSource,
            java.util.Optional<HikariDataSource> operatorPool,
            StatusTracker statuses,
            InventoryReloader inventory,
            LiveFeed liveFeed,
            int port) {
        this.inventory = inventory;
        this.liveFeed = liveFeed;
        this.operatorPool = operatorPool;
        this.server = server;
        this.healthServer = healthServer;
        this.dataSource = dataSource;
        this.statuses = statuses;
        this.port = port;
    }

    static DashboardService start(DashboardConfig config, PrometheusMeterRegistry registry, Clock clock)
            throws Exception {
        var json = new ObjectMapper();
        var responses = new JsonResponses(json);
        var dataSource = Database.open(config.database());
        var schemaProbe = new SchemaProbe(dataSource, clock);
        var store = new ReadingStore(dataSource, schemaProbe);
        var cluster = new ClusterClient(
                config.managementUrl(),
                config.monitorUser(),
                config.monitorPassword(),
                json,
                clock,
                new PipelineWatch(config.pipelineGrowthFor()),
                MonotonicClock.system());
        var sensorState = new SensorState(config.threshold(), config.offlineAfter(), config.retireAfter(), clock);

        var threads = new QueuedThreadPool(32, 4);
        threads.setName("dashboard-http");
        var server = new Server(threads);
        var http = new HttpConfiguration();
        http.setSendServerVersion(false);
        http.setSendXPoweredBy(false);
        var connector = new ServerConnector(server, new HttpConnectionFactory(http));
        connector.setPort(config.port());
        server.addConnector(connector);
        server.setErrorHandler(new JsonErrorHandler(responses));
        var checks = List.of(new HealthServer.Check("database", schemaProbe::isReady));
        var statuses = new StatusTracker(config.statusMqtt(), clock, config.maxTrackedSensors());
        registry.gauge("thermowatch.sensors.tracked", statuses, StatusTracker::trackedCount);
        FunctionCounter.builder("thermowatch.sensors.evicted", statuses, StatusTracker::evictedCount)
                .description("Sensor statuses forgotten to stay within MAX_TRACKED_SENSORS")
                .register(registry);
        var inventory = config.inventory().map(InventoryReloader::of).orElseGet(InventoryReloader::none);
        var liveFeed = new LiveFeed(
                config.liveReadingsMqtt(),
                config.liveFramesMqtt(),
                config.liveFeedInterval(),
                config.pageTokenLifetime());
        FunctionCounter.builder("thermowatch.live.frames.sent", liveFeed, LiveFeed::framesSent)
                .description("Live feed messages published to dashboard/live")
                .register(registry);
        FunctionCounter.builder("thermowatch.live.frames.dropped", liveFeed, LiveFeed::framesDropped)
                .description("Live feed messages dropped (no connection to the broker)")
                .register(registry);
        FunctionCounter.builder("thermowatch.live.readings.rejected", liveFeed, LiveFeed::readingsRejected)
                .description("Readings the live feed did not forward (the codec rejected them)")
                .register(registry);
        var api = new ApiHandler(
                config,
                store,
                sensorState,
                cluster,
                statuses,
                inventory,
                liveFeed::pageTokenMinted,
                responses,
                registry,
                clock);
        // The operator's writes go through a pool of their own, as the narrow operator role (none without a token).
        var operatorPool = config.operator().map(operator -> Database.openForOperator(operator.database()));
        var alerts = new AlertsHandler(
                new AlertStore(dataSource, operatorPool.map(pool -> pool)),
                config.operator().map(operator -> new OperatorToken(operator.token())),
                new OperatorRequests(json),
                responses,
                registry,
                clock);
        LOG.info(
                "dashboard - operator API {}",
                config.operator().isPresent() ? "enabled (OPERATOR_TOKEN set)" : "disabled (no OPERATOR_TOKEN)");
        server.setHandler(new SecurityHeaders(
                new Handler.Sequence(HealthServer.probesHandler(checks), alerts, api, new StaticAssets())));
        HealthServer healthServer;
        try {
            healthServer = HealthServer.start(config.healthPort(), registry, checks.toArray(HealthServer.Check[]::new));
        } catch (Exception e) {
            dataSource.close();
            operatorPool.ifPresent(HikariDataSource::close);
            statuses.close();
            liveFeed.close();
            throw e;
        }
        try {
            server.start();
        } catch (Exception e) {
            server.stop();
            healthServer.close();
            dataSource.close();
            operatorPool.ifPresent(HikariDataSource::close);
            statuses.close();
            liveFeed.close();
            throw new IllegalStateException(
                    "dashboard - cannot listen on port " + config.port()
                            + " (in use? set DASHBOARD_PORT to a free port)",
                    e);
        }
        var port = connector.getLocalPort();
        LOG.info(
                "{} - serving page, API, /healthz and /readyz on http://0.0.0.0:{}/; /metrics on port {}",
                "dashboard",
                port,
                healthServer.port());
        schemaProbe.isReady(); // probe once now, so the log tells at start whether the table is there
        statuses.start();
        config.inventory()
                .ifPresentOrElse(
                        settings -> {
                            inventory.start(settings);
                            LOG.info(
                                    "dashboard - sensor labels from {} ({} sensor(s)), checked every {}",
                                    settings.path(),
                                    settings.inventory().size(),
                                    settings.checkInterval());
                        },
                        () -> LOG.info("dashboard - no sensor labels (no SENSOR_INVENTORY_FILE)"));
        liveFeed.start();
        return new DashboardService(
                server, healthServer, dataSource, operatorPool, statuses, inventory, liveFeed, port);
    }

    int port() {
        return port;
    }

    /** The port of {@code /metrics} (and the health endpoints), HEALTH_PORT or the free one 0 picked. */
    int healthPort() {
        return healthServer.port();
    }

    @Override
    public void close() throws Exception {
        if (closed.compareAndSet(false, true)) {
            try {
                inventory.close();
                statuses.close();
                liveFeed.close();
                server.stop();
                healthServer.close();
            } finally {
                dataSource.close();
                operatorPool.ifPresent(HikariDataSource::close);
            }
        }
    }
}
