package io.thermowatch.dbwriter;

import io.thermowatch.common.wire.Reading;
import java.sql.SQLException;
import java.util.List;

/** Where a batch goes: readings and rejected messages, written in one transaction. */
interface BatchSink {

    /**
     * Writes the batch and commits; a reading already stored (same sensor and time) is skipped.
     *
     * @return how many reading rows were new
     * @throws SQLException if nothing was committed; the caller retries the whole batch
     */
    int write(List<Reading> readings, List<RejectedMessage> rejects) throws SQLException;

    /** True if the database answers now (cheap probe for readiness while idle). */
    boolean isReachable();
}
