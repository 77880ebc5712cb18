package io.thermowatch.testkit;

import java.util.Objects;

/** A user name and password of one role, as `.env` defines them. {@link #toString()} masks the password. */
public record Credentials(String username, String password) {

    public Credentials {
        Objects.requireNonNull(username, "username");
        Objects.requireNonNull(password, "password");
    }

    @Override
    public String toString() {
        return username + ":****";
    }
}
