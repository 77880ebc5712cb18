package io.thermowatch.common.config;

import com.rabbitmq.client.Address;
import com.rabbitmq.client.AddressResolver;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.impl.recovery.RecordedConsumer;
import com.rabbitmq.client.impl.recovery.TopologyRecoveryFilter;
import dev.failsafe.Failsafe;
import dev.failsafe.FailsafeException;
import dev.failsafe.RetryPolicy;
import io.thermowatch.common.amqp.AmqpConsumer;
import io.thermowatch.common.runtime.Retries;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How to reach RabbitMQ over AMQP, read from the environment, and how to connect with recovery.
 *
 * <p>{@code AMQP_ADDRESSES} lists {@code host:port} pairs tried in order: HAProxy first, the nodes as fallback
 * should the balancer itself be down. {@code AMQP_TLS_CA} (a PEM file) turns on TLS trusting only that CA, with host
 * name verification, for every address: list only TLS endpoints then (HAProxy's 5671; the nodes speak plain AMQP).
 *
 * @param addresses        broker addresses in the order they are tried
 * @param username         AMQP user
 * @param password         AMQP password
 * @param virtualHost      virtual host
 * @param recoveryInterval delay between automatic recovery attempts
 * @param tlsCa            the only CA a TLS connection trusts; empty: plain AMQP
 */
public record AmqpSettings(
        List<Address> addresses,
        String username,
        String password,
        String virtualHost,
        Duration recoveryInterval,
        Optional<TrustedCa> tlsCa) {

    /** Compose's layout: the balancer, then each node. */
    public static final String DEFAULT_ADDRESSES = "haproxy:5672,rabbitmq1:5672,rabbitmq2:5672,rabbitmq3:5672";

    private static final Logger log = LoggerFactory.getLogger(AmqpSettings.class);
    private static final int HEARTBEAT_SECONDS = 30;
    private static final int CONNECTION_TIMEOUT_MILLIS = 10_000;

    public AmqpSettings {
        addresses = List.copyOf(addresses);
    }

    /** Plain AMQP settings. */
    public AmqpSettings(
            List<Address> addresses, String username, String password, String virtualHost, Duration recoveryInterval) {
        this(addresses, username, password, virtualHost, recoveryInterval, Optional.empty());
    }

    /** Reads the settings; {@code AMQP_USERNAME} and {@code AMQP_PASSWORD} default to the given demo user. */
    public static AmqpSettings fromEnv(EnvConfig env, String defaultUsername, String defaultPassword) {
        List<Address> addresses = new ArrayList<>();
        for (String item : env.list("AMQP_ADDRESSES", DEFAULT_ADDRESSES)) {
            String[] hostPort = item.split(":");
            boolean valid = hostPort.length == 2 && !hostPort[0].isBlank() && hostPort[1].matches("\\d{1,5}");
            EnvConfig.check(valid, "AMQP_ADDRESSES", item, "comma-separated host:port pairs");
            addresses.add(new Address(hostPort[0], Integer.parseInt(hostPort[1])));
        }
        EnvConfig.check(!addresses.isEmpty(), "AMQP_ADDRESSES", "", "at least one host:port");
        return new AmqpSettings(
                addresses,
                env.string("AMQP_USERNAME", defaultUsername),
                env.secret("AMQP_PASSWORD", defaultPassword),
                env.string("AMQP_VHOST", "/"),
                env.positiveDuration("AMQP_RECOVERY_INTERVAL", Duration.ofSeconds(2)),
                env.optionalString("AMQP_TLS_CA").map(file -> TrustedCa.load("AMQP_TLS_CA", Path.of(file))));
    }

    /** Reads the settings; {@code AMQP_USERNAME} and {@code AMQP_PASSWORD} must be set. */
    public static AmqpSettings fromEnv(EnvConfig env) {
        return fromEnv(env, env.requiredString("AMQP_USERNAME"), env.requiredString("AMQP_PASSWORD"));
    }

    /**
     * Connects, retrying with {@link Retries#amqpConnect} back-off until it succeeds; afterwards the client
     * recovers the connection and its channels by itself (consumers: see {@link #newConnectionFactory}).
     *
     * @throws InterruptedException if interrupted while waiting to retry
     */
    public Connection connect(String connectionName) throws InterruptedException {
        ConnectionFactory factory = newConnectionFactory();
        RetryPolicy<Connection> untilConnected = Retries.<Connection>amqpConnect()
                .handle(IOException.class, TimeoutException.class)
                .onRetryScheduled(e -> log.warn(
                        "{} - Cannot connect to RabbitMQ at {} ({}); retrying in {} ms",
                        connectionName,
                        addresses,
                        e.getLastException().getMessage(),
                        e.getDelay().toMillis()))
                .build();
        Connection connection;
        try {
            connection =
                    Failsafe.with(untilConnected).get(() -> factory.newConnection(null, inOrder(), connectionName));
        } catch (FailsafeException e) {
            if (e.getCause() instanceof InterruptedException interrupted) {
                throw interrupted;
            }
            throw e;
        }
        log.info(
                "{} - Connected to RabbitMQ at {}:{}",
                connectionName,
                connection.getAddress().getHostAddress(),
                connection.getPort());
        return connection;
    }

    /**
     * A factory with automatic recovery of connections and channels, but not of consumers: {@link AmqpConsumer}
     * subscribes again itself on a new channel, so a channel number never spans two channel incarnations (a
     * consumer revived by the client would deliver on the recovered channel under the old one's identity).
     */
    public ConnectionFactory newConnectionFactory() {
        ConnectionFactory factory = new ConnectionFactory();
        factory.setUsername(username);
        factory.setPassword(password);
        factory.setVirtualHost(virtualHost);
        factory.setAutomaticRecoveryEnabled(true);
        factory.setTopologyRecoveryEnabled(true);
        factory.setTopologyRecoveryFilter(new TopologyRecoveryFilter() {
            @Override
            public boolean filterConsumer(RecordedConsumer consumer) {
                return false;
            }
        });
        factory.setNetworkRecoveryInterval(recoveryInterval.toMillis());
        factory.setRequestedHeartbeat(HEARTBEAT_SECONDS);
        factory.setConnectionTimeout(CONNECTION_TIMEOUT_MILLIS);
        tlsCa.ifPresent(ca -> {
            factory.useSslProtocol(ca.sslContext());
            // The server's certificate must name the host connected to (HAProxy's: localhost, 127.0.0.1, haproxy).
            factory.enableHostnameVerification();
        });
        return factory;
    }

    /** The client shuffles address lists by default; we want HAProxy first and the nodes only as fallback. */
    private AddressResolver inOrder() {
        return new AddressResolver() {
            @Override
            public List<Address> getAddresses() {
                return addresses;
            }

            @Override
            public List<Address> maybeShuffle(List<Address> input) {
                return input;
            }
        };
    }

    @Override
    public String toString() {
        return "AmqpSettings[addresses=" + addresses + ", username=" + username + ", password=****, virtualHost="
                + virtualHost + ", tlsCa="
                + tlsCa.map(ca -> ca.file().toString()).orElse("none") + "]";
    }
}
