package io.thermowatch.dashboard;

/**
 * The database is unreachable or has no {@code temperature} table yet; answered with 503. The message is for the
 * log (it may name hosts and carry the driver's text); {@link #userMessage()} is what the API answers.
 */
final class SchemaUnavailableException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    static final String NO_TABLE_YET = "no readings yet: the readings table does not exist yet (the writer service"
            + " creates it when it first starts)";
    static final String DATABASE_UNAVAILABLE =
            "readings are unavailable: the database cannot be reached right now," + " try again shortly";

    private final boolean tableMissing;

    SchemaUnavailableException(String message, boolean tableMissing, Throwable cause) {
        super(message, cause);
        this.tableMissing = tableMissing;
    }

    /** What failed, in the user's terms: never a host name, an address or the driver's message. */
    String userMessage() {
        return tableMissing ? NO_TABLE_YET : DATABASE_UNAVAILABLE;
    }
}
