package io.thermowatch.common.config;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.thermowatch.testkit.TestCertificates;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The CA file behind MQTT_TLS_CA and AMQP_TLS_CA: what it trusts, and the configuration errors it gives. */
class TrustedCaTest {

    @TempDir
    static Path dir;

    private static Path ca;
    private static Path otherCa;
    private static KeyStore server;

    @BeforeAll
    static void certificates() throws Exception {
        TestCertificates certificates = new TestCertificates(dir);
        ca = certificates.newCa("local-ca");
        otherCa = certificates.newCa("other-ca");
        server = certificates.newServer("local-ca", "server", "dns:localhost");
    }

    @Test
    void a_server_certificate_signed_by_the_ca_is_trusted() throws Exception {
        // Given a TLS server with a certificate the CA signed for localhost
        TrustedCa trusted = TrustedCa.load("MQTT_TLS_CA", ca);
        // When a client trusting the CA connects to localhost, then the handshake succeeds
        assertDoesNotThrow(() -> handshake(trusted.sslContext(), "localhost"));
    }

    @Test
    void a_server_certificate_of_another_ca_is_refused() throws Exception {
        // Given a client trusting only another CA (the JVM's public CAs are not trusted either)
        TrustedCa other = TrustedCa.load("MQTT_TLS_CA", otherCa);
        // When it connects, then the handshake fails on the certificate
        SSLHandshakeException e =
                assertThrows(SSLHandshakeException.class, () -> handshake(other.sslContext(), "localhost"));
        assertTrue(String.valueOf(e.getMessage()).contains("PKIX"), e.getMessage());
    }

    @Test
    void a_host_name_the_certificate_does_not_name_is_refused_when_verified() throws Exception {
        // Given the right CA, but a server certificate for localhost only, reached as 127.0.0.1
        TrustedCa trusted = TrustedCa.load("MQTT_TLS_CA", ca);
        // When the client verifies host names (as MqttSettings and AmqpSettings ask), then the handshake fails
        assertThrows(SSLHandshakeException.class, () -> handshake(trusted.sslContext(), "127.0.0.1"));
    }

    @Test
    void a_missing_file_is_a_configuration_error_naming_the_variable() {
        ConfigException e =
                assertThrows(ConfigException.class, () -> TrustedCa.load("MQTT_TLS_CA", dir.resolve("absent.pem")));
        assertTrue(e.getMessage().startsWith("MQTT_TLS_CA='"), e.getMessage());
        assertFalse(e.getMessage().contains("\n"));
    }

    @Test
    void a_file_without_a_ca_certificate_is_a_configuration_error() throws Exception {
        Path garbage = Files.writeString(dir.resolve("garbage.pem"), "not a certificate\n");
        Path leaf = new TestCertificates(dir).newLeaf("leaf");
        for (Path file : List.of(garbage, leaf)) {
            ConfigException e = assertThrows(ConfigException.class, () -> TrustedCa.load("AMQP_TLS_CA", file));
            assertTrue(e.getMessage().startsWith("AMQP_TLS_CA='" + file + "'"), e.getMessage());
        }
    }

    @Test
    void mqtt_tls_ca_gives_paho_the_ca_socket_factory_and_verifies_host_names() {
        // Given MQTT_TLS_CA and no URIs
        MqttSettings settings = MqttSettings.fromEnv(
                EnvConfig.of(Map.of(
                        "MQTT_TLS_CA",
                        ca.toString(),
                        "MQTT_HOST",
                        "haproxy",
                        "MQTT_USERNAME",
                        "u",
                        "MQTT_PASSWORD",
                        "p")),
                "c");
        // When the connect options are built
        MqttConnectOptions options = settings.toConnectOptions();
        // Then the URI is ssl:// on 8883, the socket factory is the CA's, host names are verified
        assertEquals(List.of("ssl://haproxy:8883"), settings.serverUris());
        assertEquals(
                settings.tlsCa().orElseThrow().sslContext().getSocketFactory().getClass(),
                options.getSocketFactory().getClass());
        assertTrue(options.isHttpsHostnameVerificationEnabled());
    }

