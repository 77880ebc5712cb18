package io.thermowatch.dashboard;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class ApiHandlerTest {

    @Test
    void route_names_are_a_small_fixed_set_whatever_the_path() {
        assertEquals("sensors", ApiHandler.routeName("/api/sensors"));
        assertEquals("readings", ApiHandler.routeName("/api/sensors/a1/readings"));
        assertEquals("readings-csv", ApiHandler.routeName("/api/sensors/a1/readings.csv"));
        assertEquals("unknown", ApiHandler.routeName("/api/sensors/readings.csv"));
        assertEquals("unknown", ApiHandler.routeName("/api/sensors/a1/readings.json"));
        assertEquals("cluster", ApiHandler.routeName("/api/cluster"));
        assertEquals("config", ApiHandler.routeName("/api/config"));
        assertEquals("unknown", ApiHandler.routeName("/api/sensors//readings"));
        assertEquals("unknown", ApiHandler.routeName("/api/sensors/readings"));
        assertEquals("unknown", ApiHandler.routeName("/api/whatever/" + "x".repeat(100)));
    }
}
