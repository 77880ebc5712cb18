package io.thermowatch.common.config;

/**
 * How to reach PostgreSQL/TimescaleDB, read from the environment with the original system's variable names.
 * Each service builds its own pool from it (db-writer writes, the dashboard only reads).
 *
 * @param host     {@code DB_HOST}, default {@code timescaledb}
 * @param port     {@code DB_PORT}, default 5432
 * @param name     {@code DB_NAME}, default {@code metrics}
 * @param user     {@code DB_USER}, default {@code postgres}
 * @param password {@code DB_PASS}, default {@code postgres} (the original's documented demo value)
 */
public record DatabaseSettings(String host, int port, String name, String user, String password) {

    /** Reads {@code DB_HOST}, {@code DB_PORT}, {@code DB_NAME}, {@code DB_USER}, {@code DB_PASS}. */
    public static DatabaseSettings fromEnv(EnvConfig env) {
        return new DatabaseSettings(
                env.string("DB_HOST", "timescaledb"),
                env.integer("DB_PORT", 5432, 1, 65535),
                env.string("DB_NAME", "metrics"),
                env.string("DB_USER", "postgres"),
                env.secret("DB_PASS", "postgres"));
    }

    /** {@code jdbc:postgresql://host:port/name}. */
    public String jdbcUrl() {
        return "jdbc:postgresql://" + host + ':' + port + '/' + name;
    }

    @Override
    public String toString() {
        return "DatabaseSettings[url=" + jdbcUrl() + ", user=" + user + ", password=****]";
    }
}
