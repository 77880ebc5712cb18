package io.thermowatch.dbwriter;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.thermowatch.testkit.Stack;
import java.sql.SQLException;

/** The native stack's database as db-writer sees it: migrated with db-writer's own role, and a pool of that role. */
final class WriterSchema {

    private WriterSchema() {}

    /** Runs db-writer's migration as db-writer's role (what it does at start: no superuser). */
    static void migrate(Stack stack) throws SQLException {
        new SchemaMigrator(
                        stack.jdbcUrl(),
                        stack.dbWriterDatabase().username(),
                        stack.dbWriterDatabase().password(),
                        90)
                .migrate();
    }

    /** A small pool of db-writer's role, autocommit off like {@link PostgresSink} expects; the caller closes it. */
    static HikariDataSource dataSource(Stack stack) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(stack.jdbcUrl());
        config.setUsername(stack.dbWriterDatabase().username());
        config.setPassword(stack.dbWriterDatabase().password());
        config.setAutoCommit(false);
        config.setMaximumPoolSize(2);
        return new HikariDataSource(config);
    }

    /** {@link #migrate} then {@link #dataSource}. */
    static HikariDataSource migrateAndConnect(Stack stack) throws SQLException {
        migrate(stack);
        return dataSource(stack);
    }
}
