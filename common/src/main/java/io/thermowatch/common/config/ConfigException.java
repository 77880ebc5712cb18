package io.thermowatch.common.config;

import io.thermowatch.common.runtime.ServiceMain;

/**
 * A configuration value is missing or invalid. The message is one line naming the variable, the value and what
 * was expected, e.g. {@code TEMPERATURE_THRESHOLD='abc': expected a number (°C)}; {@link ServiceMain} prints it
 * and exits.
 */
public final class ConfigException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public ConfigException(String message) {
        super(message);
    }

    /** The one-line message: {@code NAME='value': expected what}. */
    public static ConfigException invalid(String name, String value, String expected) {
        return new ConfigException(name + "='" + value + "': expected " + expected);
    }
}
