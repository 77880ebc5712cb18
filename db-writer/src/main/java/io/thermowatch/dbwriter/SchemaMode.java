package io.thermowatch.dbwriter;

/** Which schema db-writer builds: chosen once at start from what the database offers. */
enum SchemaMode {
    /** Hypertable, compression, retention policy, continuous aggregates {@code temperature_1m}/{@code _1h}. */
    TIMESCALEDB("timescaledb"),
    /** Plain table with the same key, a B-tree on time, plain views {@code temperature_1m}/{@code _1h}. */
    PLAIN("plain");

    private final String migrationFolder;

    SchemaMode(String migrationFolder) {
        this.migrationFolder = migrationFolder;
    }

    /** Flyway locations for this mode: the common migrations plus the mode's own. */
    String[] locations() {
        return new String[] {"classpath:db/migration/common", "classpath:db/migration/" + migrationFolder};
    }
}
