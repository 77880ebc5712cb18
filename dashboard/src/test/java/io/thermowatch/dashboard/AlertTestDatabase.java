package io.thermowatch.dashboard;

import io.thermowatch.testkit.ScratchDatabase;
import io.thermowatch.testkit.Stack;
import java.sql.SQLException;
import java.util.Map;

/** The dashboard's alert tests' own database: readings and alert tables, and the dashboard's environment for it. */
final class AlertTestDatabase {

    private AlertTestDatabase() {}

    /** Drops {@code name} if it exists and creates it afresh with the readings and alert tables and their grants. */
    static ScratchDatabase recreate(Stack stack, String name) throws Exception {
        var database = ScratchDatabase.recreate(stack, name, ScratchDatabase.READINGS, ScratchDatabase.ALERT_TABLES);
        database.execute("GRANT SELECT ON temperature TO thermowatch_read");
        return database;
    }

    /**
     * The dashboard's environment as compose gives it: the page reads as the dashboard role, the operator API writes
     * as the operator role, with {@code token} as OPERATOR_TOKEN.
     */
    static Map<String, String> dashboardEnv(Stack stack, ScratchDatabase database, String token) throws SQLException {
        var env = TestDatabase.create(stack, database.name()).dashboardEnv();
        env.put("DB_USER", stack.dashboardDatabase().username());
        env.put("DB_PASS", stack.dashboardDatabase().password());
        env.put("OPERATOR_TOKEN", token);
        env.put("OPERATOR_DB_USER", stack.operatorDatabase().username());
        env.put("OPERATOR_DB_PASS", stack.operatorDatabase().password());
        env.put("MQTT_PAGE_TOKEN_USER", stack.pageTokenUser());
        env.put("MQTT_PAGE_TOKEN_KEY", stack.pageTokenKey());
        return env;
    }
}
