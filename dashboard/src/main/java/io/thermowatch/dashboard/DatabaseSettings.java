package io.thermowatch.dashboard;

import io.thermowatch.common.EnvConfig;

/** {@code DB_HOST} (timescaledb), {@code DB_PORT} (5432), {@code DB_NAME} (metrics), {@code DB_USER}, {@code DB_PASS} (postgres). */
record DatabaseSettings(String host, int port, String name, String user, String password) {

    static DatabaseSettings load(EnvConfig env) {
        return new DatabaseSettings(
                env.string("DB_HOST", "timescaledb"),
                env.integer("DB_PORT", 5432, 1, 65535),
                env.string("DB_NAME", "metrics"),
                env.string("DB_USER", "postgres"),
                env.secret("DB_PASS", "postgres"));
    }

    String jdbcUrl() {
        return "jdbc:postgresql://" + host + ':' + port + '/' + name;
    }
}
