package io.thermowatch.dashboard;

/**
 * What the database offers the dashboard, as probed at run time (db-writer owns and migrates it).
 *
 * @param tableExists  {@code temperature} exists (the dashboard never creates it)
 * @param timescale    the TimescaleDB extension is installed: buckets use {@code time_bucket}, else {@code date_bin}
 */
record Schema(boolean tableExists, boolean timescale) {

    static final Schema MISSING = new Schema(false, false);

    String bucketExpression() {
        return timescale
                ? "time_bucket(make_interval(secs => ?), time)"
                : "date_bin(make_interval(secs => ?), time, TIMESTAMPTZ '1970-01-01 00:00:00+00')";
    }
}
