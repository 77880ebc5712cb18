package io.thermowatch.dashboard;

/** The database is unreachable or has no {@code temperature} table yet; answered with 503. */
final class SchemaUnavailableException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    SchemaUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
