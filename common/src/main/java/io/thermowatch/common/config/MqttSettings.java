package io.thermowatch.common.config;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;

/**
 * How to reach the MQTT broker, read from the environment.
 *
 * <p>{@code MQTT_URIS} (comma-separated, tried in order: home node first, then HAProxy) wins; without it the
 * original system's {@code MQTT_HOST}/{@code MQTT_PORT} give a single server. Credentials default to the
 * documented demo sensor user (see {@code .env}); change them in any real deployment.
 *
 * <p>{@code MQTT_TLS_CA} (a PEM file) turns on TLS that trusts only that CA, with host name verification: every
 * URI must then be {@code ssl://} (HAProxy's 8883; {@code MQTT_HOST}/{@code MQTT_PORT} then mean
 * {@code ssl://host:port}, port 8883 by default). Without it, {@code ssl://} URIs trust the JVM's public CAs.
 *
 * @param serverUris       broker URIs in the order Paho tries them
 * @param username         MQTT user
 * @param password         MQTT password
 * @param clientId         MQTT client id
 * @param keepAliveSeconds MQTT keep-alive; HAProxy's timeouts are above 1.5 times this
 * @param tlsCa            the only CA a TLS connection trusts; empty: plain TCP (or the JVM's CAs for ssl://)
 */
public record MqttSettings(
        List<String> serverUris,
        String username,
        String password,
        String clientId,
        int keepAliveSeconds,
        Optional<TrustedCa> tlsCa) {

    private static final int MAX_RECONNECT_DELAY_MILLIS = 5_000;
    private static final int CONNECTION_TIMEOUT_SECONDS = 10;
    private static final int MAX_INFLIGHT = 1_000;
    private static final int DEFAULT_TLS_PORT = 8883;

    public MqttSettings {
        serverUris = List.copyOf(serverUris);
    }

    /** Settings without a CA of their own (plain TCP, or the JVM's CAs for {@code ssl://}). */
    public MqttSettings(
            List<String> serverUris, String username, String password, String clientId, int keepAliveSeconds) {
        this(serverUris, username, password, clientId, keepAliveSeconds, Optional.empty());
    }

    /**
     * A device's settings: {@code MQTT_USERNAME} and {@code MQTT_PASSWORD} must be set (a device never falls back
     * to a credential it shares with others); {@code defaultClientId} is used when {@code MQTT_CLIENT_ID} is unset.
     */
    public static MqttSettings fromEnv(EnvConfig env, String defaultClientId) {
        return read(env, defaultClientId, env.requiredString("MQTT_USERNAME"), env.requiredSecret("MQTT_PASSWORD"));
    }

    /**
     * A server-side subscriber's settings: {@code MQTT_USERNAME} and {@code MQTT_PASSWORD} default to the given
     * credential (e.g. the dashboard's page user of {@code .env}).
     */
    public static MqttSettings fromEnv(
            EnvConfig env, String defaultClientId, String defaultUsername, String defaultPassword) {
        return read(
                env,
                defaultClientId,
                env.string("MQTT_USERNAME", defaultUsername),
                env.secret("MQTT_PASSWORD", defaultPassword));
    }

    private static MqttSettings read(EnvConfig env, String defaultClientId, String username, String password) {
        Optional<TrustedCa> tlsCa =
                env.optionalString("MQTT_TLS_CA").map(file -> TrustedCa.load("MQTT_TLS_CA", Path.of(file)));
        List<String> uris = env.list("MQTT_URIS", "");
        if (uris.isEmpty()) {
            String host = env.string("MQTT_HOST", "haproxy");
            int port = env.integer("MQTT_PORT", tlsCa.isPresent() ? DEFAULT_TLS_PORT : 1883, 1, 65535);
            uris = List.of((tlsCa.isPresent() ? "ssl://" : "tcp://") + host + ":" + port);
        }
        for (String uri : uris) {
            EnvConfig.check(
                    uri.matches("(tcp|ssl|ws|wss)://[^\\s/:]+:\\d{1,5}(/.*)?"),
                    "MQTT_URIS",
                    uri,
                    "comma-separated URIs like tcp://host:1883");
            // Paho refuses a TLS socket factory for tcp:// (and would not use it for ws://).
            EnvConfig.check(
                    tlsCa.isEmpty() || uri.startsWith("ssl://"),
                    "MQTT_URIS",
                    uri,
                    "only ssl:// URIs (like ssl://haproxy:8883) when MQTT_TLS_CA is set");
        }
        return new MqttSettings(
                uris,
                username,
                password,
                env.string("MQTT_CLIENT_ID", defaultClientId),
                env.integer("MQTT_KEEPALIVE", 30, 5, 600),
                tlsCa);
    }

    /**
     * Paho options: every server URI, credentials, automatic reconnect (capped back-off), persistent session.
     *
     * <p>{@code cleanSession=false} so that Paho resends QoS 1 publishes that were in flight when a connection
     * died; a publisher-only client costs the broker no queue for it. The returned object is the caller's to
     * adjust.
     */
    public MqttConnectOptions toConnectOptions() {
        MqttConnectOptions options = new MqttConnectOptions();
        options.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
        options.setServerURIs(serverUris.toArray(String[]::new));
        options.setUserName(username);
        options.setPassword(password.toCharArray());
        options.setAutomaticReconnect(true);
        options.setMaxReconnectDelay(MAX_RECONNECT_DELAY_MILLIS);
        options.setCleanSession(false);
        options.setKeepAliveInterval(keepAliveSeconds);
        options.setConnectionTimeout(CONNECTION_TIMEOUT_SECONDS);
        options.setMaxInflight(MAX_INFLIGHT);
        tlsCa.ifPresent(ca -> {
            options.setSocketFactory(ca.sslContext().getSocketFactory());
            // The server's certificate must name the host of the URI (HAProxy's: localhost, 127.0.0.1, haproxy).
            options.setHttpsHostnameVerificationEnabled(true);
        });
        return options;
    }

    /** {@link #toConnectOptions()} plus a QoS 1, non-retained last will. */
    public MqttConnectOptions toConnectOptions(String willTopic, byte[] willPayload) {
        MqttConnectOptions options = toConnectOptions();
        options.setWill(willTopic, willPayload, 1, false);
        return options;
    }

    @Override
    public String toString() {
        return "MqttSettings[serverUris=" + serverUris + ", username=" + username + ", password=****, clientId="
                + clientId + ", keepAliveSeconds=" + keepAliveSeconds + ", tlsCa="
                + tlsCa.map(ca -> ca.file().toString()).orElse("none") + "]";
    }
}