    @Test
    void mqtt_tls_ca_with_a_tcp_uri_or_a_missing_file_is_refused() {
        ConfigException tcp = assertThrows(
                ConfigException.class,
                () -> MqttSettings.fromEnv(
                        EnvConfig.of(Map.of(
                                "MQTT_TLS_CA",
                                ca.toString(),
                                "MQTT_URIS",
                                "ssl://haproxy:8883,tcp://rabbitmq1:1883",
                                "MQTT_USERNAME",
                                "u",
                                "MQTT_PASSWORD",
                                "p")),
                        "c"));
        assertTrue(tcp.getMessage().startsWith("MQTT_URIS='tcp://rabbitmq1:1883'"), tcp.getMessage());
        ConfigException missing = assertThrows(
                ConfigException.class,
                () -> MqttSettings.fromEnv(
                        EnvConfig.of(Map.of(
                                "MQTT_TLS_CA",
                                "/nonexistent/ca.pem",
                                "MQTT_URIS",
                                "ssl://haproxy:8883",
                                "MQTT_USERNAME",
                                "u",
                                "MQTT_PASSWORD",
                                "p")),
                        "c"));
        assertTrue(missing.getMessage().startsWith("MQTT_TLS_CA='/nonexistent/ca.pem'"), missing.getMessage());
    }

    @Test
    void without_mqtt_tls_ca_nothing_changes() {
        MqttConnectOptions options = MqttSettings.fromEnv(
                        EnvConfig.of(Map.of("MQTT_USERNAME", "u", "MQTT_PASSWORD", "p")), "c")
                .toConnectOptions();
        assertEquals(null, options.getSocketFactory());
    }

    @Test
    void amqp_tls_ca_makes_the_connection_factory_use_tls() {
        AmqpSettings settings = AmqpSettings.fromEnv(
                EnvConfig.of(Map.of("AMQP_TLS_CA", ca.toString(), "AMQP_ADDRESSES", "haproxy:5671")), "u", "p");
        assertTrue(settings.newConnectionFactory().isSSL());
        assertFalse(AmqpSettings.fromEnv(EnvConfig.of(Map.of()), "u", "p")
                .newConnectionFactory()
                .isSSL());
        assertThrows(
                ConfigException.class,
                () -> AmqpSettings.fromEnv(
                        EnvConfig.of(
                                Map.of("AMQP_TLS_CA", dir.resolve("absent.pem").toString())),
                        "u",
                        "p"));
    }

    /** One TLS handshake with a local server presenting {@link #server}'s certificate, host names verified. */
    private static void handshake(SSLContext client, String host) throws Exception {
        KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keys.init(server, TestCertificates.PASSWORD);
        SSLContext serverContext = SSLContext.getInstance("TLS");
        serverContext.init(keys.getKeyManagers(), null, null);
        try (SSLServerSocket listener = (SSLServerSocket)
                serverContext.getServerSocketFactory().createServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            CompletableFuture<Void> accepted = CompletableFuture.runAsync(() -> {
                try (SSLSocket socket = (SSLSocket) listener.accept()) {
                    socket.startHandshake();
                } catch (IOException e) {
                    // the client's failure is what the tests look at
                }
            });
            try (SSLSocket socket = (SSLSocket) client.getSocketFactory().createSocket(host, listener.getLocalPort())) {
                SSLParameters parameters = socket.getSSLParameters();
                parameters.setEndpointIdentificationAlgorithm("HTTPS");
                socket.setSSLParameters(parameters);
                socket.setSoTimeout(10_000);
                socket.startHandshake();
                assertNotNull(socket.getSession().getPeerCertificates());
            } finally {
                accepted.get();
            }
        }
    }
}
