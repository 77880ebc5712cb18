package io.thermowatch.dbwriter;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.thermowatch.common.config.DatabaseSettings;

/** The writers' connection pool. */
final class WriterDataSource {

    private WriterDataSource() {}

    /**
     * A small pool: one connection per writer thread plus two spare (the migrator opens its own). It does not fail when the
     * database is down at creation; connections are made on demand and the writers retry.
     */
    static HikariDataSource open(DatabaseSettings settings, String poolName, int maximumPoolSize) {
        HikariConfig config = new HikariConfig();
        config.setPoolName(poolName);
        config.setJdbcUrl(settings.jdbcUrl());
        config.setUsername(settings.user());
        config.setPassword(settings.password());
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
}
