package io.thermowatch.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Docker probe answers from the socket alone, quickly, with or without an engine. */
class MachineFactsTest {

    @TempDir
    Path dir;

    @Test
    void a_listening_unix_socket_named_by_docker_host_is_a_reachable_engine() throws IOException {
        // Given: something listening where DOCKER_HOST points
        Path socket = dir.resolve("docker.sock");
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(socket));
            MachineFacts facts = new MachineFacts(dir, Map.of("DOCKER_HOST", "unix://" + socket), dir);

            // When / Then
            assertEquals(Optional.of("unix://" + socket), facts.dockerEngine());
        }
    }

    @Test
    void a_socket_file_nobody_listens_on_is_no_engine() throws IOException {
        // Given: the socket of an engine that has stopped
        Path socket = dir.resolve("docker.sock");
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(socket));
        }
        assertTrue(Files.exists(socket));

        // When / Then
        assertFalse(new MachineFacts(dir, Map.of("DOCKER_HOST", "unix://" + socket), dir).dockerReachable());
    }

    @Test
    void a_closed_tcp_docker_host_is_no_engine_and_answers_within_a_second_or_two() throws IOException {
        // Given: a port nothing listens on
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        MachineFacts facts = new MachineFacts(dir, Map.of("DOCKER_HOST", "tcp://127.0.0.1:" + port), dir);

        // When / Then
        assertFalse(assertTimeoutPreemptively(Duration.ofSeconds(2), facts::dockerReachable));
    }

    @Test
    void docker_host_from_testcontainers_properties_is_used_when_the_variable_is_unset() throws IOException {
        // Given
        Path socket = dir.resolve("tc.sock");
        Files.writeString(dir.resolve(".testcontainers.properties"), "docker.host=unix://" + socket + "\n");
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(socket));

            // When / Then
            assertTrue(new MachineFacts(dir, Map.of(), dir).dockerReachable());
        }
    }

    @Test
    void without_docker_host_the_default_sockets_include_docker_desktops_and_the_rootless_one() {
        // When
        MachineFacts facts = new MachineFacts(dir, Map.of("XDG_RUNTIME_DIR", "/run/user/1000"), dir);

        // Then
        assertTrue(facts.defaultSockets()
                .containsAll(java.util.List.of(
                        Path.of("/var/run/docker.sock"),
                        dir.resolve(".docker/run/docker.sock"),
                        Path.of("/run/user/1000/docker.sock"))));
    }

    @Test
    void a_checkout_without_scripts_stack_has_no_native_packages() {
        // When / Then
        assertFalse(new MachineFacts(dir, Map.of(), dir).nativePackagesPresent());
    }
}
