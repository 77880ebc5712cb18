package io.thermowatch.dashboard;

import io.thermowatch.common.config.DatabaseSettings;
import io.thermowatch.common.config.EnvConfig;
import java.util.Optional;

/**
 * The operator API (silences, acknowledgements): enabled by {@code OPERATOR_TOKEN}, the credential an operator signs
 * in with; its writes go through a role of their own ({@code OPERATOR_DB_USER} / {@code OPERATOR_DB_PASS}, may
 * write silences and acknowledgements only) on the same database as the page's read-only role.
 *
 * @param token    {@code OPERATOR_TOKEN}: at least 16 characters
 * @param database {@code DB_HOST}, {@code DB_PORT}, {@code DB_NAME} with the operator role
 */
record OperatorSettings(String token, DatabaseSettings database) {

    static final int MIN_TOKEN_LENGTH = 16;

    /** Empty without {@code OPERATOR_TOKEN}: the operator API then answers 403 to every write. */
    static Optional<OperatorSettings> fromEnv(EnvConfig env, DatabaseSettings pageDatabase) {
        Optional<String> token = Optional.of(env.secret("OPERATOR_TOKEN", "")).filter(s -> !s.isBlank());
        if (token.isEmpty()) {
            return Optional.empty();
        }
        // The token's value never appears in the message: only its length.
        EnvConfig.check(
                token.get().length() >= MIN_TOKEN_LENGTH,
                "OPERATOR_TOKEN",
                "(" + token.get().length() + " characters)",
                "at least " + MIN_TOKEN_LENGTH + " characters");
        String user = env.requiredString("OPERATOR_DB_USER");
        String password = env.requiredSecret("OPERATOR_DB_PASS");
        return Optional.of(new OperatorSettings(
                token.get(),
                new DatabaseSettings(pageDatabase.host(), pageDatabase.port(), pageDatabase.name(), user, password)));
    }

    @Override
    public String toString() {
        return "OperatorSettings[token=****, database=" + database + "]";
    }
}
