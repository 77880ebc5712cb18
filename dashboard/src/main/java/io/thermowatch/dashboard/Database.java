package io.thermowatch.dashboard;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.thermowatch.common.config.DatabaseSettings;

/** The connection pool. Starts without the database (connections are made on demand), so the page still loads. */
final class Database {

    static final int POOL_SIZE = 4;

    private Database() {}

    static HikariDataSource open(DatabaseSettings settings) {
        var config = new HikariConfig();
        config.setPoolName("dashboard-db");
        config.setJdbcUrl(settings.jdbcUrl());
        config.setUsername(settings.user());
        config.setPassword(settings.password());
        config.setMaximumPoolSize(POOL_SIZE);
        config.setMinimumIdle(1);
        config.setReadOnly(true);
        config.setConnectionTimeout(2_000);
        config.setValidationTimeout(1_000);
        // Start even when PostgreSQL is down: /readyz says not ready and the API answers 503 until it is back.
        config.setInitializationFailTimeout(-1);
        config.addDataSourceProperty("ApplicationName", "thermowatch-dashboard");
        config.addDataSourceProperty("connectTimeout", "2");
        config.addDataSourceProperty("socketTimeout", "10");
        config.addDataSourceProperty("options", "-c statement_timeout=5000");
        return new HikariDataSource(config);
    }

    /**
     * The operator API's pool: the operator role (silences and acknowledgements only), two connections (an operator
     * clicks, no load), read-write. Starts without the database like the page's.
     */
    static HikariDataSource openForOperator(DatabaseSettings settings) {
        var config = new HikariConfig();
        config.setPoolName("dashboard-operator-db");
        config.setJdbcUrl(settings.jdbcUrl());
        config.setUsername(settings.user());
        config.setPassword(settings.password());
        config.setMaximumPoolSize(2);
        config.setMinimumIdle(0);
        config.setConnectionTimeout(2_000);
        config.setValidationTimeout(1_000);
        config.setInitializationFailTimeout(-1);
        config.addDataSourceProperty("ApplicationName", "thermowatch-dashboard-operator");
        config.addDataSourceProperty("connectTimeout", "2");
        config.addDataSourceProperty("socketTimeout", "10");
        config.addDataSourceProperty("options", "-c statement_timeout=5000");
        return new HikariDataSource(config);
    }
}
