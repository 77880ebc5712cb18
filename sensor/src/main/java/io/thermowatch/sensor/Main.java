package io.thermowatch.sensor;

import io.thermowatch.common.runtime.ServiceMain;
import java.time.Clock;

/** Sensor emulator: reads the environment, starts the sensors, stops them gracefully on SIGTERM. */
public final class Main {

    private Main() {}

    public static void main(String[] args) {
        ServiceMain.run("sensor", env -> SensorService.start(SensorConfig.fromEnv(env), Clock.systemUTC()));
    }
}
