package io.thermowatch.dashboard;

import io.thermowatch.common.runtime.Metrics;
import io.thermowatch.common.runtime.ServiceMain;
import java.time.Clock;

/** Reads the configuration from the environment and starts the dashboard; SIGTERM stops it. */
public final class Main {

    private Main() {}

    public static void main(String[] args) {
        ServiceMain.run(
                "dashboard",
                env -> DashboardService.start(
                        DashboardConfig.fromEnv(env), Metrics.newRegistry("dashboard"), Clock.systemUTC()));
    }
}
