package io.thermowatch.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What {@link Stack} does when it cannot reach the infrastructure; needs no stack. */
class StackTest {

    @TempDir
    Path root;

    @Test
    void a_missing_stack_without_scripts_stack_fails_saying_how_to_provide_it() throws IOException {
        // Given: a checkout whose ports are all closed and that has no scripts/stack
        writeCheckout(root);

        // When
        AssertionError failure = assertThrows(AssertionError.class, () -> Stack.connect(root));

        // Then
        assertTrue(
                failure.getMessage().contains("sudo scripts/stack install && scripts/stack infra"),
                failure.getMessage());
        assertTrue(failure.getMessage().contains("missing or not executable"), failure.getMessage());
    }

    @Test
    void a_failing_scripts_stack_infra_fails_with_its_output() throws IOException {
        // Given
        writeCheckout(root);
        Path script = root.resolve("scripts/stack");
        Files.writeString(script, "#!/bin/sh\necho \"stack: ERROR: rabbitmq-server is not installed\" >&2\nexit 1\n");
        assertTrue(script.toFile().setExecutable(true));

        // When
        AssertionError failure = assertThrows(AssertionError.class, () -> Stack.connect(root));

        // Then
        assertTrue(
                failure.getMessage().contains("`scripts/stack infra` failed with exit code 1"), failure.getMessage());
        assertTrue(failure.getMessage().contains("rabbitmq-server is not installed"), failure.getMessage());
        assertTrue(failure.getMessage().contains("sudo scripts/stack install"), failure.getMessage());
    }

    @Test
    void dot_env_values_are_read_without_quotes_and_comments() throws IOException {
        // Given
        Path file = root.resolve("x.env");
        Files.writeString(file, "# comment\n\nA=1\nexport B=\"two\"\nC='three'\nD=\n");

        // When
        DotEnv env = DotEnv.read(file);

        // Then
        assertEquals("1", env.required("A"));
        assertEquals("two", env.required("B"));
        assertEquals("three", env.required("C"));
        assertThrows(IllegalStateException.class, () -> env.required("D"));
    }

    /** .env as in the repository; every port in a range nothing listens on. */
    private static void writeCheckout(Path root) throws IOException {
        Files.createDirectories(root.resolve("scripts"));
        Files.writeString(
                root.resolve(".env"),
                String.join(
                        "\n",
                        "RABBITMQ_ADMIN_USER=admin",
                        "RABBITMQ_ADMIN_PASS=a",
                        "POSTGRES_USER=postgres",
                        "POSTGRES_PASSWORD=postgres",
                        ""));
        int free = ServiceEnv.freePort();
        Files.writeString(
                root.resolve("scripts/native.env"),
                String.join(
                        "\n",
                        "HAPROXY_MQTT_PORT=" + free,
                        "HAPROXY_AMQP_PORT=" + free,
                        "HAPROXY_MANAGEMENT_PORT=" + free,
                        "HAPROXY_WEB_MQTT_PORT=" + free,
                        "HAPROXY_STATS_PORT=" + free,
                        "POSTGRES_PORT=" + free,
                        "SMTP_PORT=" + free,
                        "GREENMAIL_API_PORT=" + free,
                        "NODE_AMQP_PORT_BASE=" + free,
                        "NODE_MQTT_PORT_BASE=" + free,
                        "NODE_MANAGEMENT_PORT_BASE=" + free,
                        ""));
    }
}
