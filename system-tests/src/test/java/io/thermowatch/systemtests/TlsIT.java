package io.thermowatch.systemtests;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import io.thermowatch.testkit.Credentials;
import io.thermowatch.testkit.MqttTestClient;
import io.thermowatch.testkit.QueueProbe;
import io.thermowatch.testkit.ServiceEnv;
import io.thermowatch.testkit.ServiceProcess;
import io.thermowatch.testkit.Stack;
import io.thermowatch.testkit.TestCertificates;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.UUID;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.TrustManagerFactory;
import org.awaitility.Awaitility;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Encrypted transport (issue 14): HAProxy terminates MQTT over TLS (8883) and AMQP over TLS (5671) with a
 * certificate of the local CA that scripts/stack (or compose's tls-init) made. The real sensor and db-writer
 * jars talk through those fronts trusting only that CA ({@code MQTT_TLS_CA}, {@code AMQP_TLS_CA}); a client
 * trusting another CA (made here with the JDK's keytool) is refused during the handshake. Each test fails if
 * HAProxy stops terminating TLS on those ports or the clients stop checking the certificate.
 *
 * <p>The TLS clients of this class build their trust from the CA file themselves (standard JDK classes): the
 * harness judges the services from the outside, without the services' own code.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TlsIT {

    private static final Duration START = Duration.ofSeconds(60);
    private static final Duration ARRIVAL = Duration.ofSeconds(30);

    private Stack stack;
    private Path ca;
    private Path otherCa;

    @BeforeAll
    void stackWithTlsFronts() throws Exception {
        stack = Stack.get();
        URI mqtts = URI.create(stack.mqttsUri());
        if (!isListening(mqtts.getHost(), mqtts.getPort())) {
            // A shared HAProxy started from a configuration without TLS fronts keeps running with it: load this one.
            System.out.println("TlsIT - nothing on " + mqtts + ": restarting HAProxy with the current haproxy.cfg");
            stack.restartHaproxy();
        }
        ca = stack.tlsCaFile();
        otherCa = new TestCertificates(stack.workDir()
                        .resolve("tls-it-" + UUID.randomUUID().toString().substring(0, 8)))
                .newCa("Not the Thermowatch CA");
    }

    @Test
    void a_sensor_publishing_over_tls_is_stored_by_a_db_writer_reading_over_tls() throws Exception {
        // Given db-writer on HAProxy's AMQP/TLS front and a sensor on its MQTT/TLS front, both trusting the local CA
        String sensorId = uniqueId("tls");
        try (QueueProbe probe = stack.queueProbe()) {
            // Other modules' tests leave readings in the shared queue (some stamped minutes ahead): storing them
            // would put rows in the table that other system tests do not expect, and delay ours. We hold the IT
            // lock: nobody else uses the queue now.
            probe.purge(Stack.DB_WRITER_QUEUE);
        }
        try (ServiceProcess writer = ServiceProcess.start(
                        "db-writer",
                        ServiceEnv.forDbWriter(stack)
                                .with("AMQP_ADDRESSES", stack.amqpsAddress())
                                .with("AMQP_TLS_CA", ca.toString())
                                .build());
                ServiceProcess sensor = ServiceProcess.start(
                        "sensor",
                        ServiceEnv.forSensor(stack)
                                .with("MQTT_URIS", stack.mqttsUri())
                                .with("MQTT_TLS_CA", ca.toString())
                                .with("SENSOR_ID", sensorId)
                                .with("PUBLISH_INTERVAL", "200ms")
                                .build())) {
            // When both are ready (connected)
            writer.awaitReady(START);
            sensor.awaitReady(START);
            // Then the sensor's readings arrive in the database
            Rows rows = new Rows(stack);
            Awaitility.await(sensorId + " stored")
                    .atMost(ARRIVAL)
                    .pollInterval(Duration.ofMillis(500))
                    .until(() -> rows.count(sensorId) >= 3);
            assertTrue(sensor.output().contains("Connected to " + stack.mqttsUri()), sensor.tail());
        }
    }

    @Test
    void a_sensor_trusting_another_ca_is_refused_with_a_certificate_error_and_publishes_nothing() throws Exception {
        // Given a sensor whose MQTT_TLS_CA is a CA that did not sign HAProxy's certificate
        String sensorId = uniqueId("wrongca");
        try (QueueProbe probe = stack.queueProbe()) {
            String tap = probe.tap("temperature." + sensorId);
            try (ServiceProcess sensor = ServiceProcess.start(
                    "sensor",
                    ServiceEnv.forSensor(stack)
                            .with("MQTT_URIS", stack.mqttsUri())
                            .with("MQTT_TLS_CA", otherCa.toString())
                            .with("SENSOR_ID", sensorId)
                            .with("PUBLISH_INTERVAL", "200ms")
                            .build())) {
                // When it tries to connect, then the TLS handshake fails on the certificate, again and again
                sensor.awaitOutput("SSLHandshakeException", START);
                assertTrue(sensor.output().contains("PKIX path"), sensor.tail());
                assertFalse(sensor.output().contains("Connected to"), sensor.tail());
                // And none of its readings reached the broker
                assertTrue(probe.drain(tap).isEmpty(), "readings of a sensor that never connected");
            }
        }
    }

    @Test
    void an_mqtt_client_completes_the_handshake_only_when_it_trusts_the_local_ca() throws Exception {
        // Given the same credentials, once trusting the local CA and once another CA
        // When they connect over TLS, then only the first gets in; the second fails in the handshake
        connectMqtt(ca, stack.sensor()).disconnectForcibly(2_000);
        MqttException refused = assertThrows(MqttException.class, () -> connectMqtt(otherCa, stack.sensor()));
        assertTrue(hasCause(refused, SSLHandshakeException.class), describe(refused));
    }

    @Test
    void an_amqp_client_completes_the_handshake_only_when_it_trusts_the_local_ca() throws Exception {
        try (Connection connection = amqpFactory(ca).newConnection("tls-it")) {
            assertTrue(connection.createChannel().isOpen());
        }
        Exception refused = assertThrows(
                Exception.class,
                () -> amqpFactory(otherCa).newConnection("tls-it").close());
        assertTrue(hasCause(refused, SSLHandshakeException.class), describe(refused));
    }

    @Test
    void the_tls_ports_do_not_serve_plaintext() {
        // MQTT in plain text on 8883: HAProxy expects a TLS ClientHello, no CONNACK ever comes
        URI mqtts = URI.create(stack.mqttsUri());
        assertThrows(
                MqttException.class,
                () -> MqttTestClient.connect("tcp://" + mqtts.getHost() + ":" + mqtts.getPort(), stack.sensor())
                        .close());
        // AMQP in plain text on 5671
        String[] hostPort = stack.amqpsAddress().split(":");
        ConnectionFactory plain = new ConnectionFactory();
        plain.setHost(hostPort[0]);
        plain.setPort(Integer.parseInt(hostPort[1]));
        plain.setUsername(stack.admin().username());
        plain.setPassword(stack.admin().password());
        plain.setAutomaticRecoveryEnabled(false);
        plain.setConnectionTimeout(5_000);
        plain.setHandshakeTimeout(5_000);
        assertThrows(Exception.class, () -> plain.newConnection("tls-it-plain").close());
    }

    // ------------------------------------------------------------------------------------------------

    private MqttClient connectMqtt(Path trusted, Credentials who) throws Exception {
        MqttClient client = new MqttClient(
                stack.mqttsUri(), "tls-it-" + UUID.randomUUID().toString().substring(0, 8), new MemoryPersistence());
        MqttConnectOptions options = new MqttConnectOptions();
        options.setUserName(who.username());
        options.setPassword(who.password().toCharArray());
        options.setCleanSession(true);
        options.setConnectionTimeout(10);
        options.setSocketFactory(sslContextTrusting(trusted).getSocketFactory());
        options.setHttpsHostnameVerificationEnabled(true);
        try {
            client.connect(options);
            return client;
        } catch (MqttException e) {
            client.close();
            throw e;
        }
    }

    private ConnectionFactory amqpFactory(Path trusted) throws Exception {
        String[] hostPort = stack.amqpsAddress().split(":");
        ConnectionFactory factory = new ConnectionFactory();
        factory.setHost(hostPort[0]);
        factory.setPort(Integer.parseInt(hostPort[1]));
        factory.setUsername(stack.admin().username());
        factory.setPassword(stack.admin().password());
        factory.setAutomaticRecoveryEnabled(false);
        factory.setConnectionTimeout(10_000);
        factory.useSslProtocol(sslContextTrusting(trusted));
        factory.enableHostnameVerification();
        return factory;
    }

    /** A TLS client context whose only trust anchors are the certificates of {@code pem}. */
    private static SSLContext sslContextTrusting(Path pem) throws Exception {
        KeyStore anchors = KeyStore.getInstance(KeyStore.getDefaultType());
        anchors.load(null, null);
        try (InputStream in = Files.newInputStream(pem)) {
            int i = 0;
            for (Certificate certificate :
                    CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                anchors.setCertificateEntry("ca-" + i++, certificate);
            }
        }
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(anchors);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, trust.getTrustManagers(), null);
        return context;
    }

    private static boolean hasCause(Throwable e, Class<? extends Throwable> type) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return true;
            }
        }
        return false;
    }

    private static String describe(Throwable e) {
        StringBuilder text = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) {
            text.append(t).append("; ");
        }
        return text.toString();
    }

    private static boolean isListening(String host, int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(host, port), 1_000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static String uniqueId(String what) {
        return "it_" + what + "_" + UUID.randomUUID().toString().substring(0, 8);
    }
}
