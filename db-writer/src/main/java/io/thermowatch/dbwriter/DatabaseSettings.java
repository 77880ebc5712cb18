package io.thermowatch.dbwriter;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.thermowatch.common.EnvConfig;

/**
 * How to reach PostgreSQL, with the original system's variable names.
 *
 * @param host     {@code DB_HOST}, default {@code timescaledb}
 * @param port     {@code DB_PORT}, default 5432
 * @param name     {@code DB_NAME}, default {@code metrics}
 * @param user     {@code DB_USER}, default {@code postgres}
 * @param password {@code DB_PASS}, default {@code postgres}
 */
record DatabaseSettings(String host, int port, String name, String user, String password) {

    static DatabaseSettings fromEnv(EnvConfig env) {
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

    /**
     * A small pool: one connection per writer thread plus room for the migrator. It does not fail when the
     * database is down at creation; connections are made on demand and the writers retry.
     */
    HikariDataSource newDataSource(String poolName, int maximumPoolSize) {
        HikariConfig config = new HikariConfig();
        config.setPoolName(poolName);
        config.setJdbcUrl(jdbcUrl());
        config.setUsername(user);
        config.setPassword(password);
        config.setMaximumPoolSize(maximumPoolSize);
        config.setMinimumIdle(1);
        config.setAutoCommit(false);
        config.setConnectionTimeout(5_000);
        config.setValidationTimeout(2_000);
        config.setInitializationFailTimeout(-1);
        // Reconnect quickly after a restart of PostgreSQL instead of waiting for a long TCP timeout.
        config.addDataSourceProperty("connectTimeout", "5");
        config.addDataSourceProperty("socketTimeout", "60");
        config.addDataSourceProperty("tcpKeepAlive", "true");
        config.addDataSourceProperty("ApplicationName", poolName);
        config.addDataSourceProperty("reWriteBatchedInserts", "true");
        return new HikariDataSource(config);
    }

    @Override
    public String toString() {
        return "DatabaseSettings[url=" + jdbcUrl() + ", user=" + user + ", password=****]";
    }
}
