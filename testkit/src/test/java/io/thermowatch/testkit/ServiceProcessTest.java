package io.thermowatch.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The process harness against a real JVM running {@link FakeService} from a jar; needs no stack. */
class ServiceProcessTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(20);
    private static final Path LOGS = Path.of("target", "testkit").toAbsolutePath();
    private static Path jar;

    @BeforeAll
    static void buildFakeServiceJar() throws IOException {
        Files.createDirectories(LOGS);
        jar = LOGS.resolve("fake-service.jar");
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        manifest.getMainAttributes().put(Attributes.Name.MAIN_CLASS, FakeService.class.getName());
        String entry = FakeService.class.getName().replace('.', '/') + ".class";
        try (OutputStream file = Files.newOutputStream(jar);
                JarOutputStream out = new JarOutputStream(file, manifest);
                InputStream clazz = FakeService.class.getClassLoader().getResourceAsStream(entry)) {
            out.putNextEntry(new JarEntry(entry));
            clazz.transferTo(out);
            out.closeEntry();
        }
    }

    @Test
    void a_service_gets_only_the_given_environment_and_its_output_is_captured() {
        // Given
        Map<String, String> env = Map.of("HEALTH_PORT", Integer.toString(ServiceEnv.freePort()), "GREETING", "hello");

        // When
        try (ServiceProcess service = ServiceProcess.start("fake", jar, env, List.of(), LOGS)) {
            service.awaitReady(TIMEOUT);
            service.awaitOutput("greeting hello", TIMEOUT);

            // Then: nothing but the given variables and the small inherited set
            String envLine = service.output()
                    .lines()
                    .filter(l -> l.startsWith("env "))
                    .findFirst()
                    .orElseThrow();
            for (String name : envLine.substring(5, envLine.length() - 1).split(", ")) {
                assertTrue(
                        env.containsKey(name)
                                || List.of("PATH", "HOME", "LANG", "LC_ALL", "TZ", "JAVA_HOME", "TMPDIR")
                                        .contains(name),
                        "leaked variable " + name);
            }
            assertTrue(Files.exists(service.logFile()));
        }
    }

    @Test
    void sigterm_runs_the_shutdown_hook_and_await_exit_returns_the_exit_code() {
        // Given
        Map<String, String> env = Map.of("HEALTH_PORT", Integer.toString(ServiceEnv.freePort()));
        try (ServiceProcess service = ServiceProcess.start("fake", jar, env, List.of(), LOGS)) {
            service.awaitReady(TIMEOUT);

            // When
            service.sigterm();

            // Then
            assertEquals(0, service.awaitExit(TIMEOUT));
            assertTrue(service.output().contains("Shutdown completed."), service.output());
        }
    }

    @Test
    void sigkill_ends_the_process_without_its_shutdown_hook() {
        // Given
        Map<String, String> env = Map.of("HEALTH_PORT", Integer.toString(ServiceEnv.freePort()));
        try (ServiceProcess service = ServiceProcess.start("fake", jar, env, List.of(), LOGS)) {
            service.awaitReady(TIMEOUT);

            // When
            service.sigkill();

            // Then
            assertEquals(137, service.awaitExit(TIMEOUT));
            assertFalse(service.isAlive());
            assertFalse(service.output().contains("Shutdown completed."));
        }
    }

    @Test
    void await_ready_fails_with_the_output_when_the_service_dies_at_start() {
        // Given: no HEALTH_PORT, so the fake service throws at start
        try (ServiceProcess service = ServiceProcess.start("fake", jar, Map.of(), List.of(), LOGS)) {

            // When
            AssertionError failure =
                    assertThrows(AssertionError.class, () -> service.awaitReady(ServiceEnv.freePort(), TIMEOUT));

            // Then
            assertTrue(failure.getMessage().contains("exited with 1"), failure.getMessage());
            assertTrue(failure.getMessage().contains("NumberFormatException"), failure.getMessage());
        }
    }
}
