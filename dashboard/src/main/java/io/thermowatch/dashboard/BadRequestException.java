package io.thermowatch.dashboard;

/** A request parameter the API refuses; answered with 400 and a JSON error naming the parameter. */
final class BadRequestException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    BadRequestException(String message) {
        super(message, null, false, false);
    }
}
